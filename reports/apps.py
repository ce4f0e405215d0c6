from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        # Imported here, not at the top: an app's modules may use its models only once
        # every app is loaded, and ready() is when that is true.
        from core import composition  # noqa: PLC0415 - apps are loaded only once ready() runs
        from reports import chart, demo  # noqa: PLC0415 - the same: they use the models

        composition.register("reports", chart_section=chart.chart_section, demo_seed=demo.seed)
