"""Sign-in, sign-out, lockout and two-factor authentication.

The login page is Django's, extended to write audit rows for success and
failure. django-axes counts failures per (username, IP) and calls
``lockout_response`` while a pair is locked. Second factors are django-otp
devices: one TOTP authenticator per user plus single-use recovery codes.
"""

from __future__ import annotations

import base64
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing

from audit.log import audit_record, client_ip
from audit.models import AuditEvent
from clinic import services
from clinic.models import User
from clinic.reauth import REAUTH_KEY, confirm_password
from trust import throttle
from trust.forms import OTPTokenForm, ReauthForm, SignInForm
from trust.middleware import (
    SESSION_HAS_DEVICE_KEY,
    has_confirmed_device,
    second_factor_required,
    start_session_clocks,
)

RECOVERY_CODE_COUNT = 10


@receiver(user_logged_in, dispatch_uid="kc_start_session_clocks")
def _on_login(sender, request, user, **kwargs):
    # Session bookkeeping, not business logic: it must run for every sign-in,
    # including the test client's force_login, so it hangs on Django's signal.
    if request is not None and hasattr(request, "session"):
        start_session_clocks(request, user)
        # Entering the password to sign in is a fresh authentication.
        request.session[REAUTH_KEY] = time.time()


TOTP_DEVICE_NAME = "Authenticator app"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


# --- Sign in / out -----------------------------------------------------------


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    """Password step. A user who needs a second factor is sent on to it by
    ``TwoFactorMiddleware`` before any other page."""

    authentication_form = SignInForm

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        self.known_device = throttle.is_known_device(request, username)
        if ip_ceiling_reached(request):
            audit_record(
                actor=None,
                action="lockout",
                request=request,
                outcome="denied",
                detail={"scope": "ip", "username": _loggable_username(request.POST.get("username", ""))},
            )
            return render(
                request, "registration/lockout.html", {"cooloff_minutes": 60, "per_ip": True}, status=429
            )
        wait = throttle.seconds_to_wait(username, known_device=self.known_device)
        if wait:
            # Refused before any password is checked, with the same answer for every
            # account name, real or not.
            audit_record(
                actor=None,
                action="login_throttled",
                request=request,
                outcome="denied",
                detail={"username": _loggable_username(username), "wait_seconds": wait},
            )
            form = self.get_form_class()(request, initial={"username": username[:150]})
            response = render(
                request,
                self.template_name,
                {"form": form, "throttle_message": throttled_message(wait)},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)  # logs in, rotates the session key, starts the clocks
        user = form.get_user()
        needs_otp = second_factor_required(user, self.request.session)
        audit_record(actor=user, action="login", request=self.request, detail={"second_factor": needs_otp})
        unseen = throttle.record_success(user, known_device=self.known_device)
        if unseen is not None:
            messages.warning(
                self.request,
                throttle.failed_attempts_sentence(unseen.unseen_failures, unseen.unseen_since)
                + " If that was not you, tell your clinic's admin.",
            )
        if user.must_change_password:
            services.user_temporary_password_use(user=user)
        if needs_otp:
            target = "otp_verify" if has_confirmed_device(user, self.request.session) else "otp_setup"
            response = redirect(f"{reverse(target)}?{urlencode({'next': self.get_success_url()})}")
        elif user.must_change_password:
            response = redirect("password_change")
        throttle.remember_device(self.request, response, user.get_username())
        return response

    def form_invalid(self, form):
        if not getattr(self.request, "axes_locked_out", False):
            username = self.request.POST.get("username", "")
            audit_record(
                actor=None,
                action="login_failed",
                request=self.request,
                outcome="denied",
                detail={"username": _loggable_username(username)},
            )
            if _wrong_password(form):
                throttle.record_failure(username, known_device=self.known_device)
        return super().form_invalid(form)


def throttled_message(wait: int) -> str:
    minutes, seconds = divmod(wait, 60)
    span = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
    return (
        "There have been too many failed attempts to sign in to this account. "
        f"Wait {span}, then try again. Signing in from a computer you have used before is not slowed."
    )


def _wrong_password(form) -> bool:
    """The form failed on the credentials (not on a missing field)."""
    errors = form.errors.as_data().get("__all__", [])
    return any(e.code == "invalid_login" for e in errors)


def ip_ceiling_reached(request) -> bool:
    """Password spraying (a few guesses at many usernames) never trips the
    per-username lock, so one address also has an hourly ceiling on failures
    (ASVS: at most 100 failed attempts an hour)."""

    ip = client_ip(request)
    if ip is None:
        return False
    limit = getattr(settings, "KC_LOGIN_IP_HOURLY_LIMIT", 100)
    since = timezone.now() - timedelta(hours=1)
    failures = AuditEvent.objects.filter(action="login_failed", at__gte=since, ip=ip)
    return failures[:limit].count() >= limit


def _loggable_username(raw: str) -> str:
    """Usernames typed at the login page are attacker-controlled: keep them short
    and free of control characters so they cannot forge log lines."""
    return "".join(ch if ch.isprintable() else "?" for ch in raw)[:150]


