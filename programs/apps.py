from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"

    def ready(self):
        from core import composition
        from programs import chart

        composition.register(
            "programs",
            chart_section=chart.chart_section,
            home_section=chart.home_section,
            note_section=chart.note_section,
        )
