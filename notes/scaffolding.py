"""Template scaffolding left in a note: placeholders and headings with nothing after them.

A note must not be signed while it still says "First-step pain from _/10 to _/10" or carries a
template's bare "Medications:" heading. Pure functions: text in, plain-language problems out.
"""

from __future__ import annotations

import re

# A run of underscores standing on its own ("_", "__/10", "from _ to _"), not one inside a word.
PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9])_+(?![A-Za-z0-9])")
# A heading: a short label ending in a colon, alone on its line ("Medications:", "Re-test: ").
HEADING = re.compile(r"^\s*([^:\n]{1,60}):\s*$")
# A heading with its answer on the same line is fine ("Since last visit: better"); only the label
# followed by nothing, before the next heading or the end, counts as scaffolding.


def placeholders(text: str) -> list[str]:
    """The lines of ``text`` that still hold a placeholder, as typed."""
    return [line.strip() for line in text.splitlines() if PLACEHOLDER.search(line)]


def empty_headings(text: str) -> list[str]:
    """Headings of ``text`` with nothing written under or after them."""
    empty: list[str] = []
    pending: str | None = None
    for line in text.splitlines():
        match = HEADING.match(line)
        if match:
            if pending is not None:
                empty.append(pending)
            pending = match.group(1).strip() + ":"
        elif line.strip():
            pending = None
    if pending is not None:
        empty.append(pending)
    return empty


def scaffolding_problem(label: str, text: str) -> str:
    """One plain message naming what is left of the template in one field, or ""."""
    held = placeholders(text)
    if held:
        return f"{label} still has a blank to fill in: “{_short(held[0])}”. Fill it in or delete it."
    empty = empty_headings(text)
    if empty:
        listed = ", ".join(f"“{_short(h)}”" for h in empty[:3])
        more = f" and {len(empty) - 3} more" if len(empty) > 3 else ""
        return (
            f"{label} still has template headings with nothing after them: {listed}{more}. "
            "Fill them in or delete them."
        )
    return ""


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
