"""Kinetic Chart settings: one module, read from the environment.

Every setting has a safe development default. Typed readers raise
ImproperlyConfigured on a malformed value, so a typo fails at start-up
instead of silently turning a "false" into True.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import xstatic.pkg.bootstrap
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE: cannot read {file_path}: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false/1/0), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_path(name: str) -> Path | None:
    """A path named by the environment, or None when unset or empty. The file is
    not read here: it is checked where it is used (e.g. only by the backup job)."""
    raw = os.environ.get(name, "").strip()
    return Path(raw) if raw else None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET = "insecure-development-key-do-not-use-in-production-kinetic-chart"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) is required when DEBUG is off")
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must not be the development key when DEBUG is off")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "heroicons",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "audit",
    "clinic",
    "assessments",
    "notes",
    "programs",
    "portal",
    "reports",
    "previsit",
    "trust",
]
# The benchmark's app (``manage.py seed_scale``) lives in bench/, beside the apps but not
# shipped with them: installed only where that folder is, as in a checkout.
if (BASE_DIR / "bench" / "apps.py").is_file():
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The request's part of every audit row (address), for services that take only the actor.
    "audit.context.AuditContextMiddleware",
    # Before anything reads the body: an oversized document upload is dropped unread.
    "clinic.middleware.DocumentUploadLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The client's own view (c/<token>/) never uses the staff session.
    "portal.middleware.ClientViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits run before anything that would treat
    # the request as signed in.
    "trust.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "trust.middleware.TwoFactorMiddleware",
    # After the second factor: a temporary password reaches only the change-password page.
    "trust.auth.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "trust.middleware.NoStoreMiddleware",
    # Writes an audit row for every refused record (a 404 from a view).
    "trust.middleware.DenialAuditMiddleware",
    # A domain rule's refusal no view caught: its status and plain message, never a 500.
    "core.http.DomainErrorMiddleware",
    # Last, as django-axes asks: it turns a lockout flag into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
AUTH_USER_MODEL = "clinic.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# Absent DATABASE_URL: an embedded SQLite file in the project folder, in WAL
# mode with a busy timeout and IMMEDIATE transactions, so concurrent writers
# queue instead of failing with "database is locked". synchronous=FULL: a
# committed clinical note survives a power cut, not only an application crash.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
SQLITE_PATH = Path(env_str("KC_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")))
SQLITE_BUSY_TIMEOUT_S = env_int("KC_SQLITE_BUSY_TIMEOUT", 20, minimum=1)

if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL)
    except Exception as exc:  # dj-database-url raises several types
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from exc
    if not _db.get("ENGINE"):
        raise ImproperlyConfigured("DATABASE_URL has an unknown scheme")
else:
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(SQLITE_PATH)}

if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "timeout": SQLITE_BUSY_TIMEOUT_S,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=FULL;"
            f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000};"
            "PRAGMA foreign_keys=ON;"
        ),
    }
    # Persistent connections on SQLite too: opening the file, running the
    # PRAGMAs and re-reading the schema cost about 8 ms of every request.
    _db["CONN_MAX_AGE"] = env_int("KC_CONN_MAX_AGE", 60)
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Persistent connections: opening one per request doubled a list page's time.
    _db["CONN_MAX_AGE"] = env_int("KC_CONN_MAX_AGE", 60)
    _db["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL (or be absent for SQLite)")

DATABASES = {"default": _db}

# --- Cache ----------------------------------------------------------------
# Rendered page bodies (clinic.page_cache), keyed by the client's record version,
# which the database bumps in every writing transaction: a cache never serves a page
# from before a write, whichever backend holds it. Unset: local memory in each worker
# process, bounded. KC_CACHE_URL=redis://host:6379/0 shares one cache between app
# servers (Django's own Redis backend; needs the redis package).
KC_CACHE_URL = env_str("KC_CACHE_URL", "")
KC_CACHE_MAX_ENTRIES = env_int("KC_CACHE_MAX_ENTRIES", 2000, minimum=10)


def page_cache_from_env(url: str, max_entries: int) -> dict:
    """The page cache's settings: local memory (bounded) when ``url`` is empty, else Redis."""
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "kc-pages",
            "OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_FREQUENCY": 4},
        }
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured("KC_CACHE_URL must be a redis:// address (or be unset for local memory)")


