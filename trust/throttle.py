"""Per-account sign-in throttle, across addresses and server processes.

django-axes refuses a (user name, address) pair after a few failures; an
attacker with many addresses never trips it. This throttle counts failures per
account name in the database (so every server behind the load balancer sees
the same count) and, past a few free attempts, makes each further attempt wait
an interval that doubles with every failure, up to a ceiling. Attempts during
the wait are refused without checking the password and do not lengthen it.

It is never a lock: the right password works as soon as the wait is over, and
at once from a browser the account has signed in from before (a signed device
cookie), so a stranger cannot keep a colleague out from their own computer.
The account and the admins are told when a run of failures passes the free
attempts, and the account sees the count at its next sign-in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from clinic.models import User
from trust.models import SignInThrottle

DEVICE_COOKIE_SALT = "trust.throttle.device"
DEVICE_COOKIE_MAX_NAMES = 5
FORGET_AFTER_DAYS = 90


def account_key(username: str) -> str:
    """The throttle's key for a typed account name. A NUL, which no account name holds
    and PostgreSQL text cannot store, becomes U+FFFD so the lookup never fails."""
    return (username or "").replace("\x00", "\ufffd").strip().lower()[:150]


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` failures in one run (0 while free)."""
    extra = failures - settings.KC_LOGIN_ACCOUNT_FREE_FAILURES
    if extra < 0:
        return 0
    ceiling = settings.KC_LOGIN_ACCOUNT_MAX_DELAY_SECONDS
    return min(ceiling, settings.KC_LOGIN_ACCOUNT_DELAY_SECONDS * 2 ** min(extra, 30))


def _window() -> timedelta:
    return timedelta(minutes=settings.KC_LOGIN_ACCOUNT_WINDOW_MINUTES)


# --- the device cookie ---------------------------------------------------------------


def device_cookie_name() -> str:
    # Browser-enforced host and path binding wherever cookies are HTTPS-only.
    return "__Host-kc_device" if settings.SESSION_COOKIE_SECURE else "kc_device"


def _device_names(request) -> list[str]:
    raw = request.COOKIES.get(device_cookie_name())
    if not raw:
        return []
    try:
        value = signing.loads(
            raw,
            salt=DEVICE_COOKIE_SALT,
            max_age=timedelta(days=settings.KC_LOGIN_DEVICE_COOKIE_DAYS),
        )
    except signing.BadSignature:
        return []
    names = value.get("u") if isinstance(value, dict) else None
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def is_known_device(request, username: str) -> bool:
    """True when this browser has signed in to this account before."""
    return account_key(username) in _device_names(request)


def remember_device(request, response, username: str) -> None:
    """After a successful sign-in: this browser is now known for this account."""
    key = account_key(username)
    names = [key] + [n for n in _device_names(request) if n != key]
    response.set_cookie(
        device_cookie_name(),
        signing.dumps({"u": names[:DEVICE_COOKIE_MAX_NAMES]}, salt=DEVICE_COOKIE_SALT),
        max_age=settings.KC_LOGIN_DEVICE_COOKIE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- the throttle ----------------------------------------------------------------------


def seconds_to_wait(username: str, *, known_device: bool, now: datetime | None = None) -> int:
    """0 when this attempt may check the password; else the seconds left to wait.

    Past the free attempts only one attempt is let through each time the wait
    ends: it takes the slot with a conditional UPDATE, so two servers cannot
    both let a guess through at the same moment."""
    now = now or timezone.now()
    row = SignInThrottle.objects.filter(username=account_key(username)).first()
    if row is None or row.last_failure_at is None or row.last_failure_at < now - _window():
        return 0
    if row.failures < settings.KC_LOGIN_ACCOUNT_FREE_FAILURES:
        return 0
    if known_device and row.device_failures < settings.KC_LOGIN_ACCOUNT_FREE_FAILURES:
        return 0
    # Hold the slot for as long as the next wait would be; a failure or a success
    # moves it again straight after the password check.
    hold = now + timedelta(seconds=delay_after(row.failures))
    taken = (
        SignInThrottle.objects.filter(pk=row.pk)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=hold)
    )
    if taken:
        return 0
    current = SignInThrottle.objects.filter(pk=row.pk).values_list("next_attempt_at", flat=True).first()
    if current is None or current <= now:
        return 0
    return max(1, math.ceil((current - now).total_seconds()))


@dataclass(frozen=True)
class Run:
    username: str
    failures: int
    unseen_failures: int
    unseen_since: datetime | None
    wait_seconds: int


