from django.apps import AppConfig

from core import composition


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        # Imported here, not at the top: an app's modules may use its models only once
        # every app is loaded, and ready() is when that is true.
        from reports import chart, demo, export  # noqa: PLC0415 - the same: they use the models

        composition.register(
            "reports",
            chart_section=chart.chart_section,
            export_records=export.export_client,
            restore_check=export.restore_check,
            demo_seed=demo.seed,
        )
        # The complete-record printout lists the reports after the home programs.
        composition.register("reports", order=40, export_pdf_part=export.pdf_part)
