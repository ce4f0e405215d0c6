from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Client's own view"

    def ready(self):
        # Imported here, not at the top: an app's modules may use its models only once
        # every app is loaded, and ready() is when that is true.
        from core import composition  # noqa: PLC0415 - apps are loaded only once ready() runs
        from portal import chart, demo, export, home, log  # noqa: PLC0415 - the same: they use the models

        composition.register(
            "portal",
            chart_section=chart.chart_section,
            chart_desk_section=chart.chart_desk_section,
            home_section=log.home_section,
            portal_home_section=home.program_section,
            adherence_prefill=log.adherence_prefill,
            demo_seed=demo.seed,
            export_records=export.export_client,
            restore_check=export.restore_check,
        )
        # The printout reads the client's own log after the home programs it is kept against.
        composition.register("portal", order=35, export_pdf_part=export.pdf_part)
