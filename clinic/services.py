"""Writes for clients, users, the clinic profile and the intake screen."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from audit.log import audit_record, audited_save
from audit.models import AuditEvent
from clinic import documents
from clinic.authorship import may_act_as_author
from clinic.models import (
    Client,
    ClientDocument,
    ClinicProfile,
    Consent,
    Disclosure,
    EmergencyAccess,
    HealthScreen,
    ScreenAnswer,
    User,
)
from clinic.screening import BY_CODE, CONSENT_TEXT_VERSION, CURRENT_QUESTION_SET
from core.errors import Conflict
from core.records import NotTheAuthor, RecordLocked
from core.services import model_changes, model_update


class StaleEdit(Conflict):
    """The record changed since the form was opened (optimistic locking)."""

    message = (
        "Someone else saved this record after you opened it. Your changes were not saved: "
        "reload the page to see the latest version, then make your change again."
    )


CLIENT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "email",
    "phone",
    "address",
    "emergency_contact_name",
    "emergency_contact_phone",
    "occupation",
    "sports",
    "weekly_volume",
    "footwear",
    "goals",
    "referral_source",
    "involved_side",
)


def client_possible_duplicates(*, first_name: str, last_name: str, date_of_birth, exclude_pk=None):
    qs = Client.objects.annotate(lf=Lower("first_name"), ll=Lower("last_name")).filter(
        ll=last_name.strip().lower(), lf=first_name.strip().lower(), date_of_birth=date_of_birth
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs.order_by("id")[:5])


def _care_team_ids(care_team, primary_id: int) -> set[int]:
    """The care team always includes the primary therapist, and holds therapists only."""
    members = list(care_team)
    not_therapists = [str(m) for m in members if not m.is_therapist]
    if not_therapists:
        raise ValidationError({"care_team": f"Not a therapist: {', '.join(not_therapists)}."})
    return {m.pk for m in members} | {primary_id}


@transaction.atomic
def client_create(*, by: User, data: dict[str, Any], care_team=()) -> Client:
    client = Client(**{k: data[k] for k in CLIENT_FIELDS if k in data})
    client.primary_therapist = data["primary_therapist"]
    client.full_clean()
    client.save()
    team = _care_team_ids(care_team, client.primary_therapist_id)
    client.care_team.set(team)
    audit_record(
        actor=by,
        action="create",
        client=client,
        target=client,
        detail={"care_team": sorted(team)},
    )
    return client


@transaction.atomic
def client_update(*, client: Client, by: User, data: dict[str, Any], version: int, care_team=None) -> Client:
    """Update demographics and, when ``care_team`` is given, the care team.

    ``version`` is the one the form was opened at: if anyone saved the client
    since, StaleEdit is raised and nothing is written (optimistic locking)."""
    current = Client.objects.select_for_update(no_key=True).get(pk=client.pk)
    if current.version != version:
        raise StaleEdit()
    changed = model_changes(instance=current, fields=CLIENT_FIELDS, data=data)
    if "primary_therapist" in data and current.primary_therapist_id != data["primary_therapist"].pk:
        current.primary_therapist = data["primary_therapist"]
        changed.append("primary_therapist")
    current.version = version + 1
    current.full_clean()
    current.save()
    team_before = set(current.care_team.values_list("pk", flat=True))
    if care_team is not None:
        team = _care_team_ids(care_team, current.primary_therapist_id)
    else:
        team = team_before | {current.primary_therapist_id}
    if team != team_before:
        current.care_team.set(team)
        changed.append("care_team")
    audit_record(actor=by, action="update", client=current, target=current, detail={"fields": changed})
    return current


@transaction.atomic
def client_set_status(*, client: Client, by: User, status: str) -> Client:
    """Archive or restore a client. Clients are never deleted: archiving hides them
    from the default lists and keeps every record."""
    if status not in Client.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    current = Client.objects.select_for_update(no_key=True).get(pk=client.pk)
    if current.status == status:
        return current
    current.status = status
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=by,
        action="archive" if status == Client.Status.ARCHIVED else "restore",
        client=current,
        target=current,
    )
    return current


MINOR_UNDER = 18  # years: below this a parent or guardian consents unless the minor may (R2.1)


def _screen_answers(answers, taken_on) -> tuple[list[ScreenAnswer], dict[str, str]]:
    rows, errors = [], {}
    for code, value in answers.items():
        answer, details, since = (*value, None)[:3]
        question = BY_CODE[code]
        if not question.dated or not answer:
            since = None
        elif since is not None and since > taken_on:
            errors[code] = "The date cannot be after the screen."
        rows.append(
            ScreenAnswer(question=code, answer=bool(answer), details=(details or "").strip(), since=since)
        )
    return rows, errors


@transaction.atomic
def health_screen_record(
    *,
    client: Client,
    by: User,
    answers: dict[str, tuple],
    medications: str = "",
    notes: str = "",
    consent_given: bool = False,
    consented_by_role: str = Consent.Role.CLIENT,
    consented_by_name: str = "",
    pregnancy_stage: str = "",
    gp_name: str = "",
    gp_contact: str = "",
    taken_at: datetime | None = None,
) -> HealthScreen:
    """Record a complete screen on the current question set: every question
    answered yes or no, with details (and a date for time-boxed questions:
    ``answers[code] = (yes, details[, date])``).

    When the client consents, a Consent row records who took it, when (the
    screen's time), the version of the consent text and who consented in what
    role: for a minor, a named parent or guardian, or the minor where able.
    ``taken_at`` is for loading records taken earlier on paper; it defaults to now.
    """
    missing = [code for code in BY_CODE if code not in answers]
    if missing:
        raise ValidationError({code: "Answer yes or no." for code in missing})
    unknown = sorted(code for code in answers if code not in BY_CODE)
    if unknown:
        raise ValidationError(f"Unknown screening questions: {', '.join(unknown)}.")
    taken_at = taken_at or timezone.now()
    rows, errors = _screen_answers(answers, timezone.localdate(taken_at))
    pregnant = bool(answers.get("pregnancy", (False,))[0])
    if pregnant and not pregnancy_stage:
        errors["pregnancy_stage"] = "Give the trimester, or say within 6 weeks of giving birth."
    if pregnancy_stage and not pregnant:
        errors["pregnancy_stage"] = "Answer the pregnancy question yes, or leave this empty."
    consented_by_name = (consented_by_name or "").strip()
    if consent_given:
        minor = client.date_of_birth is not None and client.age < MINOR_UNDER
        if consented_by_role not in Consent.Role.values:
            errors["consented_by_role"] = "Say who consented."
        elif minor and consented_by_role == Consent.Role.CLIENT:
            errors["consented_by_role"] = (
                f"The client is under {MINOR_UNDER}: a parent or guardian consents, "
                "unless the client is a minor able to consent."
            )
        elif not minor and consented_by_role == Consent.Role.CAPABLE_MINOR:
            errors["consented_by_role"] = "The client is an adult: choose the client."
        if consented_by_role in (Consent.Role.PARENT, Consent.Role.GUARDIAN) and not consented_by_name:
            errors["consented_by_name"] = "Give the name of the parent or guardian who consented."
    if errors:
        raise ValidationError(errors)
    screen = HealthScreen(
        client=client,
        recorded_by=by,
        medications=medications,
        notes=notes,
        taken_at=taken_at,
        question_set=CURRENT_QUESTION_SET,
        pregnancy_stage=pregnancy_stage if pregnant else "",
        gp_name=(gp_name or "").strip(),
        gp_contact=(gp_contact or "").strip(),
    )
    screen.full_clean()
    screen.save()
    for row in rows:
        row.screen = screen
        row.full_clean(exclude=["screen"])
    ScreenAnswer.objects.bulk_create(rows)
    if consent_given:
        consent = Consent(
            client=client,
            recorded_by=by,
            text_version=CONSENT_TEXT_VERSION,
            given_at=taken_at,
            consented_by_role=consented_by_role,
            consented_by_name=consented_by_name if consented_by_role != Consent.Role.CLIENT else "",
        )
        consent.full_clean()
        consent.save()
    audit_record(
        actor=by,
        action="create",
        client=client,
        target=screen,
        detail={
            "yes": sorted(c for c, v in answers.items() if v[0]),
            "consent": consent_given,
            "questions": CURRENT_QUESTION_SET,
        },
    )
    return screen


@transaction.atomic
def consent_withdraw(*, client: Client, by: User, reason: str) -> Consent:
    """Record that the client withdrew consent to treatment, with the reason.

    Earlier consent rows stay as they were: the withdrawal is a new row, and the
    latest row is the client's current answer. Consent given again later is
    recorded with the next health screen."""
    current = client.consents.first()
    if current is None or not current.given:
        raise ValidationError("There is no consent on file to withdraw.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why consent was withdrawn."})
    withdrawal = Consent(
        client=client,
        recorded_by=by,
        text_version=current.text_version,
        given=False,
        withdrawal_reason=reason,
        given_at=timezone.now(),
    )
    audited_save(
        instance=withdrawal,
        by=by,
        action="consent_withdraw",
        client=client,
        detail={"replaces": current.pk},
    )
    return withdrawal


@transaction.atomic
def user_create(*, by: User, data: dict[str, Any], password: str) -> User:
    user = User(
        username=data["username"],
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        email=data.get("email", ""),
        credentials=data.get("credentials", ""),
        registration_number=data.get("registration_number", ""),
        is_therapist=data.get("is_therapist", False),
        is_clinic_admin=data.get("is_clinic_admin", False),
    )
    user.set_password(password)
    # The admin chose this password: it signs in once, only to choose a new one.
    user.must_change_password = True
    audited_save(
        instance=user,
        by=by,
        action="user_create",
        detail={"therapist": user.is_therapist, "admin": user.is_clinic_admin},
    )
    return user


PASSWORD_FLAGS = ["must_change_password", "temporary_password_used_at"]


@transaction.atomic
def user_password_set_by_admin(*, user: User, by: User, via: str) -> User:
    """An admin has just set another user's password (the form saved it). It
    becomes a temporary password: audited, the user told by email and at the
    next sign-in, and it signs in once, only to choose a new password. An
    admin's own password set this way is an ordinary change."""
    if user.pk == by.pk:
        audit_record(actor=by, action="password_change", target=user, detail={"via": via})
        return user
    user.must_change_password = True
    user.temporary_password_used_at = None
    user.save(update_fields=PASSWORD_FLAGS)
    audit_record(actor=by, action="password_set", target=user, detail={"via": via})
    transaction.on_commit(lambda: _notify_password_set(user, by))
    return user


def _notify_password_set(user: User, by: User) -> None:
    if not user.email:
        return
    send_mail(
        subject="Kinetic Chart: an admin set a new password for your account",
        message=(
            f"{by.display_name}, an admin of your clinic, set a temporary password for your account "
            f"({user.username}) on {timezone.localtime():%d %b %Y at %H:%M}.\n\n"
            "It works once: at your next sign-in you will be asked to choose your own password.\n"
            "If you did not ask for this, tell another admin of your clinic.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
        fail_silently=True,  # the audit row and the notice at sign-in stand even if mail is down
    )


def user_temporary_password_use(*, user: User) -> User:
    """A temporary password has signed in: from now on it is refused, and this
    session reaches only the change-password page."""
    user.temporary_password_used_at = timezone.now()
    user.save(update_fields=["temporary_password_used_at"])
    audit_record(actor=user, action="temporary_password_used", target=user)
    return user


@transaction.atomic
def user_password_changed(*, user: User, was_forced: bool) -> User:
    """The user chose a new password (the form saved it)."""
    if user.must_change_password or user.temporary_password_used_at is not None:
        user.must_change_password = False
        user.temporary_password_used_at = None
        user.save(update_fields=PASSWORD_FLAGS)
    audit_record(
        actor=user,
        action="password_change",
        detail={"replaced_temporary": True} if was_forced else None,
    )
    return user


USER_EDIT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "credentials",
    "registration_number",
    "is_therapist",
    "is_clinic_admin",
    "may_break_glass",
    "joint_mobilisation_in_scope",
    "is_records_officer",
    "is_active",
)
# Changing any of these changes what the account may do: audited as a role change.
PRIVILEGE_FIELDS = {
    "is_therapist",
    "is_clinic_admin",
    "may_break_glass",
    "joint_mobilisation_in_scope",
    "is_records_officer",
    "is_active",
    "supervisors",  # a named supervisor may write and sign this therapist's records
}


class SelfLockout(ValidationError):
    """An admin tried to remove their own admin role or deactivate themselves."""


@transaction.atomic
def user_update(*, user: User, by: User, data: dict[str, Any]) -> User:
    """Edit a staff account: names, credentials, roles, active flag. Accounts are
    deactivated, never deleted. An admin cannot remove their own admin role or
    deactivate themselves, so the clinic is never left without an admin by accident."""
    # Compare against the stored row, not ``user``: a bound ModelForm has already
    # copied the submitted values onto its instance.
    current = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    before = {key: getattr(current, key) for key in USER_EDIT_FIELDS}
    model_changes(instance=current, fields=USER_EDIT_FIELDS, data=data)
    if current.pk == by.pk and not current.is_clinic_admin:
        raise SelfLockout({"is_clinic_admin": "You cannot remove your own admin role."})
    if current.pk == by.pk and not current.is_active:
        raise SelfLockout({"is_active": "You cannot deactivate your own account."})
    if current.may_break_glass and not current.is_therapist:
        raise ValidationError({"may_break_glass": "Emergency access is for therapists only."})
    if current.joint_mobilisation_in_scope and not current.is_therapist:
        raise ValidationError(
            {"joint_mobilisation_in_scope": "Joint mobilisation scope is for therapists only."}
        )
    current.full_clean()
    # The permission is gone: so is any emergency access still open. Its grants are
    # locked before the first audit row (the audit lock order), then closed below.
    open_grants = []
    if before["may_break_glass"] and not (current.may_break_glass and current.is_active):
        open_grants = list(
            EmergencyAccess.objects.filter(user=current, ended_at__isnull=True).select_for_update(no_key=True)
        )
    supervisors_before = supervisors_after = None
    if "supervisors" in data:
        chosen = list(data["supervisors"] or [])
        if any(s.pk == current.pk for s in chosen):
            raise ValidationError({"supervisors": "A therapist cannot supervise themself."})
        if any(not (s.is_therapist and s.is_active) for s in chosen):
            raise ValidationError({"supervisors": "A supervisor must be an active therapist."})
        if chosen and not current.is_therapist:
            raise ValidationError({"supervisors": "Supervisors are named for therapists only."})
        supervisors_before = sorted(s.display_name for s in current.supervisors.all())
        supervisors_after = sorted(s.display_name for s in chosen)
    current.save(update_fields=[*USER_EDIT_FIELDS])
    changed = {
        key: [before[key], getattr(current, key)]
        for key in USER_EDIT_FIELDS
        if before[key] != getattr(current, key)
    }
    if supervisors_before != supervisors_after:
        current.supervisors.set(data["supervisors"])
        changed["supervisors"] = [supervisors_before, supervisors_after]
    if changed:
        audit_record(
            actor=by,
            action="role_change" if PRIVILEGE_FIELDS & changed.keys() else "user_update",
            target=current,
            # Old and new values of each changed field (names and roles only; no secrets).
            detail={"changed": changed},
        )
    for grant in open_grants:
        _emergency_access_close(grant=grant, by=by, end_reason=EmergencyAccess.EndReason.REVOKED)
    return current


MAX_LOGO_PIXELS = 40_000_000
LOGO_BOX = (1200, 1200)


def _reencode_image(upload) -> ContentFile:
    """Validate an uploaded image and re-encode it as PNG. Only the pixels survive:
    EXIF (camera, GPS), colour-profile chunks and anything appended to the file are
    dropped. A camera's orientation tag is applied first so the logo stays upright."""
    if upload.size > settings.KC_MAX_IMAGE_BYTES:
        raise ValidationError({"logo": "The image is larger than the upload limit."})
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            if probe.width * probe.height > MAX_LOGO_PIXELS:
                raise ValidationError({"logo": "The image has too many pixels (40 megapixels at most)."})
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as opened:
            img = ImageOps.exif_transpose(opened)
            img.thumbnail(LOGO_BOX)
            has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
            clean = img.convert("RGBA" if has_alpha else "RGB")
            # A fresh image holds the pixels only: no info dict, no EXIF, no ICC profile.
            bare = Image.new(clean.mode, clean.size)
            bare.paste(clean)
            out = io.BytesIO()
            bare.save(out, format="PNG", optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError({"logo": "This file is not a valid image."}) from exc
    return ContentFile(out.getvalue())


PROFILE_FIELDS = ("name", "address", "phone", "email", "website", "paper_size", "named_supervisors_allowed")


@transaction.atomic
def clinic_profile_update(
    *, by: User, data: dict[str, Any], logo=None, remove_logo: bool = False
) -> ClinicProfile:
    """Save the clinic profile. A new logo is validated and re-encoded (see
    ``_reencode_image``); the old logo file is removed once the change commits."""
    profile = ClinicProfile.objects.select_for_update(no_key=True).get(pk=ClinicProfile.load().pk)
    changed = model_changes(instance=profile, fields=PROFILE_FIELDS, data=data)
    old_logo = profile.logo.name if profile.logo else ""
    if logo is not None:
        content = _reencode_image(logo)
        profile.logo.save(f"logo-{timezone.now():%Y%m%d%H%M%S}.png", content, save=False)
        changed.append("logo")
    elif remove_logo and old_logo:
        profile.logo = ""
        changed.append("logo")
    profile.full_clean()
    profile.save()
    if old_logo and "logo" in changed:
        storage = profile.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    audit_record(actor=by, action="update", target=profile, detail={"fields": changed})
    return profile


# --- Emergency ("break-glass") access -------------------------------------------------


def _may_break_glass(user: User) -> bool:
    return bool(user.is_active and user.is_therapist and user.may_break_glass)


@transaction.atomic
def emergency_access_start(*, user: User, client: Client, reason: str, site_url: str = "") -> EmergencyAccess:
    """Open time-limited clinical access to a client outside the user's care team.

    The caller has already checked the user's password again. The grant lasts
    ``KC_BREAK_GLASS_MINUTES``; every audit row the user writes for this client
    meanwhile carries the grant's id, and the clinic's admins are emailed."""
    reason = (reason or "").strip()
    if not _may_break_glass(user):
        raise ValidationError("Your account is not allowed to open emergency access.")
    if not reason:
        raise ValidationError({"reason": "Give the reason for emergency access."})
    if client.status != Client.Status.ACTIVE:
        raise ValidationError("Emergency access is for active clients only.")
    if client.care_team.filter(pk=user.pk).exists():
        raise ValidationError("You are on this client's care team already: no emergency access is needed.")
    emergency_access_close_expired(
        seen_by=user, grants=EmergencyAccess.objects.filter(user=user, client=client)
    )
    current = EmergencyAccess.objects.active_for(user).filter(client=client).first()
    if current is not None:
        local = timezone.localtime(current.expires_at)
        raise ValidationError(f"You already have emergency access to this client until {local:%H:%M}.")
    now = timezone.now()
    grant = EmergencyAccess(
        user=user,
        client=client,
        reason=reason,
        started_at=now,
        expires_at=now + timedelta(minutes=settings.KC_BREAK_GLASS_MINUTES),
    )
    grant.full_clean()
    grant.save()
    audit_record(
        actor=user,
        action="break_glass_start",
        client=client,
        target=grant,
        detail={"break_glass": grant.pk, "reason": reason, "expires_at": grant.expires_at.isoformat()},
    )
    # The admins' email links to the review; ``site_url`` (the address the clinic uses,
    # from the view) makes the link absolute.
    review_url = site_url.rstrip("/") + reverse("emergency_review", args=[grant.pk])
    transaction.on_commit(lambda: _notify_admins(grant, review_url))
    return grant


def _notify_admins(grant: EmergencyAccess, review_url: str) -> None:
    """Email every active admin. The message names the therapist and the record
    number only: the client's name and the reason stay inside the application."""
    recipients = list(
        User.objects.filter(is_clinic_admin=True, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    started = timezone.localtime(grant.started_at)
    expires = timezone.localtime(grant.expires_at)
    send_mail(
        subject="Kinetic Chart: emergency access opened",
        message=(
            f"{grant.user.display_name} ({grant.user.username}) opened emergency access to client "
            f"record {grant.client_id} at {started:%Y-%m-%d %H:%M}, until {expires:%H:%M}.\n\n"
            f"Review it (the reason, the client and everything done meanwhile): {review_url}\n"
        ),
        from_email=None,
        recipient_list=recipients,
        fail_silently=True,  # the grant row and the admin home banner stand even if mail is down
    )


def _emergency_access_close(*, grant: EmergencyAccess, by: User | None, end_reason: str) -> None:
    now = timezone.now()
    expired = grant.expires_at <= now
    grant.ended_at = grant.expires_at if expired else now
    grant.end_reason = EmergencyAccess.EndReason.EXPIRED if expired else end_reason
    grant.ended_by = None if expired else by
    grant.save(update_fields=["ended_at", "end_reason", "ended_by", "updated_at"])
    audit_record(
        actor=by,
        action="break_glass_expired" if expired else "break_glass_end",
        client=grant.client_id,
        target=grant,
        detail={"break_glass": grant.pk, "holder": grant.user_id, "end_reason": grant.end_reason},
    )


@transaction.atomic
def emergency_access_end(*, grant: EmergencyAccess, by: User) -> EmergencyAccess:
    """End a grant now: by its holder, or by an admin (a revocation). A grant
    whose time has already run out is closed as expired."""
    current = EmergencyAccess.objects.select_for_update(no_key=True).get(pk=grant.pk)
    if current.ended_at is not None:
        return current
    if by.pk != current.user_id and not by.is_clinic_admin:
        raise ValidationError("Only the therapist who opened it or an admin can end emergency access.")
    end_reason = (
        EmergencyAccess.EndReason.ENDED if by.pk == current.user_id else EmergencyAccess.EndReason.REVOKED
    )
    _emergency_access_close(grant=current, by=by, end_reason=end_reason)
    return current


def emergency_access_close_expired(*, seen_by: User | None, grants=None) -> int:
    """Close the grants whose time has run out (the moment the application
    first notices), so each expiry is recorded once in the audit trail.
    Costs one query when there is nothing to close."""
    qs = (grants if grants is not None else EmergencyAccess.objects.all()).open_expired()
    expired = list(qs.order_by("pk").values_list("pk", flat=True)[:100])
    if not expired:
        return 0
    with transaction.atomic():
        locked = (
            EmergencyAccess.objects.filter(pk__in=expired)
            .open_expired()
            .select_for_update(no_key=True)
            .order_by("pk")
        )
        closed = 0
        for grant in locked:
            _emergency_access_close(grant=grant, by=seen_by, end_reason=EmergencyAccess.EndReason.EXPIRED)
            closed += 1
    return closed


@transaction.atomic
def emergency_access_review(*, grant: EmergencyAccess, by: User, note: str) -> EmergencyAccess:
    """An admin's review of a finished grant, with a note. Nobody reviews their own."""
    note = (note or "").strip()
    if not (by.is_active and by.is_clinic_admin):
        raise ValidationError("Only an admin can review emergency access.")
    current = EmergencyAccess.objects.select_for_update(no_key=True).get(pk=grant.pk)
    if current.user_id == by.pk:
        raise ValidationError("Someone else must review your own emergency access.")
    if current.reviewed_at is not None:
        raise ValidationError("This emergency access has been reviewed already.")
    if current.ended_at is None and not current.is_active():
        _emergency_access_close(grant=current, by=by, end_reason=EmergencyAccess.EndReason.EXPIRED)
    if current.is_active():
        raise ValidationError("End this emergency access before reviewing it.")
    if not note:
        raise ValidationError({"review_note": "Write what you checked and concluded."})
    model_update(
        instance=current,
        fields=("reviewed_by", "reviewed_at", "review_note"),
        data={"reviewed_by": by, "reviewed_at": timezone.now(), "review_note": note},
    )
    audit_record(
        actor=by,
        action="break_glass_review",
        client=current.client_id,
        target=current,
        detail={"break_glass": current.pk, "holder": current.user_id},
    )
    return current


# --- Disclosures (45 CFR 164.528) -------------------------------------------------------


@transaction.atomic
def disclosure_record(
    *,
    client: Client,
    by: User,
    disclosed_on,
    recipient_name: str,
    description: str,
    purpose: str,
    recipient_address: str = "",
    export_event_id: int | None = None,
) -> Disclosure:
    """Log one release of the client's record outside treatment, payment and
    operations. The log is insert-only: a mistaken entry is answered by another."""
    if not (by.is_active and by.is_clinic_admin):
        raise ValidationError("Only an admin can record a disclosure.")
    if export_event_id is not None and not (
        AuditEvent.objects.filter(pk=export_event_id, client_id=client.pk, action="export").exists()
    ):
        raise ValidationError(
            {"export_event_id": "No export of this client's record has that audit event number."}
        )
    disclosure = Disclosure(
        client=client,
        disclosed_on=disclosed_on,
        recipient_name=(recipient_name or "").strip(),
        recipient_address=(recipient_address or "").strip(),
        description=(description or "").strip(),
        purpose=(purpose or "").strip(),
        recorded_by=by,
        recorded_at=timezone.now(),
        export_event_id=export_event_id,
    )
    disclosure.full_clean()
    disclosure.save(force_insert=True)
    audit_record(
        actor=by,
        action="disclose",
        client=client,
        target=disclosure,
        detail={"disclosed_on": disclosure.disclosed_on.isoformat(), "export_event": export_event_id},
    )
    return disclosure


# --- Documents attached to a client ---------------------------------------------------------------


def may_attach_document(*, client: Client, by: User, kind: str | None = None) -> bool:
    """Care-team therapists attach any kind of document. The front desk attaches the
    paper that arrives at reception (a referral letter, a signed consent form) but never
    reads the documents afterwards: the list and the files are clinical content."""
    if not (by.is_authenticated and by.is_active):
        return False
    if by.is_therapist and Client.objects.clinical_for(by).filter(pk=client.pk).exists():
        return True
    return by.is_clinic_admin and (kind is None or kind in ClientDocument.FRONT_DESK_KINDS)


def client_document_attach(*, client: Client, by: User, upload, kind: str, title: str = "") -> ClientDocument:
    """Check the file by its content (``clinic.documents.clean_upload``), keep it under a
    random name outside the web root and record it. The file is written whole before
    the row; if the row cannot be written, the file is removed again."""

    if kind not in ClientDocument.Kind.values:
        raise ValidationError({"kind": "Choose what kind of document this is."})
    if not may_attach_document(client=client, by=by, kind=kind):
        raise ValidationError(
            {"kind": "The front desk can attach referral letters and signed consent forms."}
        )
    try:
        clean = documents.clean_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    stored_name = documents.new_stored_name(clean.extension)
    document = ClientDocument(
        client=client,
        kind=kind,
        title=(title or "").strip()[: documents.TITLE_MAX] or documents.display_title(upload.name),
        stored_name=stored_name,
        content_type=clean.content_type,
        size=len(clean.content),
        sha256=clean.sha256,
        attached_by=by,
        attached_at=timezone.now(),
    )
    document.full_clean()
    documents.write_file(stored_name, clean.content)
    try:
        with transaction.atomic():
            document.save(force_insert=True)
            audit_record(
                actor=by,
                action="create",
                client=client,
                target=document,
                detail={
                    "category": "documents",
                    "kind": kind,
                    "size": document.size,
                    "sha256": document.sha256,
                },
            )
    except BaseException:
        documents.remove_file(stored_name)
        raise
    return document


def may_mark_document_in_error(*, document: ClientDocument, by: User) -> bool:
    """The therapist who attached it (or their named supervisor, where the clinic allows
    it). A document the front desk attached has no clinical author: any care-team
    therapist may mark it, since the front desk never sees it again."""

    if may_act_as_author(author_id=document.attached_by_id, by=by):
        return by.is_therapist
    return not document.attached_by.is_therapist and by.is_therapist


def client_document_mark_in_error(*, document: ClientDocument, by: User, reason: str) -> ClientDocument:
    """Mark a document entered in error, with a reason. It is kept, shown struck
    through, still downloadable and still in the export."""

    if not may_mark_document_in_error(document=document, by=by):
        raise NotTheAuthor("Only the therapist who attached this document can mark it entered in error.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this document was entered in error."})
    with transaction.atomic():
        current = ClientDocument.objects.select_for_update(no_key=True).get(pk=document.pk)
        if current.in_error:
            raise RecordLocked("This document is already marked entered in error.")
        model_update(
            instance=current,
            fields=("in_error_at", "in_error_by", "in_error_reason"),
            data={"in_error_at": timezone.now(), "in_error_by": by, "in_error_reason": reason},
        )
        audit_record(
            actor=by,
            action="entered_in_error",
            client=current.client_id,
            target=current,
            detail={"category": "documents", "reason": reason},
        )
    return current
