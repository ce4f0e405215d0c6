"""Re-authentication before high-impact actions (signing, exports): the password entered
again within the last few minutes (ASVS 7.5). The domain apps ask for it when they sign;
the page that asks for it is ``trust.auth.reauth``."""

from __future__ import annotations

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate, logout
from django.shortcuts import redirect
from django.urls import reverse

from audit.log import audit_record

REAUTH_KEY = "kc_reauth_at"


def recently_reauthenticated(request) -> bool:
    at = request.session.get(REAUTH_KEY)
    return at is not None and time.time() - at <= getattr(settings, "KC_REAUTH_SECONDS", 300)


def reauth_required(view):
    """For exports, signing and other high-impact actions: the password must
    have been entered again within the last few minutes (ASVS 7.5)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not recently_reauthenticated(request):
            return redirect(f"{reverse('reauth')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapper


def sign_refusal(request, *, wrong: str, refuse, ask: str = "Confirm your password to sign."):
    """Signing (and accepting a client's answers, which signs) needs a recent authentication:
    without one, the ``password`` sent with the form re-authenticates at once. None when the
    user may go on; otherwise the answer: the sign-in page when too many wrong passwords
    ended the session, else ``refuse(message)`` with ``wrong`` (a password that is not
    right) or ``ask`` (none given), for the page to show with 403."""
    if recently_reauthenticated(request):
        return None
    password = request.POST.get("password", "")
    if password and confirm_password(request, password, purpose="sign"):
        return None
    if not request.user.is_authenticated:  # too many wrong passwords: signed out
        return redirect("login")
    return refuse(wrong if password else ask)


def confirm_password(request, password: str, *, purpose: str = "") -> bool:
    """Check the signed-in user's password again. Right: the session counts as
    freshly authenticated from now. Wrong: audited, and counted by django-axes
    (through authenticate()), so guessing here locks out like the login page;
    once locked, the session ends."""
    detail = {"purpose": purpose} if purpose else None
    user = None
    if password:
        user = authenticate(request, username=request.user.get_username(), password=password)
    if user is not None and user.pk == request.user.pk:
        request.session[REAUTH_KEY] = time.time()
        audit_record(actor=request.user, action="reauth", request=request, detail=detail)
        return True
    audit_record(actor=request.user, action="reauth_failed", request=request, outcome="denied", detail=detail)
    if getattr(request, "axes_locked_out", False):
        logout(request)  # too many wrong passwords: the session ends; the next page is the login
    return False
