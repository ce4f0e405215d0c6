from __future__ import annotations

from datetime import date
from typing import ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.screening import current_question_set
from core.records import InsertOnlyModel, InsertOnlyQuerySet, RecordLocked, TimeStampedModel
from core.textlimits import ADDRESS, NOTE_TEXT, SHORT_TEXT, TextLimited

# How much free text each field accepts (core.textlimits), registered when the app starts.
TEXT_LIMITS: dict[str, dict[str, int]] = {
    "clinic.clinicprofile": {"address": ADDRESS},
    "clinic.client": {"address": ADDRESS, "goals": SHORT_TEXT},
    "clinic.healthscreen": {"medications": SHORT_TEXT, "notes": 4_000},
    "clinic.consent": {"withdrawal_reason": SHORT_TEXT},
    "clinic.emergencyaccess": {"reason": SHORT_TEXT, "review_note": SHORT_TEXT},
    "clinic.clientdocument": {"in_error_reason": SHORT_TEXT},
    "clinic.disclosure": {"recipient_address": ADDRESS, "description": NOTE_TEXT, "purpose": NOTE_TEXT},
}


class User(AbstractUser):
    """A person who signs in. Roles are flags so the clinic owner can hold both."""

    is_therapist = models.BooleanField(default=False, help_text="Treats clients and writes clinical records.")
    is_clinic_admin = models.BooleanField(
        default=False,
        help_text="Manages clients, users, the clinic profile and the exercise library.",
    )
    credentials = models.CharField(
        max_length=80,
        blank=True,
        help_text="Professional designation printed under the signature, e.g. 'RMT, BSc'.",
    )
    registration_number = models.CharField(
        max_length=60,
        blank=True,
        help_text="Professional registration number, printed under the signature of letters to referrers.",
    )
    may_break_glass = models.BooleanField(
        default=False,
        help_text=(
            "May open time-limited emergency access to a client outside their care team. "
            "Therapists only; every use is audited and reviewed by an admin."
        ),
    )
    is_records_officer = models.BooleanField(
        default=False,
        help_text=(
            "May export any client's complete record, to answer a client's request for their "
            "records. Granted by an admin; every export is audited."
        ),
    )
    joint_mobilisation_in_scope = models.BooleanField(
        default=False,
        help_text=(
            "Joint mobilisation is within this therapist's scope of practice where they work. "
            "Without it the treatment log does not offer joint mobilisation."
        ),
    )
    # Who supervises whom decides what a note or assessment page offers its reader: a
    # change re-renders every cached page (clinic.record_version).
    record_version_everyone_links = ("supervisors",)

    supervisors = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="supervisees",
        blank=True,
        help_text=(
            "Therapists who may write, sign and amend this therapist's records, "
            "where the clinic allows named supervisors."
        ),
    )
    # Set when an admin chose this user's password: it is a temporary one that
    # signs in once, and only to choose a new password.
    must_change_password = models.BooleanField(default=False)
    temporary_password_used_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager[Self]] = UserManager()

    class Meta:
        ordering = ["first_name", "last_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def signature_line(self) -> str:
        name = self.display_name
        return f"{name}, {self.credentials}" if self.credentials else name

    @property
    def role_label(self) -> str:
        roles = [
            label
            for flag, label in (
                (self.is_clinic_admin, "Admin"),
                (self.is_therapist, "Therapist"),
                (self.is_records_officer, "Records officer"),
            )
            if flag
        ]
        return " + ".join(roles) or "No role"


class PaperSize(models.TextChoices):
    A4 = "A4", "A4"
    LETTER = "LETTER", "US Letter"


class ClinicProfile(TimeStampedModel):
    """The one clinic this installation serves. Printed on every handout and note."""

    # Shown on client pages: a change re-renders them (clinic.record_version).
    record_version_everyone = True

    name = models.CharField(max_length=120, default="Kinetic Chart Clinic")
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.CharField(max_length=200, blank=True)
    logo = models.ImageField(upload_to="clinic/", blank=True)
    paper_size = models.CharField(max_length=6, choices=PaperSize.choices, default=PaperSize.A4)
    opened_on = models.DateField(
        "First day of the clinic",
        null=True,
        blank=True,
        help_text="No visit, assessment or program can be dated before it. "
        "Left empty, the earliest date accepted is 1 January 1900.",
    )
    named_supervisors_allowed = models.BooleanField(
        "Allow named supervisors",
        default=False,
        help_text="A therapist's named supervisor may write, sign, amend and mark in error "
        "that therapist's records. Each such action is recorded as done by the supervisor.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="clinicprofile_singleton"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def load(cls) -> ClinicProfile:
        profile, _ = cls.objects.get_or_create(pk=1)
        return profile


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user) -> ClientQuerySet:
        """Clients a user may see at all: admins see every client's demographics,
        therapists see the clients on whose care team they are (and those of
        their active emergency access grants)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_clinic_admin:
            return self
        if user.is_therapist:
            return self._therapist_scope(user)
        return self.none()

    def clinical_for(self, user) -> ClientQuerySet:
        """Clients whose clinical content a user may read: care-team therapists,
        plus the clients of a therapist's active emergency access grants.
        An admin who is not a therapist never reaches clinical content."""
        if not user.is_authenticated or not user.is_active or not user.is_therapist:
            return self.none()
        return self._therapist_scope(user)

    def _therapist_scope(self, user) -> ClientQuerySet:
        if not user.may_break_glass:
            return self.filter(care_team=user)
        # Two subqueries rather than a care-team join: an OR over the join would
        # repeat a client once per care-team member. Still one query.
        care_team = Client.care_team.through.objects.filter(user=user).values("client_id")
        granted = EmergencyAccess.objects.active_for(user).values("client_id")
        return self.filter(Q(pk__in=care_team) | Q(pk__in=granted))

    def active(self) -> ClientQuerySet:
        return self.filter(status=Client.Status.ACTIVE)

    def search(self, text: str) -> ClientQuerySet:
        text = (text or "").strip()
        if not text:
            return self
        query = Q()
        for term in text.split()[:4]:
            query &= (
                Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(preferred_name__icontains=term)
                | Q(email__icontains=term)
                | Q(phone__icontains=term)
            )
        return self.filter(query)

    def for_list(self) -> ClientQuerySet:
        return self.select_related("primary_therapist").order_by(
            Lower("last_name"), Lower("first_name"), "id"
        )


class Client(TimeStampedModel):
    class Sex(models.TextChoices):
        FEMALE = "F", "Female"
        MALE = "M", "Male"
        INTERSEX = "X", "Intersex / other"
        UNDISCLOSED = "U", "Prefer not to say"

    class Side(models.TextChoices):
        LEFT = "L", "Left"
        RIGHT = "R", "Right"
        BOTH = "B", "Both"
        NONE = "", "Not set"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNDISCLOSED)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_phone = models.CharField(max_length=40, blank=True)
    occupation = models.CharField(max_length=120, blank=True)
    sports = models.CharField(max_length=200, blank=True, help_text="e.g. road running, hiking")
    weekly_volume = models.CharField(
        max_length=120, blank=True, help_text="e.g. 40 km/week running, 10 h standing/day"
    )
    footwear = models.CharField(max_length=200, blank=True)
    goals = models.TextField(blank=True)
    referral_source = models.CharField(max_length=120, blank=True)
    involved_side = models.CharField(
        max_length=1,
        choices=Side.choices,
        blank=True,
        default=Side.NONE,
        help_text="Used for the limb symmetry index.",
    )
    primary_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="primary_clients",
        limit_choices_to={"is_therapist": True},
    )
    care_team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="care_clients", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Optimistic locking: a stale form save is refused instead of overwriting.
    version = models.PositiveIntegerField(default=1)
    # Bumped by a database trigger, in the writing transaction, whenever anything
    # a page about this client shows is written (clinic.record_version). A cached
    # page is keyed by it, so a page is never served from before a write.
    record_version = models.BigIntegerField(default=0, editable=False)

    objects = ClientQuerySet.as_manager()
    # What the demographics looked like before each change (simple-history).
    history = HistoricalRecords(excluded_fields=["record_version"])

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            # Client list: ORDER BY lower(last_name), lower(first_name) with a status filter.
            models.Index(Lower("last_name"), Lower("first_name"), "id", name="client_name_order"),
            # Duplicate warning: same name and date of birth.
            models.Index(Lower("last_name"), "date_of_birth", name="client_dup_lookup"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("client_detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.first_name} ({self.preferred_name}) {self.last_name}"
        return self.full_name

    @property
    def age(self) -> int:
        today = timezone.localdate()
        dob = self.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


class HealthScreenQuerySet(InsertOnlyQuerySet["HealthScreen"]):
    locked_message = "A recorded health screen is final. Record a re-check instead."

    def latest_for(self, client) -> HealthScreen | None:
        return self.filter(client=client).prefetch_related("answers").order_by("-taken_at", "-id").first()


class HealthScreen(InsertOnlyModel, TimeStampedModel):
    """One completed intake health screen. A re-check at a later visit adds a new
    screen; earlier screens stay as they were.

    A screen has no draft stage: it is confirmed when it is recorded, and from
    then on neither it nor its answers change (model, QuerySet and a database
    trigger refuse UPDATE and DELETE)."""

    locked_message = HealthScreenQuerySet.locked_message

    class PregnancyStage(models.TextChoices):
        NONE = "", "Not pregnant"
        FIRST = "t1", "First trimester"
        SECOND = "t2", "Second trimester"
        THIRD = "t3", "Third trimester"
        POSTPARTUM = "postpartum", "Within 6 weeks of giving birth"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="health_screens")
    taken_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    medications = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    # The version of the questions this screen was answered with (clinic.screening.QUESTION_SETS):
    # an old screen keeps showing its own questions.
    question_set = models.CharField(max_length=20, default=current_question_set)
    pregnancy_stage = models.CharField(
        "pregnancy", max_length=12, choices=PregnancyStage.choices, blank=True, default=""
    )
    gp_name = models.CharField("GP's name", max_length=120, blank=True)
    gp_contact = models.CharField("GP's practice and phone", max_length=200, blank=True)

    objects = HealthScreenQuerySet.as_manager()

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [
            # Latest screen of a client: WHERE client_id = ? ORDER BY taken_at DESC.
            models.Index(fields=["client", "-taken_at"], name="healthscreen_latest"),
        ]

    def __str__(self) -> str:
        return f"Health screen {self.client_id} {self.taken_at:%Y-%m-%d}"


class ScreenAnswerQuerySet(InsertOnlyQuerySet):
    locked_message = HealthScreenQuerySet.locked_message


class ScreenAnswer(InsertOnlyModel):
    """One answer of a screen: written with the screen, final with it."""

    locked_message = HealthScreenQuerySet.locked_message

    screen = models.ForeignKey(HealthScreen, on_delete=models.CASCADE, related_name="answers")
    question = models.CharField(max_length=40)
    answer = models.BooleanField()
    details = models.CharField(max_length=500, blank=True)
    # For time-boxed flags (surgery, a heel injection): when it happened.
    since = models.DateField("date", null=True, blank=True)

    objects = ScreenAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["screen", "question"], name="screenanswer_one_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {'yes' if self.answer else 'no'}"


class ConsentQuerySet(InsertOnlyQuerySet):
    locked_message = "A consent record is final. Record a withdrawal or a new consent instead."


class Consent(InsertOnlyModel, TimeStampedModel):
    """Consent to treatment: who recorded it, when, which text was agreed to, and
    who consented in what role (a parent or guardian for a minor).

    A consent is final once recorded. A client who withdraws consent gets a new
    row with ``given`` false and the reason; consent given again later is a new
    row too. The latest row is the client's current answer."""

    locked_message = ConsentQuerySet.locked_message

    class Role(models.TextChoices):
        CLIENT = "client", "The client"
        CAPABLE_MINOR = "capable_minor", "The client (a minor able to consent)"
        PARENT = "parent", "Parent"
        GUARDIAN = "guardian", "Legal guardian"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    given_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text_version = models.CharField(max_length=20)
    given = models.BooleanField(default=True)
    withdrawal_reason = models.TextField(
        blank=True, max_length=2000, help_text="Why the client withdrew consent, in their words if possible."
    )
    consented_by_role = models.CharField(
        "who consented", max_length=20, choices=Role.choices, default=Role.CLIENT
    )
    consented_by_name = models.CharField("name of the parent or guardian", max_length=120, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(given=True) | ~Q(withdrawal_reason=""), name="consent_withdrawal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        if not self.given:
            return f"Consent withdrawn for client {self.client_id}"
        return f"Consent {self.text_version} for client {self.client_id}"


class CareTeamVersion(models.Model):
    """One number that changes whenever the set of clients anyone may see changes: a
    client registered, archived, reactivated or deleted, a care team changed, an
    emergency access grant opened or closed (``clinic.care_team_version``). The client
    list caches its total per version; the database bumps the number in the writing
    transaction, so two app servers never disagree. Not a clinical record, and no
    dates of its own (so no ``created_at``/``updated_at``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="careteamversion_one_row"),
        ]

    def __str__(self) -> str:
        return f"care-team version {self.version}"


class EmergencyAccessQuerySet(models.QuerySet):
    def active_for(self, user) -> EmergencyAccessQuerySet:
        """Open, unexpired grants of one user."""
        return self.filter(user=user, ended_at__isnull=True, expires_at__gt=timezone.now())

    def open_expired(self) -> EmergencyAccessQuerySet:
        """Grants whose time ran out but which nobody has closed yet."""
        return self.filter(ended_at__isnull=True, expires_at__lte=timezone.now())

    def unreviewed(self) -> EmergencyAccessQuerySet:
        return self.filter(reviewed_at__isnull=True)

    def for_review(self) -> EmergencyAccessQuerySet:
        """Admin review list: unreviewed grants first, newest first within each group."""
        return self.select_related("user", "client", "ended_by", "reviewed_by").order_by(
            F("reviewed_at").asc(nulls_first=True), "-started_at", "-id"
        )


class EmergencyAccess(TimeStampedModel):
    """One break-glass grant: a therapist opened a client outside their care team
    for a limited time, giving a reason. Admins are told and review it afterwards."""

    class EndReason(models.TextChoices):
        ENDED = "ended", "Ended early"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Emergency access permission removed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_grants"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="emergency_grants")
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="emergencyaccess_reason_required"),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("started_at")), name="emergencyaccess_expires_after_start"
            ),
            models.CheckConstraint(
                condition=Q(reviewed_at__isnull=True, reviewed_by__isnull=True)
                | Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="emergencyaccess_review_complete",
            ),
            # At most one open grant per therapist and client.
            models.UniqueConstraint(
                fields=["user", "client"],
                condition=Q(ended_at__isnull=True),
                name="emergencyaccess_one_open_per_client",
            ),
        ]
        indexes = [
            # clinical_for() and the audit flag: WHERE user_id = ? AND ended_at IS NULL AND expires_at > now.
            models.Index(
                fields=["user", "expires_at"], condition=Q(ended_at__isnull=True), name="emergencyaccess_open"
            ),
            # Admin home banner and review list: WHERE reviewed_at IS NULL.
            models.Index(
                fields=["-started_at"],
                condition=Q(reviewed_at__isnull=True),
                name="emergencyaccess_unreviewed",
            ),
        ]

    def __str__(self) -> str:
        return f"Emergency access {self.pk}: user {self.user_id}, client {self.client_id}"

    @property
    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.ended_at is None and self.expires_at > now


class DisclosureQuerySet(models.QuerySet):
    """A disclosure log is a legal record: bulk writes are refused outright."""

    def for_accounting(self, client, *, today: date | None = None) -> DisclosureQuerySet:
        """The disclosures a client's accounting lists: those of the six years before
        the day it is asked for (45 CFR 164.528(a)), newest first."""
        return (
            self.filter(client=client, disclosed_on__gte=accounting_start(today))
            .select_related("recorded_by")
            .order_by("-disclosed_on", "-id")
        )

    def update(self, **kwargs):
        raise RecordLocked(Disclosure.LOCKED_MESSAGE)

    def delete(self):
        raise RecordLocked(Disclosure.LOCKED_MESSAGE)


ACCOUNTING_YEARS = 6


def accounting_start(today: date | None = None) -> date:
    """The first day an accounting of disclosures covers: the same day six years
    earlier (28 February when that year has no 29th)."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - ACCOUNTING_YEARS)
    except ValueError:
        return today.replace(year=today.year - ACCOUNTING_YEARS, day=28)


class Disclosure(TextLimited, models.Model):
    """One release of a client's record outside treatment, payment and operations
    (to a lawyer or an insurer on request, say), as 45 CFR 164.528 asks it to be
    logged. Insert-only: the model, its QuerySet and a database trigger refuse
    every change and deletion; a wrong entry is answered by a further entry."""

    LOCKED_MESSAGE = "Disclosures are a legal log: they are never changed or deleted."

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="disclosures")
    disclosed_on = models.DateField("date of disclosure")
    recipient_name = models.CharField("recipient", max_length=200)
    recipient_address = models.TextField("recipient's address", blank=True)
    description = models.TextField("what was released")
    purpose = models.TextField(
        "purpose", help_text="The purpose of the disclosure, or a copy of the written request."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="recorded by"
    )
    recorded_at = models.DateTimeField("recorded at", default=timezone.now)
    # A plain id, like AuditEvent.client_id: the export event this release was produced by, if any.
    export_event_id = models.BigIntegerField("export audit event", null=True, blank=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(recipient_name=""), name="disclosure_recipient_required"),
            models.CheckConstraint(condition=~Q(description=""), name="disclosure_description_required"),
            models.CheckConstraint(condition=~Q(purpose=""), name="disclosure_purpose_required"),
        ]
        indexes = [
            # Accounting page: WHERE client_id = ? AND disclosed_on >= ? ORDER BY disclosed_on DESC, id DESC.
            models.Index(fields=["client", "-disclosed_on", "-id"], name="disclosure_accounting"),
        ]

    def __str__(self) -> str:
        return f"Disclosure {self.pk} of client {self.client_id} on {self.disclosed_on}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RecordLocked(self.LOCKED_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordLocked(self.LOCKED_MESSAGE)

    def clean(self):
        super().clean()
        if self.disclosed_on and self.disclosed_on > timezone.localdate():
            raise ValidationError({"disclosed_on": "The date of disclosure cannot be in the future."})


