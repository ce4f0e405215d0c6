"""The audit log in plain words: "Sam Okafor viewed the chart of Maya Thornbury".

Record types are named from each model's own verbose name, so this module never names the apps
above it; an action without a phrase here still reads as words, never as a code.
"""

from __future__ import annotations

from django.apps import apps

from clinic.models import Client

VERBS = {
    "view": "viewed",
    "query": "searched",
    "list": "listed",
    "create": "added",
    "update": "changed",
    "sign": "signed",
    "addendum": "added an addendum to",
    "append": "added to",
    "delete": "removed",
    "issue": "issued",
    "revoke": "revoked",
    "print": "printed",
    "export": "exported",
    "download": "downloaded",
    "entered_in_error": "marked as entered in error",
    "disclose": "recorded a disclosure of",
    "accounting": "printed the accounting of disclosures of",
    "archive": "archived",
    "restore": "restored",
    "consent_withdraw": "recorded a withdrawal of consent of",
    "break_glass_start": "opened emergency access to",
    "safety_override": "overrode the safety rules, giving a reason, in",
    "access_denied": "was refused",
    "signature_mismatch": "was warned that someone changed, after signing,",
    "request": "asked for",
    "submit": "sent",
    "accept": "accepted",
    "confirm": "confirmed",
    "discard": "discarded",
}
# Events about the user themselves or the system: a whole phrase, no record named.
PHRASES = {
    "login": "signed in",
    "login_failed": "failed to sign in",
    "lockout": "was paused after too many failed sign-ins",
    "logout": "signed out",
    "session_timeout": "was signed out after a period of inactivity",
    "mfa_enrol": "set up two-factor sign-in",
    "mfa_verify": "passed the second sign-in step",
    "mfa_fail": "failed the second sign-in step",
    "password_change": "changed a password",
    "user_create": "created a user account",
    "role_change": "changed a user's roles",
    "audit_view": "opened the audit log",
    "backup": "took a backup",
    "restore_backup": "restored a backup",
    "restore_drill": "ran a restore drill",
    "audit_verify_failed": "found that the audit log fails its check (edited, deleted or forged events)",
    "audit_chain_keyed": "started signing the audit log with the audit key",
    "reauth": "confirmed their password",
    "reauth_failed": "gave a wrong password when asked to confirm it",
    "break_glass_end": "ended emergency access",
    "break_glass_expired": "had emergency access end at its time limit",
    "break_glass_review": "reviewed an emergency access",
    "login_throttled": "was asked to wait after many failed sign-ins to one account",
    "password_set": "set a temporary password for a user",
    "temporary_password_used": "signed in with a temporary password",
    "bulk_export_confirm": "confirmed exporting many complete records, giving a reason",
    "import_preview": "uploaded a client list from another system, for its preview",
    "import": "imported clients from a client list",
    "report_preview": "printed a progress report preview for a period, not saved as a record",
    "client_link_view": "opened a page of the client's own view with a client link",
    "client_link_confirm": "confirmed the date of birth on a client link, on a new device",
    "client_link_refused": "was refused a client link",
    "client_log": "logged home exercises with a client link",
}
HIDDEN_DETAIL_KEYS = {"hash", "prev_hash", "supervisee"}


def action_label(action: str) -> str:
    """A filter label: "Viewed", "Signed in", ..."""
    words = VERBS.get(action) or PHRASES.get(action) or action.replace("_", " ")
    return words[:1].upper() + words[1:]


def record_name(object_type: str) -> str:
    """ "visit note" for the visit-note model's label; plain words for an unknown label."""
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type.rsplit(".", 1)[-1].replace("_", " ")


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def sentence(*, action: str, actor: str, object_type: str, client: str) -> str:
    """One event as a sentence a clinic manager reads without a manual."""
    who = actor or "Someone"
    if action in PHRASES:
        text = f"{who} {PHRASES[action]}"
        return f"{text} (record of {client})" if client else text
    verb = VERBS.get(action, action.replace("_", " "))
    if object_type == Client._meta.label_lower:
        if action == "view":
            return f"{who} viewed the chart of {client or 'a client'}"
        return f"{who} {verb} the client record of {client or 'a client'}"
    noun = record_name(object_type)
    if noun and client:
        return f"{who} {verb} {_article(noun)} of {client}"
    if noun:
        return f"{who} {verb} {_article(noun)}"
    if client:
        return f"{who} {verb} the record of {client}"
    return f"{who} {verb}"


def _value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or value == "":
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{_key(k)} {_value(v)}" for k, v in value.items()) or "—"
    return str(value)


def _key(key: str) -> str:
    return str(key).replace("_", " ")


def detail_lines(detail: dict | None) -> list[str]:
    """The event's details as short "what: value" lines, never as raw JSON."""
    if not detail:
        return []
    return [f"{_key(k)}: {_value(v)}" for k, v in sorted(detail.items()) if k not in HIDDEN_DETAIL_KEYS]
