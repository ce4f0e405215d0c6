from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "clinic"
    verbose_name = "Clinic"

    def ready(self):
        # Connects the sign-in hook that starts the session clocks (clinic.auth).
        from clinic import auth  # noqa: F401