def lockout_response(request, original_response=None, credentials=None):
    """django-axes calls this while a (username, IP) pair is locked out."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    audit_record(
        actor=None,
        action="lockout",
        request=request,
        outcome="denied",
        detail={"username": _loggable_username(username)},
    )

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/lockout.html", {"cooloff_minutes": minutes}, status=429)


@require_POST
def logout_view(request):
    audit_record(actor=request.user, action="logout", request=request)
    logout(request)  # deletes the server-side session: replaying the old cookie gets the login page
    response = redirect("login")
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@login_not_required
@require_GET
def admin_login(request):
    """The stock admin login would sign in without the second factor: send it to ours."""
    return redirect(f"{reverse('login')}?{urlencode({'next': _safe_next(request, 'admin:index')})}")


@method_decorator(sensitive_post_parameters(), name="dispatch")
class PasswordChangeView(auth_views.PasswordChangeView):
    """Needs the current password; other sessions of the user end (Django
    rotates the session auth hash), this one stays signed in."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["forced"] = user.must_change_password
        context["forced_notice"] = _temporary_password_notice(user) if user.must_change_password else ""
        return context

    def form_valid(self, form):
        was_forced = self.request.user.must_change_password
        response = super().form_valid(form)
        services.user_password_changed(user=self.request.user, was_forced=was_forced)
        messages.success(self.request, "Password changed. Your other sessions were signed out.")
        return response


def _temporary_password_notice(user) -> str:

    event = (
        AuditEvent.objects.filter(action="password_set", object_type="clinic.user", object_id=str(user.pk))
        .order_by("-id")
        .first()
    )
    if event is None:
        first = "Your account was set up with a temporary password."
    else:
        when = timezone.localtime(event.at)
        first = (
            f"An admin ({event.actor_username}) set a temporary password for your account "
            f"on {when:%d %b %Y at %H:%M}."
        )
    return f"{first} Choose your own password to continue: nothing else opens until you do."


class PasswordChangeRequiredMiddleware:
    """A user signed in with a password an admin set reaches nothing but the
    change-password page (and sign-out) until they choose their own, so the
    temporary password never opens a client's record."""

    ALLOWED_URL_NAMES = {
        "password_change",
        "logout",
        "admin_logout",
        "login",
        "otp_verify",
        "otp_setup",
        "healthz",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return None
        match = getattr(request, "resolver_match", None)
        # The namespaced name: the admin site's own "password_change" is not this page.
        if match is not None and match.view_name in self.ALLOWED_URL_NAMES:
            return None
        url = reverse("password_change")
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse("Choose a new password first.", status=401)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def reauth(request):
    form = ReauthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if confirm_password(request, form.cleaned_data["password"]):
            return redirect(_safe_next(request, "home"))
        form.add_error("password", "That password is not right.")
    return render(request, "trust/reauth.html", {"form": form, "next": request.GET.get("next", "")})


# --- Two-factor authentication ------------------------------------------------


def qr_svg(text: str, *, size: int = 200) -> str:
    """A QR code as inline SVG, drawn by ReportLab: no outside service sees the secret."""
    widget = QrCodeWidget(text, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    svg = renderSVG.drawToString(drawing)
    return svg[svg.index("<svg") :]


PENDING_KEY = "kc_totp_pending_key"


def _pending_totp_device(request) -> TOTPDevice:
    """An unsaved device whose secret waits in the session until the user proves
    it with a first code, so opening the page writes nothing."""

    key = request.session.get(PENDING_KEY)
    if not key:
        key = request.session[PENDING_KEY] = random_hex(20)
    return TOTPDevice(user=request.user, name=TOTP_DEVICE_NAME, key=key, confirmed=False)


def _first_code_matches(device: TOTPDevice, token: str) -> bool:
    """Check the enrolment code without saving anything on failure (the device
    model's own verify_token would store the unsaved device to throttle it)."""
    try:
        value = int(token)
    except ValueError:
        return False
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    generator.time = time.time()
    if not generator.verify(value, device.tolerance):
        return False
    device.last_t = generator.t()  # the enrolment code cannot be replayed at sign-in
    return True


def _base32_key(device: TOTPDevice) -> str:

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@transaction.atomic
def otp_enrol_confirm(*, user: User, device: TOTPDevice, request=None) -> list[str]:
    """Save a verified TOTP device and issue fresh single-use recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.save()
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [secrets.token_hex(5) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    audit_record(actor=user, action="mfa_enrol", request=request, target=user)
    if request is not None:
        request.session[SESSION_HAS_DEVICE_KEY] = True
    return codes


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    user = request.user
    if user_has_device(user, confirmed=True):
        return render(request, "trust/otp_status.html", {"enabled": True})
    device = _pending_totp_device(request)
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _first_code_matches(device, form.cleaned_data["otp_token"]):
            codes = otp_enrol_confirm(user=user, device=device, request=request)
            request.session.pop(PENDING_KEY, None)
            otp_login(request, device)
            return render(
                request,
                "trust/otp_recovery_codes.html",
                {"codes": codes, "next": _safe_next(request, "home")},
            )
        audit_record(
            actor=user, action="mfa_fail", request=request, outcome="denied", detail={"step": "enrol"}
        )
        form.add_error("otp_token", "That code did not match. Check the clock on your phone and try again.")
    return render(
        request,
        "trust/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg(device.config_url),
            "secret": _base32_key(device),
            "required": second_factor_required(user),
            "next": request.GET.get("next", ""),
        },
    )


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_safe_next(request, "home"))
    if not user_has_device(user, confirmed=True):
        return redirect("otp_setup")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["otp_token"]
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(token):
                otp_login(request, device)
                request.session.cycle_key()
                audit_record(
                    actor=user,
                    action="mfa_verify",
                    request=request,
                    detail={"method": "recovery_code" if isinstance(device, StaticDevice) else "totp"},
                )
                return redirect(_safe_next(request, "home"))
        audit_record(
            actor=user, action="mfa_fail", request=request, outcome="denied", detail={"step": "verify"}
        )
        form.add_error("otp_token", "That code is not valid (codes can be used once).")
    return render(request, "trust/otp_verify.html", {"form": form, "next": request.GET.get("next", "")})
