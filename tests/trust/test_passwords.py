"""Password storage and rules (AUTH-2, AUTH-5)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient

from clinic.models import User
from tests.trust.conftest import login

pytestmark = pytest.mark.django_db

REAL_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def test_argon2_is_the_configured_hasher():
    from clinic import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_stored_password_is_an_argon2_hash(settings):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    user = User.objects.create_user(username="hashme", password="correct horse battery")
    assert user.password.startswith("argon2$argon2id$")
    assert "correct horse battery" not in user.password


def test_an_old_pbkdf2_hash_is_upgraded_to_argon2_at_sign_in(settings):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    user = User.objects.create_user(username="legacy")
    user.password = make_password("correct horse battery", hasher="pbkdf2_sha256")
    user.save()
    assert login(HttpClient(), "legacy", "correct horse battery").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_a_long_passphrase_with_spaces_is_accepted():
    validate_password("the quick brown fox jumps over the lazy dog near the river bank!")  # 64 chars


@pytest.mark.parametrize("weak", ["password123", "short7!", "12345678901234"])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_no_composition_rules_are_imposed():
    names = {v["NAME"].rsplit(".", 1)[-1] for v in settings.AUTH_PASSWORD_VALIDATORS}
    assert "MinimumLengthValidator" in names
    assert "CommonPasswordValidator" in names
    validate_password("all lower case words only here")
