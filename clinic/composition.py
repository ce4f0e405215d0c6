"""Pages that gather from every app: the client chart and the home dashboard.

This is the one module that sees all apps. It knows them only by the names of
their ``chart`` modules; each one offers

    chart_section(*, client, user) -> Section | None
    home_section(*, user) -> Section | None
    note_section(*, note, user) -> Section | None   (shown on a visit note page)

and is called only for users who may read the client's clinical content.
Everything else in ``clinic`` stays below the other apps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string

SECTION_MODULES = ("assessments.chart", "notes.chart", "programs.chart")


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


def _collect(func_name: str, **kwargs) -> list[Section]:
    sections = []
    for module in SECTION_MODULES:
        try:
            func = import_string(f"{module}.{func_name}")
        except ImportError:
            continue
        section = func(**kwargs)
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
