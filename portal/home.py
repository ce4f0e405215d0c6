"""The client's home page: the program's section (core.composition portal_home_section)."""

from __future__ import annotations

from core.composition import Section
from programs.models import ProgramVersion


def program_section(*, link) -> Section | None:
    version = ProgramVersion.objects.for_client(link.client_id).latest_issued()
    return Section(template="portal/_home_program.html", context={"version": version}, order=10)
