"""Pages that gather from every app: the client chart and the home dashboard.

Apps above ``clinic`` register what they add when they start (their ``AppConfig.ready``):

    composition.register("notes", chart_section=..., home_section=..., note_section=...)

with

    chart_section(*, client, user) -> Section | None
    home_section(*, user) -> Section | None
    note_section(*, note, user) -> Section | None   (shown on a visit note page)

called only for users who may read the client's clinical content. ``clinic`` never names
the apps above it, and nothing is looked up by name at request time: a mistake in an
app's section module stops the app from starting instead of hiding its section.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("chart_section", "home_section", "note_section")
# kind -> [(app label, provider)], in the order the apps started (INSTALLED_APPS order).
REGISTRY: dict[str, list[tuple[str, Callable[..., Any]]]] = {kind: [] for kind in KINDS}


@dataclass
class Section:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 50
    # Fields of the visit-note form this section records instead (a note section
    # only): the note page leaves them out of its form, so they are entered once.
    replaces_note_fields: tuple[str, ...] = ()
    # The chart's tab that jumps to this section: its label, the section's element id and an icon.
    tab: tuple[str, str, str] | None = None
    # What the section showed, added to the page's one audit row (e.g. the documents listed).
    audit: dict[str, Any] = field(default_factory=dict)


def register(app_label: str, **providers: Callable[..., Any]) -> None:
    """Register an app's section providers; registering the same app twice replaces its entries."""
    unknown = set(providers) - set(KINDS)
    if unknown:
        raise TypeError(f"unknown section kinds: {', '.join(sorted(unknown))}")
    for kind, provider in providers.items():
        entries = [entry for entry in REGISTRY[kind] if entry[0] != app_label]
        REGISTRY[kind] = [*entries, (app_label, provider)]


def registry_only(*app_labels: str) -> dict[str, list[tuple[str, Callable[..., Any]]]]:
    """The registry narrowed to some apps (tests pin each app's own queries with it)."""
    return {
        kind: [entry for entry in entries if entry[0] in app_labels] for kind, entries in REGISTRY.items()
    }


def _collect(kind: str, **kwargs) -> list[Section]:
    sections = []
    for _app_label, provider in REGISTRY[kind]:
        section = provider(**kwargs)
        if section is not None:
            sections.append(section)
    sections.sort(key=lambda s: s.order)
    return sections


def chart_sections(*, client, user) -> list[Section]:
    return _collect("chart_section", client=client, user=user)


def home_sections(*, user) -> list[Section]:
    return _collect("home_section", user=user)


def note_sections(*, note, user) -> list[Section]:
    """Sections other apps add to a visit note page (e.g. home-program adherence)."""
    return _collect("note_section", note=note, user=user)
