from django.apps import AppConfig

from core import composition


class TrustConfig(AppConfig):
    name = "trust"
    verbose_name = "Trust and compliance"

    def ready(self):
        # trust.auth connects the sign-in hook that starts the session clocks.
        from trust import auth, notices  # noqa: F401, PLC0415 - app modules load once the models are ready

        # The admins' alerts at the top of their home page.
        composition.register("trust", home_notice=notices.home_notice)
