from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"

    def ready(self):
        from clinic.integrity import register_check
        from core import composition
        from notes import chart
        from notes.services import signed_notes_verify

        composition.register(
            "notes",
            chart_section=chart.chart_section,
            home_section=chart.home_section,
            note_section=chart.note_section,
        )
        register_check("signed notes", signed_notes_verify)
