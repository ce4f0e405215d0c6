from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django_otp import user_has_device

from audit.log import audit_record
from trust.denials import denial_record


class DenialAuditMiddleware:
    """Every refusal of a record (a 404 raised by a view for a signed-in user on
    a route that names a record, or inside the Django admin) is written to the
    audit log as a security event: see ``trust.denials``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):

        if isinstance(exception, Http404):
            denial_record(request, exception)
        return None


class NoStoreMiddleware:
    """Client data must not linger in browser or proxy caches: every response to a
    signed-in user is ``Cache-Control: no-store`` unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store"
        return response


BACKGROUND_HEADER = "HTTP_X_KC_BACKGROUND"
SESSION_STARTED_KEY = "kc_started_at"
SESSION_ACTIVITY_KEY = "kc_last_activity"
SESSION_HAS_DEVICE_KEY = "kc_has_otp_device"
# The last-activity stamp is rewritten at most this often, so ordinary page
# views do not each cost a session write; the idle limit is exact to within it.
ACTIVITY_GRANULARITY_S = 60


def start_session_clocks(request, user) -> None:
    """Called at every sign-in (also by the test client's force_login): start
    the idle and absolute clocks and remember whether the user has a second
    factor, so the per-request checks cost no query."""

    now = time.time()
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_ACTIVITY_KEY] = now
    request.session[SESSION_HAS_DEVICE_KEY] = user_has_device(user, confirmed=True)


def is_background(request) -> bool:
    """Autosave and polling requests announce themselves with X-KC-Background: 1."""
    return request.META.get(BACKGROUND_HEADER) == "1"


class SessionTimeoutMiddleware:
    """Server-side automatic logoff.

    A session ends after ``SESSION_IDLE_SECONDS`` without a real request, and in
    any case ``SESSION_ABSOLUTE_SECONDS`` after sign-in. Background requests
    (``X-KC-Background: 1``) are served while the session is alive but never
    extend it, so an open page that autosaves or polls cannot keep an
    unattended screen signed in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.get(SESSION_STARTED_KEY)
            last = session.get(SESSION_ACTIVITY_KEY)
            if started is None or last is None:
                # A session from before this middleware, or a test login: start the clocks now.
                session[SESSION_STARTED_KEY] = started = now
                session[SESSION_ACTIVITY_KEY] = last = now
            idle = getattr(settings, "SESSION_IDLE_SECONDS", 15 * 60)
            absolute = getattr(settings, "SESSION_ABSOLUTE_SECONDS", 12 * 3600)
            reason = None
            if now - last > idle:
                reason = "idle"
            elif now - started > absolute:
                reason = "absolute"
            if reason is not None:
                return self._expire(request, reason)
            if not is_background(request) and now - last >= ACTIVITY_GRANULARITY_S:
                session[SESSION_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _expire(self, request, reason: str):

        audit_record(actor=request.user, action="session_timeout", request=request, detail={"reason": reason})
        logout(request)
        login_url = resolve_url(settings.LOGIN_URL)
        if request.headers.get("HX-Request") == "true":
            # htmx follows HX-Redirect even on an error status; the 401 tells
            # autosave code that nothing was saved.
            response = HttpResponse("Your session has ended. Sign in again.", status=401)
            response["HX-Redirect"] = login_url
            return response
        messages.info(request, "You were signed out after a period of inactivity. Sign in again.")
        return redirect_to_login(request.get_full_path(), login_url)


def second_factor_required(user, session=None) -> bool:
    """True when this user must pass a second factor before using the app:
    everyone who has enrolled a device, and admins when the clinic requires it.
    With a session, the has-a-device answer recorded at sign-in is used."""
    if has_confirmed_device(user, session):
        return True
    return bool(getattr(settings, "KC_ADMIN_2FA_REQUIRED", False)) and is_admin_role(user)


def has_confirmed_device(user, session=None) -> bool:

    if session is not None and SESSION_HAS_DEVICE_KEY in session:
        return bool(session[SESSION_HAS_DEVICE_KEY])
    has_device = user_has_device(user, confirmed=True)
    if session is not None:
        session[SESSION_HAS_DEVICE_KEY] = has_device
    return has_device


def is_admin_role(user) -> bool:
    return bool(user.is_clinic_admin or user.is_staff or user.is_superuser)


class TwoFactorMiddleware:
    """Signed in with a password but not yet verified with a second factor:
    only the 2FA pages and sign-out are reachable. Covers /admin/ as well."""

    ALLOWED_URL_NAMES = {"otp_verify", "otp_setup", "logout", "login", "healthz"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if user.is_verified():
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name in self.ALLOWED_URL_NAMES:
            return None
        if not second_factor_required(user, request.session):
            return None
        target = "otp_verify" if has_confirmed_device(user, request.session) else "otp_setup"
        url = f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=401)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