def record_failure(username: str, *, known_device: bool, now: datetime | None = None) -> Run:
    """Count a wrong password for this account name (existing or not)."""
    now = now or timezone.now()
    key = account_key(username)
    free = settings.KC_LOGIN_ACCOUNT_FREE_FAILURES
    with transaction.atomic():
        row, _ = SignInThrottle.objects.select_for_update(no_key=True).get_or_create(username=key)
        if row.last_failure_at is None or row.last_failure_at < now - _window():
            row.failures = 0
            row.device_failures = 0
        row.failures += 1
        if known_device:
            row.device_failures += 1
        row.last_failure_at = now
        wait = delay_after(row.failures)
        row.next_attempt_at = now + timedelta(seconds=wait) if wait else None
        row.unseen_failures += 1
        if row.unseen_since is None:
            row.unseen_since = now
        tell = row.failures >= free and (row.notified_at is None or row.notified_at < now - _window())
        if tell:
            row.notified_at = now
        row.save()
        run = Run(key, row.failures, row.unseen_failures, row.unseen_since, wait)
        # Guessing at made-up names leaves rows behind: forget those long quiet.
        SignInThrottle.objects.filter(last_failure_at__lt=now - timedelta(days=FORGET_AFTER_DAYS)).delete()
        if tell:
            transaction.on_commit(lambda: notify_slowed(run))
    return run


def record_success(user: User, *, known_device: bool) -> Run | None:
    """The account signed in. Returns the failures it has not been told of yet
    (shown once, at this sign-in). A sign-in from a known browser leaves the
    wait of other browsers as it is: the guesser is elsewhere."""
    key = account_key(user.get_username())
    with transaction.atomic():
        row = SignInThrottle.objects.select_for_update(no_key=True).filter(username=key).first()
        if row is None:
            return None
        unseen = Run(key, row.failures, row.unseen_failures, row.unseen_since, 0)
        row.unseen_failures = 0
        row.unseen_since = None
        row.device_failures = 0
        if not known_device:
            row.failures = 0
            row.next_attempt_at = None
            row.notified_at = None
        row.save()
    return unseen if unseen.unseen_failures else None


def failed_attempts_sentence(count: int, since: datetime | None) -> str:
    when = f" since {timezone.localtime(since):%d %b %Y %H:%M}" if since else ""
    attempts = "failed attempt" if count == 1 else "failed attempts"
    return f"There {'was' if count == 1 else 'were'} {count} {attempts} to sign in to your account{when}."


def _admin_emails(*, exclude_pk: int | None = None) -> list[str]:
    admins = User.objects.filter(is_clinic_admin=True, is_active=True).exclude(email="")
    if exclude_pk is not None:
        admins = admins.exclude(pk=exclude_pk)
    return list(admins.order_by("pk").values_list("email", flat=True))


def notify_slowed(run: Run) -> None:
    """Email the account and the admins that guessing at it is being slowed.
    Unknown account names are shown on the admins' home page only, so guessing
    at many made-up names cannot flood anyone's inbox."""
    user = User.objects.filter(username__iexact=run.username, is_active=True).first()
    if user is None:
        return
    sentence = failed_attempts_sentence(run.unseen_failures, run.unseen_since)
    if user.email:
        send_mail(
            subject="Kinetic Chart: failed attempts to sign in to your account",
            message=(
                f"{sentence}\n\nFurther attempts are being slowed down. Your password still works, and "
                "signing in from a computer you have used before is not slowed.\n"
                "If these attempts were not you, tell your clinic's admin and change your password.\n"
            ),
            from_email=None,
            recipient_list=[user.email],
            fail_silently=True,  # the home page notice and the audit rows stand even if mail is down
        )
    admins = _admin_emails(exclude_pk=user.pk)
    if admins:
        send_mail(
            subject="Kinetic Chart: sign-in attempts slowed for an account",
            message=(
                f"{run.failures} failed attempts to sign in as {user.username} in a row. Further attempts "
                "for this account are being slowed down; the account is not locked.\n"
            ),
            from_email=None,
            recipient_list=admins,
            fail_silently=True,
        )


def slowed_accounts(*, hours: int = 24) -> list[dict]:
    """For the admins' home page: account names whose failures passed the free
    attempts within the last ``hours``, newest first (two queries)."""
    since = timezone.now() - timedelta(hours=hours)
    rows = list(
        SignInThrottle.objects.filter(
            failures__gte=settings.KC_LOGIN_ACCOUNT_FREE_FAILURES, last_failure_at__gte=since
        ).order_by("-last_failure_at")[:20]
    )
    real = set(
        User.objects.annotate(key=Lower("username"))
        .filter(key__in=[r.username for r in rows])
        .values_list("key", flat=True)
    )
    return [
        {
            "username": r.username,
            "failures": r.failures,
            "last_failure_at": r.last_failure_at,
            "is_account": r.username in real,
        }
        for r in rows
    ]
