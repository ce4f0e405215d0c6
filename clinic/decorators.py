from __future__ import annotations

from functools import wraps

from django.http import Http404


def admin_required(view):
    """Admin-only pages answer 404 to everyone else, so they do not confirm they exist."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_clinic_admin:
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return wrapper


def therapist_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_therapist:
            raise Http404("Not found")
        return view(request, *args, **kwargs)

    return wrapper
