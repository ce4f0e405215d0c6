"""Writes for clients, users, the clinic profile and the intake screen."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from clinic.audit import audit_record
from clinic.models import Client, ClinicProfile, Consent, HealthScreen, ScreenAnswer, User
from clinic.screening import BY_CODE, CONSENT_TEXT_VERSION


class StaleEdit(Exception):
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
def client_create(*, by: User, data: dict[str, Any], care_team=(), request=None) -> Client:
    client = Client(**{k: data[k] for k in CLIENT_FIELDS if k in data})
    client.primary_therapist = data["primary_therapist"]
    client.full_clean()
    client.save()
    team = _care_team_ids(care_team, client.primary_therapist_id)
    client.care_team.set(team)
    audit_record(
        actor=by,
        action="create",
        request=request,
        client=client,
        target=client,
        detail={"care_team": sorted(team)},
    )
    return client


@transaction.atomic
def client_update(
    *, client: Client, by: User, data: dict[str, Any], version: int, care_team=None, request=None
) -> Client:
    """Update demographics and, when ``care_team`` is given, the care team.

    ``version`` is the one the form was opened at: if anyone saved the client
    since, StaleEdit is raised and nothing is written (optimistic locking)."""
    current = Client.objects.select_for_update().get(pk=client.pk)
    if current.version != version:
        raise StaleEdit()
    changed = []
    for key in CLIENT_FIELDS:
        if key in data and getattr(current, key) != data[key]:
            setattr(current, key, data[key])
            changed.append(key)
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
    audit_record(
        actor=by, action="update", request=request, client=current, target=current, detail={"fields": changed}
    )
    return current


@transaction.atomic
def client_set_status(*, client: Client, by: User, status: str, request=None) -> Client:
    """Archive or restore a client. Clients are never deleted: archiving hides them
    from the default lists and keeps every record."""
    if status not in Client.Status.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    current = Client.objects.select_for_update().get(pk=client.pk)
    if current.status == status:
        return current
    current.status = status
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=by,
        action="archive" if status == Client.Status.ARCHIVED else "restore",
        request=request,
        client=current,
        target=current,
    )
    return current


@transaction.atomic
def health_screen_record(
    *,
    client: Client,
    by: User,
    answers: dict[str, tuple[bool, str]],
    medications: str = "",
    notes: str = "",
    consent_given: bool = False,
    taken_at: datetime | None = None,
    request=None,
) -> HealthScreen:
    """Record a complete screen: every question answered yes or no, with details.

    When the client consents, a Consent row records who took it, when (the
    screen's time) and the version of the consent text they agreed to.
    ``taken_at`` is for loading records taken earlier on paper; it defaults to now.
    """
    missing = [code for code in BY_CODE if code not in answers]
    if missing:
        raise ValidationError({code: "Answer yes or no." for code in missing})
    unknown = sorted(code for code in answers if code not in BY_CODE)
    if unknown:
        raise ValidationError(f"Unknown screening questions: {', '.join(unknown)}.")
    taken_at = taken_at or timezone.now()
    screen = HealthScreen(
        client=client, recorded_by=by, medications=medications, notes=notes, taken_at=taken_at
    )
    screen.full_clean()
    screen.save()
    rows = [
        ScreenAnswer(screen=screen, question=code, answer=bool(answer), details=details or "")
        for code, (answer, details) in answers.items()
    ]
    for row in rows:
        row.full_clean(exclude=["screen"])
    ScreenAnswer.objects.bulk_create(rows)
    if consent_given:
        consent = Consent(client=client, recorded_by=by, text_version=CONSENT_TEXT_VERSION, given_at=taken_at)
        consent.full_clean()
        consent.save()
    audit_record(
        actor=by,
        action="create",
        request=request,
        client=client,
        target=screen,
        detail={"yes": sorted(c for c, (a, _) in answers.items() if a), "consent": consent_given},
    )
    return screen


@transaction.atomic
def user_create(*, by: User, data: dict[str, Any], password: str, request=None) -> User:
    user = User(
        username=data["username"],
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        email=data.get("email", ""),
        credentials=data.get("credentials", ""),
        is_therapist=data.get("is_therapist", False),
        is_clinic_admin=data.get("is_clinic_admin", False),
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    audit_record(
        actor=by,
        action="user_create",
        request=request,
        target=user,
        detail={"therapist": user.is_therapist, "admin": user.is_clinic_admin},
    )
    return user


USER_EDIT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "credentials",
    "is_therapist",
    "is_clinic_admin",
    "is_active",
)


class SelfLockout(ValidationError):
    """An admin tried to remove their own admin role or deactivate themselves."""


@transaction.atomic
def user_update(*, user: User, by: User, data: dict[str, Any], request=None) -> User:
    """Edit a staff account: names, credentials, roles, active flag. Accounts are
    deactivated, never deleted. An admin cannot remove their own admin role or
    deactivate themselves, so the clinic is never left without an admin by accident."""
    # Compare against the stored row, not ``user``: a bound ModelForm has already
    # copied the submitted values onto its instance.
    current = User.objects.select_for_update().get(pk=user.pk)
    before = {key: getattr(current, key) for key in USER_EDIT_FIELDS}
    for key in USER_EDIT_FIELDS:
        if key in data:
            setattr(current, key, data[key])
    if current.pk == by.pk and not current.is_clinic_admin:
        raise SelfLockout({"is_clinic_admin": "You cannot remove your own admin role."})
    if current.pk == by.pk and not current.is_active:
        raise SelfLockout({"is_active": "You cannot deactivate your own account."})
    current.full_clean()
    current.save(update_fields=[*USER_EDIT_FIELDS])
    changed = {
        key: [before[key], getattr(current, key)]
        for key in USER_EDIT_FIELDS
        if before[key] != getattr(current, key)
    }
    roles = {"is_therapist", "is_clinic_admin", "is_active"}
    if changed:
        audit_record(
            actor=by,
            action="role_change" if roles & changed.keys() else "user_update",
            request=request,
            target=current,
            # Old and new values of each changed field (names and roles only; no secrets).
            detail={"changed": changed},
        )
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
        with Image.open(upload) as img:
            img = ImageOps.exif_transpose(img)
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


PROFILE_FIELDS = ("name", "address", "phone", "email", "website", "paper_size")


@transaction.atomic
def clinic_profile_update(
    *, by: User, data: dict[str, Any], logo=None, remove_logo: bool = False, request=None
) -> ClinicProfile:
    """Save the clinic profile. A new logo is validated and re-encoded (see
    ``_reencode_image``); the old logo file is removed once the change commits."""
    profile = ClinicProfile.objects.select_for_update().get(pk=ClinicProfile.load().pk)
    changed = []
    for key in PROFILE_FIELDS:
        if key in data and getattr(profile, key) != data[key]:
            setattr(profile, key, data[key])
            changed.append(key)
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
    audit_record(actor=by, action="update", request=request, target=profile, detail={"fields": changed})
    return profile
