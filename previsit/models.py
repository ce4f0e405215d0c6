"""What a client fills in before a visit: outcome questionnaires the therapist asked for, and the
intake health screen with consent. Nothing here is part of the clinical record until a therapist
accepts it: an accepted questionnaire becomes a signed assessment, a confirmed intake a recorded
health screen (through the assessments and clinic services, as if the therapist had typed it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from clinic.models import Client, HealthScreen
from core.records import TimeStampedModel
from core.textlimits import SHORT_TEXT

TEXT_LIMITS: dict[str, dict[str, int]] = {
    "previsit.questionnairerequest": {"discard_reason": SHORT_TEXT},
    "previsit.intakesubmission": {"discard_reason": SHORT_TEXT, "medications": SHORT_TEXT},
}


class Measure(models.TextChoices):
    LEFS = "lefs", "LEFS (lower extremity function)"
    FAAM = "faam", "FAAM (foot and ankle ability: daily living and sports)"
    PSFS = "psfs", "PSFS (activities you find hard)"
    NPRS = "nprs", "Pain scores (0 to 10)"


OPEN_STATUSES = ("requested", "in_progress", "submitted")


class QuestionnaireRequestQuerySet(models.QuerySet):
    def for_client(self, client) -> QuestionnaireRequestQuerySet:
        return self.filter(client=client)

    def open(self) -> QuestionnaireRequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def waiting_for_client(self) -> QuestionnaireRequestQuerySet:
        return self.filter(status__in=("requested", "in_progress"))

    def for_chart(self, client) -> QuestionnaireRequestQuerySet:
        """The chart's list: open requests and the latest decided ones, newest first."""
        return self.filter(client=client).select_related("requested_by").order_by("-requested_at", "-id")

    def submitted_since(self, since, user) -> QuestionnaireRequestQuerySet:
        """Answers clients sent since ``since``, for clients on the user's care team."""
        return (
            self.filter(
                status="submitted", submitted_at__gte=since, client__in=Client.objects.clinical_for(user)
            )
            .select_related("client")
            .order_by("-submitted_at", "-id")
        )

    def for_user(self, user) -> QuestionnaireRequestQuerySet:
        return self.filter(client__in=Client.objects.clinical_for(user))


