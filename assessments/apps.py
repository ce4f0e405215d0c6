from django.apps import AppConfig

from core import composition


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self):
        # Imported here, not at the top: an app's modules may use its models only once
        # every app is loaded, and ready() is when that is true.
        from assessments import chart, demo, export  # noqa: PLC0415 - app modules load once the models are ready

        composition.register(
            "assessments",
            chart_section=chart.chart_section,
            export_records=export.export_client,
            restore_check=export.restore_check,
            demo_seed=demo.seed,
        )
        # The complete-record printout reads visits first, then assessments, then programs.
        composition.register("assessments", order=20, export_pdf_part=export.pdf_part)
