"""The registry the apps fill when they start, for everything that gathers from every app.

Apps register what they add from their ``AppConfig.ready``:

    composition.register("notes", chart_section=..., home_section=..., note_section=...,
                         export_records=..., restore_check=..., text_limits=..., demo_seed=...)
    composition.register("notes", order=10, export_pdf_part=...)

with

    chart_section(*, client, user) -> Section | None
    chart_desk_section(*, client, user) -> Section | None   (the chart of a user who sees the
                                                             client but no clinical content)
    home_section(*, user) -> Section | None
    note_section(*, note, user) -> Section | None   (shown on a visit note page)
    export_records(client) -> {model label: [record, ...]}   (the full-record export, JSON)
    export_pdf_part(client) -> flowables(styles, width)       (its section of the printout)
    restore_check() -> RestoreCheck                           (what a restore drill proves works)
    text_limits() -> {model label: {field: characters}}       (``core.textlimits``)
    demo_seed(*, clients, therapists) -> None                 (``manage.py seed_demo``)
    portal_home_section(*, link) -> Section | None            (the client's own home page)
    adherence_prefill(*, client, items, since) -> {item id: AdherencePrefill}
                                                              (the next note's adherence, prefilled)

Sections are called only for users who may read the client's clinical content. The lower
layers never name the apps above them, and nothing is looked up by name at run time: a
mistake in an app's module stops the app from starting instead of hiding its part.

``order`` places an app's entries among the others' (lower first; the default keeps the
order the apps started in, INSTALLED_APPS order): the printout reads visits before
assessments, although assessments start first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "chart_section",
    "chart_desk_section",
    "home_section",
    "note_section",
    "export_records",
    "export_pdf_part",
    "restore_check",
    "text_limits",
    "demo_seed",
    "portal_home_section",
    "adherence_prefill",
)
DEFAULT_ORDER = 50
# kind -> [(app label, provider)], by order, then in the order the apps started.
REGISTRY: dict[str, list[tuple[str, Callable[..., Any]]]] = {kind: [] for kind in KINDS}
_ORDER: dict[tuple[str, str], int] = {}


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


@dataclass
class RestoreCheck:
    """What a restore drill checks of one app in the restored copy: row counts by plain
    name, and PDF renderers to run on its newest records (each returns the PDF, or None
    when there is nothing to render). The counts are taken when the check is called; the
    renderers run one by one, so one failure does not hide the others."""

    counts: dict[str, int] = field(default_factory=dict)
    pdfs: dict[str, Callable[[], bytes | None]] = field(default_factory=dict)


def register(app_label: str, *, order: int = DEFAULT_ORDER, **providers: Callable[..., Any]) -> None:
    """Register an app's providers; registering the same app and kind again replaces its entry."""
    unknown = set(providers) - set(KINDS)
    if unknown:
        raise TypeError(f"unknown section kinds: {', '.join(sorted(unknown))}")
    for kind, provider in providers.items():
        if not callable(provider):
            raise TypeError(f"{app_label} registers {kind} as something that cannot be called: {provider!r}")
        _ORDER[(kind, app_label)] = order
        entries = [entry for entry in REGISTRY[kind] if entry[0] != app_label]
        entries.append((app_label, provider))
        # A stable sort: equal orders keep the order the apps registered in.
        REGISTRY[kind] = sorted(entries, key=lambda entry: _ORDER.get((kind, entry[0]), DEFAULT_ORDER))


def registry_only(*app_labels: str) -> dict[str, list[tuple[str, Callable[..., Any]]]]:
    """The registry narrowed to some apps (tests pin each app's own queries with it)."""
    return {
        kind: [entry for entry in entries if entry[0] in app_labels] for kind, entries in REGISTRY.items()
    }


def providers(kind: str) -> list[tuple[str, Callable[..., Any]]]:
    """Every app's provider of one kind, as (app label, provider), in order."""
    if kind not in KINDS:
        raise TypeError(f"unknown section kind: {kind}")
    return list(REGISTRY[kind])


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


def chart_desk_sections(*, client, user) -> list[Section]:
    """Sections for the chart of a user who may see the client but not their clinical
    content (the front desk): never anything clinical."""
    return _collect("chart_desk_section", client=client, user=user)


def home_sections(*, user) -> list[Section]:
    return _collect("home_section", user=user)


def note_sections(*, note, user) -> list[Section]:
    """Sections other apps add to a visit note page (e.g. home-program adherence)."""
    return _collect("note_section", note=note, user=user)


def portal_home_sections(*, link) -> list[Section]:
    """Sections other apps add to the client's own home page (the link's client only)."""
    return _collect("portal_home_section", link=link)


@dataclass(frozen=True)
class AdherencePrefill:
    """What a client logged for one program exercise, offered to the therapist as
    the next note's adherence: days done in the last week and the worst pain
    response, with a plain sentence of where it came from."""

    days_per_week: int
    pain_response: str
    summary: str


def adherence_prefill(*, client, items, since) -> dict[int, AdherencePrefill]:
    """Prefills by program item id from every app that keeps a log (first one wins)."""
    merged: dict[int, AdherencePrefill] = {}
    for _app_label, provider in REGISTRY["adherence_prefill"]:
        for item_id, prefill in (provider(client=client, items=items, since=since) or {}).items():
            merged.setdefault(item_id, prefill)
    return merged