class QuestionnaireRequest(TimeStampedModel):
    """One questionnaire a therapist (or a schedule) asked a client to answer on their link."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        IN_PROGRESS = "in_progress", "Being filled in"
        SUBMITTED = "submitted", "Sent by the client, waiting for review"
        ACCEPTED = "accepted", "Accepted into the record"
        DISCARDED = "discarded", "Discarded"

    client = models.ForeignKey(
        "clinic.Client", on_delete=models.PROTECT, related_name="questionnaire_requests"
    )
    measure = models.CharField(max_length=8, choices=Measure.choices)
    # Empty when a schedule rule asked for it.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    requested_at = models.DateTimeField(default=timezone.now)
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    # What the client has typed so far, saved as they go: {"item_1": "3", "psfs_label_1": "..."}.
    partial = models.JSONField(default=dict, blank=True)
    # The answers as sent, in the form the scoring takes (assessments.services.ResponseInput items).
    submitted_answers = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Computed by assessments.scoring when the client sends the answers; a summary for the staff lists.
    score_text = models.CharField(max_length=300, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    discarded_at = models.DateTimeField(null=True, blank=True)
    discard_reason = models.TextField(blank=True)

    objects = QuestionnaireRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "questionnaire before a visit"
        indexes = [
            # Chart list: WHERE client_id = ? ORDER BY requested_at DESC.
            models.Index(fields=["client", "-requested_at"], name="qreq_client_latest"),
            # Home page: WHERE status = 'submitted' AND submitted_at >= ?.
            models.Index(fields=["status", "submitted_at"], name="qreq_status_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="discarded") | ~Q(discard_reason=""), name="qreq_discard_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(assessment__isnull=False), name="qreq_accepted_has_record"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "in_progress"])
                | Q(submitted_at__isnull=False)
                | Q(status="discarded"),
                name="qreq_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} for client {self.client_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("previsit:questionnaire_detail", args=[self.pk])

    @property
    def is_open_for_client(self) -> bool:
        return self.status in (self.Status.REQUESTED, self.Status.IN_PROGRESS)


class QuestionnaireSchedule(TimeStampedModel):
    """A simple rule: ask this client for this questionnaire every so many weeks while active.
    ``manage.py previsit_schedule`` (daily) and the chart turn a due rule into a request."""

    client = models.ForeignKey(
        "clinic.Client", on_delete=models.PROTECT, related_name="questionnaire_schedules"
    )
    measure = models.CharField(max_length=8, choices=Measure.choices)
    every_weeks = models.PositiveSmallIntegerField(default=4)
    active = models.BooleanField(default=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["measure"]
        verbose_name = "questionnaire schedule"
        constraints = [
            models.UniqueConstraint(fields=["client", "measure"], name="qschedule_one_per_measure"),
            models.CheckConstraint(
                condition=Q(every_weeks__gte=1, every_weeks__lte=26), name="qschedule_weeks_1_26"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} every {self.every_weeks} weeks for client {self.client_id}"


class IntakeSubmissionQuerySet(models.QuerySet):
    def for_client(self, client) -> IntakeSubmissionQuerySet:
        return self.filter(client=client)

    def pending(self) -> IntakeSubmissionQuerySet:
        return self.filter(status="pending")

    def for_user(self, user) -> IntakeSubmissionQuerySet:
        return self.filter(client__in=Client.objects.clinical_for(user))

    def submitted_since(self, since, user) -> IntakeSubmissionQuerySet:
        return (
            self.filter(
                status="pending", submitted_at__gte=since, client__in=Client.objects.clinical_for(user)
            )
            .select_related("client")
            .order_by("-submitted_at", "-id")
        )


class IntakeSubmission(TimeStampedModel):
    """A health screen and consent filled in before the first visit, by the client on their link or
    typed in from the paper form by the front desk. It waits for a therapist to confirm it; only
    that confirmation records the screen (``clinic.services.health_screen_record``)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the therapist's review"
        CONFIRMED = "confirmed", "Confirmed into the record"
        DISCARDED = "discarded", "Discarded"

    class Source(models.TextChoices):
        LINK = "link", "Filled in by the client on their link"
        PAPER = "paper", "Entered from the paper form"

    client = models.ForeignKey("clinic.Client", on_delete=models.PROTECT, related_name="intake_submissions")
    source = models.CharField(max_length=8, choices=Source.choices)
    # The front-desk admin who typed in a paper form.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The question set the answers were given to (clinic.screening.QUESTION_SETS).
    question_set = models.CharField(max_length=20)
    # {code: {"answer": bool, "details": str, "since": "YYYY-MM-DD" | ""}}
    answers = models.JSONField(default=dict)
    medications = models.TextField(blank=True)
    pregnancy_stage = models.CharField(max_length=12, blank=True)
    gp_name = models.CharField(max_length=120, blank=True)
    gp_contact = models.CharField(max_length=200, blank=True)
    consent_given = models.BooleanField(default=False)
    consent_version = models.CharField(max_length=20, blank=True)
    consented_by_role = models.CharField(max_length=20, blank=True)
    consented_by_name = models.CharField(max_length=120, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    screen = models.OneToOneField(
        "clinic.HealthScreen", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    discarded_at = models.DateTimeField(null=True, blank=True)
    discard_reason = models.TextField(blank=True)

    objects = IntakeSubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = "intake form before a visit"
        indexes = [
            # Chart and home page: WHERE client_id = ? / status = 'pending' ORDER BY submitted_at DESC.
            models.Index(fields=["client", "-submitted_at"], name="intake_client_latest"),
            models.Index(fields=["status", "submitted_at"], name="intake_status_submitted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="discarded") | ~Q(discard_reason=""), name="intake_discard_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(screen__isnull=False), name="intake_confirmed_has_screen"
            ),
            models.CheckConstraint(
                condition=~Q(source="paper") | Q(entered_by__isnull=False), name="intake_paper_names_who"
            ),
        ]

    def __str__(self) -> str:
        return f"Intake form for client {self.client_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("previsit:intake_detail", args=[self.pk])


class IntakeDraftQuerySet(models.QuerySet):
    def partial_for(self, client) -> dict:
        """What the client typed so far ({} when nothing), to fill the form in again."""
        return self.filter(client=client).values_list("partial", flat=True).first() or {}


class IntakeDraft(TimeStampedModel):
    """What a client has typed into the intake form on their link so far, kept as they go
    (``previsit.services.intake_autosave``), so a closed or reloaded page loses nothing. One per
    client; it goes when the form is sent. It is not part of the record: the sent form is."""

    client = models.OneToOneField("clinic.Client", on_delete=models.PROTECT, related_name="+")
    # The form's fields as typed: {"q_dvt": "yes", "d_dvt": "...", "medications": "..."}.
    partial = models.JSONField(default=dict, blank=True)

    objects = IntakeDraftQuerySet.as_manager()

    class Meta:
        verbose_name = "intake form being filled in"

    def __str__(self) -> str:
        return f"Intake form being filled in for client {self.client_id}"


def intake_state(client) -> str:
    """ "open" (nothing yet), "sent" (waiting for the therapist) or "on_file" (a screen is recorded)."""
    if IntakeSubmission.objects.for_client(client).pending().exists():
        return "sent"
    if HealthScreen.objects.filter(client=client).exists():
        return "on_file"
    return "open"
