"""What the admins' home page says about sign-in guessing and bulk exports."""

from __future__ import annotations

from clinic import bulk_export, throttle


def admin_security_notices() -> dict | None:
    """None when there is nothing to tell (three queries either way)."""
    slowed = throttle.slowed_accounts()
    exports = bulk_export.recent_confirmations()
    if not slowed and not exports:
        return None
    return {"slowed": slowed, "bulk_exports": exports}
