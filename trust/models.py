"""The trust app's own table: failed sign-ins per account name (``trust.throttle``)."""

from __future__ import annotations

from django.db import models


class SignInThrottle(models.Model):
    """Failed sign-ins of one account name, counted across every address and
    every server process (django-axes counts per name and address only).

    Keyed by the typed name, lower-cased, whether or not such an account exists,
    so the throttle behaves the same for unknown names and tells nobody which
    names are real."""

    username = models.CharField(max_length=150, unique=True)
    # Failures in the current run: a run ends after a quiet window with none.
    failures = models.PositiveIntegerField(default=0)
    # Of those, failures from browsers holding this account's device cookie: past
    # the free attempts, the cookie stops exempting anyone from the wait.
    device_failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    # While the run is past the free attempts, no password is checked before this.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # For the notice at the account's next sign-in.
    unseen_failures = models.PositiveIntegerField(default=0)
    unseen_since = models.DateTimeField(null=True, blank=True)
    # When the account and the admins were last told of this run.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had before sign-in moved to the trust app.
        db_table = "clinic_signinthrottle"
        ordering = ["-last_failure_at", "id"]
        indexes = [
            # Admins' home page: WHERE failures >= ? AND last_failure_at >= ? ORDER BY last_failure_at DESC.
            models.Index(fields=["-last_failure_at"], name="signinthrottle_recent"),
        ]

    def __str__(self) -> str:
        return f"Sign-in throttle for {self.username}: {self.failures} failures"