class ClientImport(models.Model):
    """A client list uploaded from another practice system, kept from its preview until
    it is imported (or left): the file itself, who sent it, and what the import did."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    month_first = models.BooleanField(
        default=False, help_text="Dates such as 03/04/1980 are month first (US style)."
    )
    primary_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"Client import of {self.file_name}"


class ClientDocumentQuerySet(models.QuerySet):
    def for_chart(self, client) -> ClientDocumentQuerySet:
        """The client's documents, newest first, with who attached each and who
        marked it entered in error: one query."""
        return (
            self.filter(client=client)
            .select_related("attached_by", "in_error_by")
            .order_by("-attached_at", "-id")
        )


class ClientDocument(TimeStampedModel):
    """A file attached to a client: a referral letter, an imaging report, a signed
    paper consent form, a photo. The file lives outside the web root under a random
    name (``clinic.documents``); the name it was sent under is kept only as its
    title. Never deleted: a document attached by mistake is marked entered in error,
    with a reason, and kept."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral letter"
        IMAGING = "imaging", "Imaging report"
        CONSENT = "consent", "Signed consent form"
        PHOTO = "photo", "Photo"
        OTHER = "other", "Other document"

    # What the front desk may attach (paper that arrives at reception); the rest is clinical.
    FRONT_DESK_KINDS = (Kind.REFERRAL, Kind.CONSENT)

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80, editable=False)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField("SHA-256", max_length=64)
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    attached_at = models.DateTimeField()
    in_error_at = models.DateTimeField("entered in error at", null=True, blank=True)
    in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="marked in error by",
    )
    in_error_reason = models.TextField("reason it was entered in error", blank=True)

    objects = ClientDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-attached_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["stored_name"], name="clientdocument_stored_name_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["referral", "imaging", "consent", "photo", "other"]),
                name="clientdocument_kind_valid",
            ),
            # Marked in error all at once: when, by whom and why, or none of them.
            models.CheckConstraint(
                condition=(
                    Q(in_error_at__isnull=True, in_error_by__isnull=True, in_error_reason="")
                    | (Q(in_error_at__isnull=False, in_error_by__isnull=False) & ~Q(in_error_reason=""))
                ),
                name="clientdocument_in_error_complete",
            ),
        ]
        indexes = [
            # The chart's Documents card: ClientDocument.objects.for_chart(client).
            models.Index(fields=["client", "-attached_at"], name="clientdocument_chart_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def in_error(self) -> bool:
        return self.in_error_at is not None
