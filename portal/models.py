"""The client's own view: links that open it, and the throttle on guessing them.

A link is a long random token given to one client (copied or printed as a QR code).
Only its SHA-256 hash is stored: a copy of the database opens nobody's view.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class LinkStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class ClientLinkQuerySet(models.QuerySet):
    def for_client(self, client) -> ClientLinkQuerySet:
        return self.filter(client=client)

    def usable(self, now=None) -> ClientLinkQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)

    def for_chart(self) -> ClientLinkQuerySet:
        return self.select_related("issued_by", "revoked_by").order_by("-issued_at", "-id")


class ClientLink(models.Model):
    """One link to a client's own view. It opens only that client's view, until it
    expires or a therapist revokes it."""

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ClientLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "client link"
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("issued_at")), name="clientlink_expiry"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="clientlink_revoked_by_whom",
            ),
        ]
        indexes = [models.Index(fields=["client", "issued_at"], name="clientlink_by_client")]

    def __str__(self) -> str:
        return f"Client link issued {self.issued_at:%d %b %Y}"

    def status(self, now=None) -> str:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return LinkStatus.REVOKED
        if self.expires_at <= now:
            return LinkStatus.EXPIRED
        return LinkStatus.ACTIVE

    @property
    def status_label(self) -> str:
        return LinkStatus(self.status()).label

    @property
    def is_usable(self) -> bool:
        return self.status() == LinkStatus.ACTIVE


class LinkThrottle(models.Model):
    """Counts of refused tries (a wrong token, a wrong date of birth) and of
    submissions per key in a fixed window, in the database so every server
    process sees the same count."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()

    class Meta:
        verbose_name = "client link throttle"

    def __str__(self) -> str:
        return f"{self.count} in the window from {self.window_start:%H:%M}"


class EntryKind(models.TextChoices):
    SET = "set", "A set done"
    SESSION = "session", "A session done"
    PAIN = "pain", "Pain after the session"
    MORNING = "morning", "Next-morning check"


MAX_NOTE = 200


class LogEntryQuerySet(models.QuerySet):
    def for_client(self, client) -> LogEntryQuerySet:
        return self.filter(client=client)

    def between(self, start, end) -> LogEntryQuerySet:
        return self.filter(done_on__gte=start, done_on__lte=end)

    def for_chart(self) -> LogEntryQuerySet:
        return self.select_related("item__exercise").order_by("-done_on", "-recorded_at", "-id")


class LogEntry(models.Model):
    """One thing the client logged on their own view: a set or a session of an exercise
    of their issued program, the pain after a session, or the next-morning check.

    ``entry_id`` is made by the client's device before sending, so sending it again
    (a queue replayed after going offline) never writes it twice."""

    entry_id = models.UUIDField(unique=True)
    link = models.ForeignKey(ClientLink, on_delete=models.PROTECT, related_name="entries")
    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    item = models.ForeignKey(
        "programs.ProgramItem", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    set_number = models.PositiveSmallIntegerField(null=True, blank=True)
    done_on = models.DateField()
    pain = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_response = models.CharField(max_length=5, blank=True)
    settled = models.BooleanField(null=True, blank=True)
    # The clinic's pain bands when it was logged (as programs.Adherence keeps them).
    green_max = models.PositiveSmallIntegerField(default=2)
    amber_max = models.PositiveSmallIntegerField(default=5)
    note = models.CharField(max_length=MAX_NOTE, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = LogEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "home exercise log entry"
        verbose_name_plural = "home exercise log entries"
        ordering = ["done_on", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pain__isnull=True) | Q(pain__lte=10), name="logentry_pain_range"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["set", "session"]) | Q(item__isnull=False),
                name="logentry_tick_has_item",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["pain", "morning"]) | Q(pain__isnull=False), name="logentry_pain_given"
            ),
        ]
        indexes = [models.Index(fields=["client", "done_on"], name="logentry_by_client")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.done_on}"
