"""Progress reports: a client's progress over a period, written for the client
or as a letter to a referrer, signed by its therapist like a note.

A draft holds the period, the audience, what to include and the text the
therapist may adjust. Signing stores the computed content (``content``) with
its SHA-256 (``content_hash``), so a signed report prints what was signed
whatever is recorded later; the row is then locked at every layer
(``core.records``), including a database trigger.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from clinic.models import Client
from core.records import LockedQuerySet, SignableModel


def _text(limit: int) -> list:
    # Free text prints on a letter: a length a page holds, and no NUL (PostgreSQL refuses it).
    return [MaxLengthValidator(limit), ProhibitNullCharactersValidator()]


class ProgressReportQuerySet(LockedQuerySet):
    def for_user(self, user) -> ProgressReportQuerySet:
        """Reports of the clients whose clinical content the user may read."""
        return self.filter(Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("client_id"))))

    def for_chart(self, client) -> ProgressReportQuerySet:
        """The chart section's list: newest first, with the author."""
        return self.filter(client=client).select_related("author").order_by("-created_at", "-id")


ProgressReportManager = models.Manager.from_queryset(ProgressReportQuerySet)


class ProgressReport(SignableModel):
    class Audience(models.TextChoices):
        CLIENT = "client", "The client (progress report)"
        REFERRER = "referrer", "A referrer (letter)"

    class Urgency(models.TextChoices):
        # Clinical reference, referral letter fields (R2.7).
        EMERGENCY = "emergency", "Emergency"
        SAME_DAY = "same_day", "Same day"
        WITHIN_WEEK = "within_week", "Within a week"
        ROUTINE = "routine", "Routine"

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="progress_reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.CLIENT)
    period_start = models.DateField("from")
    period_end = models.DateField("to")
    include_pain = models.BooleanField("first-step pain over time", default=True)
    include_scores = models.BooleanField("questionnaire scores over time", default=True)
    include_chain = models.BooleanField("what changed in the kinetic chain", default=True)
    include_program = models.BooleanField("home program and how it went", default=True)
    include_treatment = models.BooleanField("treatment given", default=True)
    recipient_name = models.CharField(
        "addressed to", max_length=200, blank=True, validators=[ProhibitNullCharactersValidator()]
    )
    recipient_address = models.TextField("their address", blank=True, validators=_text(600))
    summary = models.TextField(
        "summary",
        blank=True,
        validators=_text(4000),
        help_text="How things have gone, in plain words.",
    )
    findings_text = models.TextField(
        "findings",
        blank=True,
        validators=_text(4000),
        help_text="Functional and tissue findings, never a diagnosis.",
    )
    next_steps = models.TextField("next steps", blank=True, validators=_text(4000))
    reason = models.TextField(
        "reason for referral or discharge",
        blank=True,
        validators=_text(2000),
        help_text="For a letter only.",
    )
    # A letter only: how soon the recipient should see the client, and what we ask them.
    urgency = models.CharField(
        "urgency",
        max_length=12,
        choices=Urgency.choices,
        default=Urgency.ROUTINE,
        help_text=(
            "For an emergency or a same-day letter, the letter also says the client was told "
            "to seek medical care now: tell them so before they leave."
        ),
    )
    question = models.TextField(
        "question for the recipient",
        blank=True,
        validators=_text(1000),
        help_text="What you ask the recipient to do or answer, in one or two sentences.",
    )
    # A letter only, set at signing: the therapist confirmed the client agreed to this
    # letter being sent, and who confirmed it when.
    consent_to_share = models.BooleanField("the client agreed to this letter being sent", default=False)
    consent_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    consent_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Set at signing: what the report shows, as computed then, and its SHA-256.
    content = models.JSONField(null=True, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects: ClassVar[ProgressReportManager[ProgressReport]] = ProgressReportManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="progressreport_period_order"
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | Q(content__isnull=False, content_hash__gt=""),
                name="progressreport_signed_has_content",
            ),
        ]
        indexes = [
            # Chart section: WHERE client_id = ? ORDER BY created_at DESC.
            models.Index(fields=["client", "created_at"], name="progressreport_client_made"),
        ]

    def __str__(self) -> str:
        return f"{self.get_audience_display()} {self.period_start:%Y-%m-%d} to {self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def is_letter(self) -> bool:
        return self.audience == self.Audience.REFERRER
