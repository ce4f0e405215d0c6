from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from audit.chain_head import ensure_chain_head_trigger  # noqa: PLC0415 - app modules load once the models are ready

        # After every migrate: the trigger that moves the chain head with every insert
        # (SQLite drops a table's triggers when a migration rebuilds it).
        post_migrate.connect(ensure_chain_head_trigger, sender=self, dispatch_uid="audit_chain_head")