_pages_cache = page_cache_from_env(KC_CACHE_URL, KC_CACHE_MAX_ENTRIES)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kc-default"},
    "pages": {**_pages_cache, "KEY_PREFIX": "kc", "TIMEOUT": 60 * 60 * 24},
}

# Recovery point objective: restore_drill fails when the newest backup is older
# than this, so a backup job that silently stopped is noticed within a day.
KC_BACKUP_RPO_HOURS = env_int("KC_BACKUP_RPO_HOURS", 24, minimum=1)

# Backup encryption with GnuPG (CFG-6). Only the paths are kept: the passphrase is
# handed to gpg as a file and never enters the settings (or a debug page), and the
# web server need not be able to read it. A public key file means the host never
# holds what decrypts the backups.
KC_BACKUP_PASSPHRASE_FILE = env_path("KC_BACKUP_PASSPHRASE_FILE")
KC_BACKUP_GPG_RECIPIENT_FILE = env_path("KC_BACKUP_GPG_RECIPIENT_FILE")
KC_BACKUP_REQUIRE_ENCRYPTION = env_bool("KC_BACKUP_REQUIRE_ENCRYPTION", False)
if os.environ.get("KC_BACKUP_PASSPHRASE"):
    # Refused rather than ignored, so nobody believes their backups are encrypted when they are not.
    raise ImproperlyConfigured(
        "KC_BACKUP_PASSPHRASE is not read: put the passphrase in a file and set KC_BACKUP_PASSPHRASE_FILE"
    )

# The audit log's key (audit.log): every audit row, every published head and every
# backup's checksum is signed with it (HMAC-SHA256), so someone who can write the
# database or the backup folder, but cannot read this key, cannot forge them.
# KC_AUDIT_KEY_FILE: the first non-empty line is the current key; any further lines are
# retired keys, kept only to verify what they signed. KC_AUDIT_KEY: one key. Unset: a
# key derived from DJANGO_SECRET_KEY (and SECRET_KEY_FALLBACKS for older rows), which
# works with no configuration but ties the log to the secret key: set a key of its own.
AUDIT_KEY_MIN_LENGTH = 32


def audit_keys_from_env() -> list[str]:
    """The audit keys named by the environment, current first; [] when none is set."""
    if os.environ.get("KC_AUDIT_KEY_FILE") and os.environ.get("KC_AUDIT_KEY"):
        raise ImproperlyConfigured("Set KC_AUDIT_KEY_FILE or KC_AUDIT_KEY, not both")
    source = "KC_AUDIT_KEY_FILE" if os.environ.get("KC_AUDIT_KEY_FILE") else "KC_AUDIT_KEY"
    raw = env_str("KC_AUDIT_KEY", "")
    keys = [line.strip() for line in raw.splitlines() if line.strip()]
    if source == "KC_AUDIT_KEY_FILE" and not keys:
        raise ImproperlyConfigured("KC_AUDIT_KEY_FILE holds no key (its first non-empty line is the key)")
    if source == "KC_AUDIT_KEY" and len(keys) > 1:
        raise ImproperlyConfigured(
            "KC_AUDIT_KEY holds one key; retired keys go on further lines of KC_AUDIT_KEY_FILE"
        )
    for number, key in enumerate(keys, start=1):
        if len(key) < AUDIT_KEY_MIN_LENGTH:
            where = f"line {number} of KC_AUDIT_KEY_FILE" if source == "KC_AUDIT_KEY_FILE" else "KC_AUDIT_KEY"
            raise ImproperlyConfigured(
                f"The audit key ({where}) is shorter than {AUDIT_KEY_MIN_LENGTH} characters"
            )
    return keys


