"""Writes for clients, users, the clinic profile and the intake screen."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

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


@transaction.atomic
def client_create(*, by: User, data: dict[str, Any], care_team=(), request=None) -> Client:
    client = Client(**{k: data[k] for k in CLIENT_FIELDS if k in data})
    client.primary_therapist = data["primary_therapist"]
    client.full_clean()
    client.save()
    team = {t.pk for t in care_team} | {client.primary_therapist_id}
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
    """Update demographics. ``version`` is the one the form was opened at."""
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
    if care_team is not None:
        team = {t.pk for t in care_team} | {current.primary_therapist_id}
        current.care_team.set(team)
        changed.append("care_team")
    audit_record(
        actor=by, action="update", request=request, client=current, target=current, detail={"fields": changed}
    )
    return current


@transaction.atomic
def client_set_status(*, client: Client, by: User, status: str, request=None) -> Client:
    client.status = status
    client.version += 1
    client.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=by,
        action="archive" if status == Client.Status.ARCHIVED else "restore",
        request=request,
        client=client,
        target=client,
    )
    return client


@transaction.atomic
def health_screen_record(
    *,
    client: Client,
    by: User,
    answers: dict[str, tuple[bool, str]],
    medications: str = "",
    notes: str = "",
    consent_given: bool = False,
    request=None,
) -> HealthScreen:
    """Record a complete screen: every question answered yes or no, with details."""
    missing = [code for code in BY_CODE if code not in answers]
    if missing:
        raise ValidationError({code: "Answer yes or no." for code in missing})
    screen = HealthScreen(client=client, recorded_by=by, medications=medications, notes=notes)
    screen.full_clean()
    screen.save()
    ScreenAnswer.objects.bulk_create(
        ScreenAnswer(screen=screen, question=code, answer=answer, details=details[:500])
        for code, (answer, details) in answers.items()
        if code in BY_CODE
    )
    if consent_given:
        Consent.objects.create(client=client, recorded_by=by, text_version=CONSENT_TEXT_VERSION)
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


@transaction.atomic
def user_update(*, user: User, by: User, data: dict[str, Any], request=None) -> User:
    before = (user.is_therapist, user.is_clinic_admin, user.is_active)
    for key in (
        "first_name",
        "last_name",
        "email",
        "credentials",
        "is_therapist",
        "is_clinic_admin",
        "is_active",
    ):
        if key in data:
            setattr(user, key, data[key])
    if user.pk == by.pk and not (user.is_clinic_admin and user.is_active):
        raise ValidationError("You cannot remove your own admin role or deactivate yourself.")
    user.full_clean()
    user.save()
    after = (user.is_therapist, user.is_clinic_admin, user.is_active)
    if before != after:
        audit_record(
            actor=by,
            action="role_change",
            request=request,
            target=user,
            detail={"therapist": user.is_therapist, "admin": user.is_clinic_admin, "active": user.is_active},
        )
    return user


def _reencode_image(upload) -> ContentFile:
    """Validate an uploaded image and re-encode it as PNG: strips EXIF and any
    payload hidden in the original file."""
    if upload.size > settings.KC_MAX_IMAGE_BYTES:
        raise ValidationError({"logo": "The image is larger than 5 MB."})
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as img:
            if img.width * img.height > 40_000_000:
                raise ValidationError({"logo": "The image has too many pixels."})
            img.thumbnail((1200, 1200))
            clean = img.convert("RGBA") if img.mode in ("P", "LA", "RGBA") else img.convert("RGB")
            out = io.BytesIO()
            clean.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError({"logo": "This file is not a valid image."}) from exc
    return ContentFile(out.getvalue())


@transaction.atomic
def clinic_profile_update(
    *, by: User, data: dict[str, Any], logo=None, remove_logo=False, request=None
) -> ClinicProfile:
    profile = ClinicProfile.load()
    for key in ("name", "address", "phone", "email", "website", "paper_size"):
        if key in data:
            setattr(profile, key, data[key])
    if remove_logo and profile.logo:
        profile.logo.delete(save=False)
    if logo is not None:
        content = _reencode_image(logo)
        profile.logo.save(f"logo-{timezone.now():%Y%m%d%H%M%S}.png", content, save=False)
    profile.full_clean()
    profile.save()
    audit_record(actor=by, action="update", request=request, target=profile)
    return profile
