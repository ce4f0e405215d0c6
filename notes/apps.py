from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"

    def ready(self):
        from clinic.integrity import register_check
        from notes.services import signed_notes_verify

        register_check("signed notes", signed_notes_verify)
