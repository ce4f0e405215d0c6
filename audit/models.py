"""The audit log: one append-only, hash-chained row per read, write, export and refusal."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEventQuerySet(models.QuerySet):
    def for_client(self, client_id: int) -> AuditEventQuerySet:
        return self.filter(client_id=client_id)


class AuditEvent(models.Model):
    """One append-only audit row. Written only through ``audit.log.audit_record``.

    The table rejects UPDATE and DELETE with a database trigger, and each row
    carries the hash of the previous one, signed with the audit key (an
    HMAC-SHA256 whose key lives outside the database), so ``manage.py
    audit_verify`` detects an edited, deleted or reordered row even when whoever
    changed it recomputed the hashes.
    """

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        DENIED = "denied", "Denied"

    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(max_length=150, blank=True)
    # A plain id, not a foreign key: the audit log must outlive anything it names.
    client_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # Which audit key signed the row (audit.log.key_id_for); blank on rows written
    # before the chain was keyed, whose hash is a plain SHA-256.
    key_id = models.CharField(max_length=16, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        # The table keeps the name it had before the audit log became an app of its own.
        db_table = "clinic_auditevent"
        ordering = ["-id"]
        indexes = [
            # Admin audit page and the client export: WHERE client_id = ? ORDER BY id DESC.
            models.Index(fields=["client_id", "-id"], name="audit_by_client"),
            # Admin audit page filtered by user: WHERE actor_id = ? ORDER BY id DESC.
            models.Index(fields=["actor", "-id"], name="audit_by_actor"),
            # Admin audit page filtered by action and date range.
            models.Index(fields=["action", "at"], name="audit_by_action"),
        ]

    def __str__(self) -> str:
        when = f"{self.at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.actor_username} {self.action} {self.object_type}:{self.object_id}"


class ChainHead(models.Model):
    """The newest row of the audit chain (its id and hash), in one row.

    ``audit_record`` reads and locks this row in one statement before it appends, instead
    of taking a separate chain lock and then reading the newest event: on PostgreSQL the
    row lock is the chain lock, and ``SELECT ... FOR NO KEY UPDATE`` returns the row as the
    transaction before it committed it, so two writers never chain to the same row. A
    trigger on the audit table moves the head with every insert, in the inserting
    transaction (``audit.chain_head``), whoever inserts. Not a clinical record: it holds
    no dates of its own, so it has no ``created_at`` or ``updated_at``."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    event_id = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "audit_chainhead"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="audit_chainhead_one_row"),
        ]

    def __str__(self) -> str:
        return f"audit chain head: event {self.event_id}"
