"""Small pieces of the design system used by templates: icons and the client header's flag counts.

Icons are Heroicons, shipped inside the ``heroicons`` package and drawn inline as SVG: no font
file, no request of their own, and they take the text colour of what they sit in."""

from __future__ import annotations

from django import template
from heroicons.templatetags.heroicons import heroicon_mini

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = "") -> str:
    """A 20 px icon beside text. Decorative (hidden from screen readers) unless given a label."""
    attrs = {"class": "kc-icon", "focusable": "false"}
    if label:
        # The icon package marks every icon aria-hidden="true"; a labelled one must be exposed.
        attrs.update({"role": "img", "aria_label": label, "aria_hidden": "false"})
    else:
        attrs["aria_hidden"] = "true"
    return heroicon_mini(name, size=20, **attrs)


@register.filter
def flag_counts(flags) -> dict[str, int]:
    """How many banner flags of each level: {"red": n, "amber": n}."""
    counts = {"red": 0, "amber": 0}
    for flag in flags or ():
        severity = getattr(flag, "severity", None)
        if severity in counts:
            counts[severity] += 1
    return counts
