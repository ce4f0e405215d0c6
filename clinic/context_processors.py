from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from clinic.reauth import recently_reauthenticated
from clinic.selectors import active_emergency_grants


def navigation(request) -> dict:

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    may_break_glass = bool(user.is_therapist and user.may_break_glass)
    context = {
        "nav_is_admin": user.is_clinic_admin,
        "nav_is_therapist": user.is_therapist,
        "nav_may_break_glass": may_break_glass,
        "nav_emergency_grants": (),
        # Whether the password was entered recently: forms that sign ask for it only when not.
        "reauth_fresh": recently_reauthenticated(request),
    }
    if may_break_glass:
        # Only therapists allowed to break the glass pay this query, and only on
        # pages that render the layout: every page then shows the open grants.
        context["nav_emergency_grants"] = SimpleLazyObject(lambda: active_emergency_grants(user))
    return context
