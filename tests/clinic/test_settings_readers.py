"""The typed environment readers of the settings module fail loudly on bad values."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.settings import env_bool, env_int, env_list, env_str


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1", True),
        ("TRUE", True),
        (" yes ", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("KC_TEST_FLAG", raw)
    assert env_bool("KC_TEST_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["ture", "2", "enabled", "y es"])
def test_env_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("KC_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="KC_TEST_FLAG must be a boolean"):
        env_bool("KC_TEST_FLAG", False)


def test_env_bool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("KC_TEST_FLAG", raising=False)
    assert env_bool("KC_TEST_FLAG", True) is True


def test_env_int_reads_an_integer(monkeypatch):
    monkeypatch.setenv("KC_TEST_INT", "42")
    assert env_int("KC_TEST_INT", 1) == 42


@pytest.mark.parametrize("raw", ["forty", "4.5", "", "10s"])
def test_env_int_refuses_a_non_integer(monkeypatch, raw):
    monkeypatch.setenv("KC_TEST_INT", raw)
    with pytest.raises(ImproperlyConfigured, match="KC_TEST_INT must be an integer"):
        env_int("KC_TEST_INT", 1)


def test_env_int_refuses_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("KC_TEST_INT", "3")
    with pytest.raises(ImproperlyConfigured, match="at least 8"):
        env_int("KC_TEST_INT", 12, minimum=8)


def test_env_int_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("KC_TEST_INT", raising=False)
    assert env_int("KC_TEST_INT", 7) == 7


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("KC_TEST_LIST", " clinic.example , ,localhost ")
    assert env_list("KC_TEST_LIST", []) == ["clinic.example", "localhost"]


def test_env_str_prefers_the_file_variant(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("KC_TEST_SECRET", "from-the-environment")
    monkeypatch.setenv("KC_TEST_SECRET_FILE", str(secret))
    assert env_str("KC_TEST_SECRET", "") == "from-a-file"


def test_env_str_fails_loudly_on_an_unreadable_file(monkeypatch, tmp_path):
    monkeypatch.setenv("KC_TEST_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="KC_TEST_SECRET_FILE: cannot read"):
        env_str("KC_TEST_SECRET", "")


def test_the_page_cache_is_bounded_local_memory_unless_a_redis_address_is_given():
    from clinic.settings import page_cache_from_env

    local = page_cache_from_env("", 500)
    assert local["BACKEND"].endswith("LocMemCache") and local["OPTIONS"]["MAX_ENTRIES"] == 500
    shared = page_cache_from_env("redis://127.0.0.1:6379/3", 500)
    assert shared == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3",
    }
    with pytest.raises(ImproperlyConfigured, match="KC_CACHE_URL"):
        page_cache_from_env("memcached://127.0.0.1:11211", 500)
