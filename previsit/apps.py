from django.apps import AppConfig


class PrevisitConfig(AppConfig):
    name = "previsit"
    verbose_name = "Before the visit"

    def ready(self):
        # Imported here: the modules use the models, which exist only once every app is loaded.
        from core import composition  # noqa: PLC0415 - apps are loaded only once ready() runs
        from previsit import chart, demo, export, models  # noqa: PLC0415 - the same: they use the models

        composition.register(
            "previsit",
            chart_section=chart.chart_section,
            chart_desk_section=chart.chart_desk_section,
            home_section=chart.home_section,
            portal_home_section=chart.portal_home_section,
            text_limits=lambda: models.TEXT_LIMITS,
            export_records=export.export_client,
            restore_check=export.restore_check,
            demo_seed=demo.seed,
        )
        # The printout reads the questionnaires and intake forms after the assessments.
        composition.register("previsit", order=25, export_pdf_part=export.pdf_part)
