from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self):
        from assessments import chart
        from core import composition

        composition.register(
            "assessments",
            chart_section=chart.chart_section,
        )
