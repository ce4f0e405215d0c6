"""What the admins' home page says: emergency access to review, slowed sign-ins, bulk
exports and bursts of refused access (a ``home_notice``, registered by the trust app)."""

from __future__ import annotations

from clinic.models import EmergencyAccess
from core.composition import Section
from trust import bulk_export, throttle
from trust.denials import denial_bursts


def admin_security_notices() -> dict | None:
    """None when there is nothing to tell (three queries either way)."""
    slowed = throttle.slowed_accounts()
    exports = bulk_export.recent_confirmations()
    if not slowed and not exports:
        return None
    return {"slowed": slowed, "bulk_exports": exports}


def home_notice(*, user) -> Section | None:
    """The admins' alerts at the top of their home page; nothing for anyone else."""
    if not user.is_clinic_admin:
        return None
    return Section(
        template="trust/_home_notices.html",
        context={
            # Told here until someone reviews it.
            "emergency_to_review": EmergencyAccess.objects.unreviewed().count(),
            # Slowed sign-ins and bulk exports, here as well as by email.
            "security_notices": admin_security_notices(),
            # Anyone refused many records in a short time.
            "denial_bursts": denial_bursts(),
        },
        order=0,
    )
