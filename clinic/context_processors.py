from __future__ import annotations


def navigation(request) -> dict:
    from clinic.auth import recently_reauthenticated

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_admin": user.is_clinic_admin,
        "nav_is_therapist": user.is_therapist,
        # Whether the password was entered recently: forms that sign ask for it only when not.
        "reauth_fresh": recently_reauthenticated(request),
    }