KC_AUDIT_KEYS = audit_keys_from_env()
# Where audit_publish_head (and every backup) appends the signed head of the audit log;
# unset: audit-heads.log in the default backup folder. Best on another host or on
# write-once storage, so whoever can write the database cannot rewrite it.
KC_AUDIT_HEAD_FILE = env_path("KC_AUDIT_HEAD_FILE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------
# django-axes runs first so a locked-out (username, IP) pair never reaches the
# password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Brute-force lockout (django-axes). The key is the (username, IP) pair, so an
# attacker cannot lock a colleague out from another address, and a lock lifts
# by itself after the cool-off. The IP is the TCP peer (REMOTE_ADDR) only: a
# client-supplied X-Forwarded-For is never trusted. Behind a reverse proxy the
# proxy must set REMOTE_ADDR (e.g. gunicorn --forwarded-allow-ips with a
# trusted proxy), not the application.
AXES_FAILURE_LIMIT = env_int("KC_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KC_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "audit.log.client_ip"
AXES_LOCKOUT_CALLABLE = "trust.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token", "token"]
AXES_VERBOSE = False
# Password spraying (a few guesses at many usernames from one address) is
# capped per IP and hour as well; ASVS caps guessing at 100 failures an hour.
KC_LOGIN_IP_HOURLY_LIMIT = env_int("KC_LOGIN_IP_HOURLY_LIMIT", 100, minimum=10)
# Per-account throttle (trust.throttle), across every address and server: after
# KC_LOGIN_ACCOUNT_FREE_FAILURES failures of one account name, each further attempt
# waits KC_LOGIN_ACCOUNT_DELAY_SECONDS, doubling with every failure up to
# KC_LOGIN_ACCOUNT_MAX_DELAY_SECONDS. A run of failures ends after
# KC_LOGIN_ACCOUNT_WINDOW_MINUTES without one. Never a lock: the right password
# works once the wait is over, and at once from a browser the account has signed
# in from before (a signed device cookie, kept KC_LOGIN_DEVICE_COOKIE_DAYS).
KC_LOGIN_ACCOUNT_FREE_FAILURES = env_int("KC_LOGIN_ACCOUNT_FREE_FAILURES", 5, minimum=1)
KC_LOGIN_ACCOUNT_DELAY_SECONDS = env_int("KC_LOGIN_ACCOUNT_DELAY_SECONDS", 30, minimum=1)
KC_LOGIN_ACCOUNT_MAX_DELAY_SECONDS = env_int("KC_LOGIN_ACCOUNT_MAX_DELAY_SECONDS", 900, minimum=1)
KC_LOGIN_ACCOUNT_WINDOW_MINUTES = env_int("KC_LOGIN_ACCOUNT_WINDOW_MINUTES", 60, minimum=1)
KC_LOGIN_DEVICE_COOKIE_DAYS = env_int("KC_LOGIN_DEVICE_COOKIE_DAYS", 180, minimum=1)

# Client links (the client's own view, portal/): how long a new link lasts, and the rate
# limits on guessing links and dates of birth and on flooding the log (portal.throttle).
KC_PORTAL_LINK_WEEKS = env_int("KC_PORTAL_LINK_WEEKS", 8, minimum=1)
KC_PORTAL_WINDOW_MINUTES = env_int("KC_PORTAL_WINDOW_MINUTES", 60, minimum=1)
KC_PORTAL_ADDRESS_FAILURES = env_int("KC_PORTAL_ADDRESS_FAILURES", 20, minimum=3)
KC_PORTAL_BIRTH_DATE_FAILURES = env_int("KC_PORTAL_BIRTH_DATE_FAILURES", 5, minimum=1)
KC_PORTAL_ENTRIES_PER_WINDOW = env_int("KC_PORTAL_ENTRIES_PER_WINDOW", 200, minimum=10)
# Bulk export: a user's complete-record exports of more than this many clients
# within the window need a second confirmation with a written reason, and the
# other admins are told. The confirmation lasts KC_BULK_EXPORT_CONFIRM_MINUTES.
KC_BULK_EXPORT_LIMIT = env_int("KC_BULK_EXPORT_LIMIT", 3, minimum=0)
KC_BULK_EXPORT_WINDOW_MINUTES = env_int("KC_BULK_EXPORT_WINDOW_MINUTES", 60, minimum=1)
KC_BULK_EXPORT_CONFIRM_MINUTES = env_int("KC_BULK_EXPORT_CONFIRM_MINUTES", 60, minimum=1)
# Exports, signing a note or an assessment, and opening emergency access need
# the password entered within this many seconds (signing in counts).
KC_REAUTH_SECONDS = env_int("KC_REAUTH_SECONDS", 300, minimum=30)
# Emergency ("break-glass") access: how long one grant lasts before it closes by itself.
KC_BREAK_GLASS_MINUTES = env_int("KC_BREAK_GLASS_MINUTES", 60, minimum=1)

# Outgoing mail (admins are told when emergency access is opened). The default
# prints messages to the console, so nothing leaves the machine until a real
# backend is configured, e.g. django.core.mail.backends.smtp.EmailBackend.
EMAIL_BACKEND = env_str("KC_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("KC_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("KC_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("KC_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("KC_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KC_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("KC_DEFAULT_FROM_EMAIL", "kinetic-chart@localhost")

# Two-factor authentication (django-otp, TOTP + single-use recovery codes).
# Required for the admin role (and for /admin/) when KC_ADMIN_2FA_REQUIRED is
# on; offered to therapists. The default follows DEBUG: on in production, off
# in development so the demo logins work straight after `make run` without an
# authenticator app. Production must never run with it off.
KC_ADMIN_2FA_REQUIRED = env_bool("KC_ADMIN_2FA_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = env_str("KC_OTP_ISSUER", "Kinetic Chart")
OTP_TOTP_THROTTLE_FACTOR = 1

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("KC_PASSWORD_MIN_LENGTH", 12, minimum=8)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions live in the database (never signed cookies), so logging out, a
# password change or a deactivation really ends them. The idle and absolute
# limits are enforced server-side by trust.middleware.SessionTimeoutMiddleware;
# requests marked X-KC-Background: 1 (autosave, polling) do not count as activity.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("KC_SESSION_ABSOLUTE_SECONDS", 12 * 3600, minimum=60)
SESSION_ABSOLUTE_SECONDS = SESSION_COOKIE_AGE
SESSION_IDLE_SECONDS = env_int("KC_SESSION_IDLE_SECONDS", 15 * 60, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("KC_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("KC_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded files (logo, exercise illustrations) are served through a
# login-protected view, never straight from MEDIA_URL.
MEDIA_ROOT = Path(env_str("KC_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
KC_MAX_IMAGE_BYTES = env_int("KC_MAX_IMAGE_BYTES", 5 * 1024 * 1024, minimum=1024)
# Largest client list (CSV) accepted by the client import.
KC_IMPORT_MAX_BYTES = env_int("KC_IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Documents attached to a client (referral letters, imaging reports, signed paper
# consent forms, photos): the largest file accepted, the largest picture in pixels
# (a small file can unpack to a huge picture), and the folder they are kept in:
# never served by the web server, only through the access-checked download view.
KC_DOCUMENT_MAX_BYTES = env_int("KC_DOCUMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
KC_DOCUMENT_MAX_PIXELS = env_int("KC_DOCUMENT_MAX_PIXELS", 50_000_000, minimum=1_000_000)
# Unset: a "documents" folder inside KC_MEDIA_ROOT (decided where used, so a changed
# MEDIA_ROOT carries the documents with it).
KC_DOCUMENT_ROOT = env_path("KC_DOCUMENT_ROOT")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security headers -----------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
_secure_default = not DEBUG
SESSION_COOKIE_SECURE = env_bool("KC_SECURE_COOKIES", _secure_default)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("KC_SSL_REDIRECT", _secure_default)
SECURE_HSTS_SECONDS = env_int("KC_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env_bool("KC_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if SESSION_COOKIE_SECURE:
    # Browser-enforced: sent only over HTTPS, for this exact host, on path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# Content-Security-Policy (django-csp 4). No inline script anywhere: every
# script is a static file. Style *attributes* are allowed because the SVG
# charts ReportLab renders carry presentation attributes as inline styles;
# <style> elements stay forbidden (htmx's indicator <style> is switched off in
# base.html with includeIndicatorStyles=false). Images may be data: URIs for
# Bootstrap's built-in SVG icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Logging --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A client link's token never reaches the log (core.logredact).
    "filters": {"redact_client_links": {"()": "core.logredact.RedactClientLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_client_links"]}},
    "root": {"handlers": ["console"], "level": env_str("KC_LOG_LEVEL", "WARNING")},
    # The audit log's published heads (one INFO line each) reach the central log too.
    "loggers": {"clinic.audit": {"level": "INFO"}},
}

# Templates are compiled once per process outside DEBUG (Django's default
# cached loader); keep it explicit so a benchmark never runs uncached.
if not DEBUG:
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        )
    ]
