"""Reads shared by several views of the clinic app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property

from clinic.care_team_version import visible_total
from clinic.models import Client, Consent, EmergencyAccess, HealthScreen
from clinic.screening import AMBER, CURRENT_QUESTION_SET, LOCAL, RED, Flag, flags_from_answers, questions_for


def current_flags(client: Client) -> list[Flag]:
    """Red, amber and local flags from the client's latest health screen (2 queries)."""
    screen = HealthScreen.objects.latest_for(client)
    if screen is None:
        return []
    return flags_from_answers(screen.answers.all(), screen.question_set)


def banner_flags(client: Client) -> list[Flag]:
    """Only the flags that belong in the banner above every chart and note."""
    return [f for f in current_flags(client) if f.severity in (RED, AMBER)]


@dataclass
class IntakeSummary:
    """What the chart shows of the intake: the latest screen, its flags split into
    banner (red, amber) and local ones, and the latest consent."""

    screen: HealthScreen | None
    consent: Consent | None
    banner: list[Flag] = field(default_factory=list)
    local: list[Flag] = field(default_factory=list)


def intake_summary(client: Client) -> IntakeSummary:
    """Latest screen, its answers, latest consent with its recorder (3 queries)."""
    screen = HealthScreen.objects.latest_for(client)
    flags = flags_from_answers(screen.answers.all(), screen.question_set) if screen is not None else []
    return IntakeSummary(
        screen=screen,
        consent=client.consents.select_related("recorded_by").first(),
        banner=[f for f in flags if f.severity in (RED, AMBER)],
        local=[f for f in flags if f.severity == LOCAL],
    )


def home_clients(user):
    """The signed-in user's own clients for the home page: a therapist's active
    care-team clients; for an admin who is not a therapist, every active client."""
    clients = Client.objects.visible_to(user).active().for_list()
    if user.is_therapist and user.is_clinic_admin:
        # The clinic owner sees every client in the list, but home shows their own.
        clients = clients.filter(care_team=user)
    return clients


SEARCH_SORT_LIMIT = 500


class KnownTotalPaginator(Paginator):
    """A paginator given its total, so it runs no count of its own."""

    def __init__(self, object_list, per_page, *, total: int):
        super().__init__(object_list, per_page)
        self.total = total

    @cached_property
    def count(self) -> int:
        return self.total


def client_search_page(
    user, *, page_number, per_page: int, text: str = "", list_version: tuple | None = None, **filters
) -> Page:
    """One page of the /clients/ list, in name order (2 queries at any size).

    Without search text, the name-order index yields the page directly. A
    search for part of a name, phone or e-mail can use no index, and walking
    that index in name order to find the matches read every client; so the
    matching ids and names are read in one pass over the user's own clients
    (driven by the care-team index for a therapist), sorted here, and the
    page's rows fetched by id. Past SEARCH_SORT_LIMIT matches the database
    sorts after all (one more query). ``list_version``: the care-team version, when the
    caller has read it already (``care_team_version.current``)."""
    clients = client_search(user, text=text, **filters)
    if not (text or "").strip():
        # The total is kept per care-team version: the page costs the version (a
        # one-row read) instead of counting every visible client.
        parts = (getattr(filters.get("therapist"), "pk", None), filters.get("status", "active"))
        total = visible_total(user, clients, parts=parts, known=list_version)
        return KnownTotalPaginator(clients, per_page, total=total).get_page(page_number)
    matches = list(
        clients.order_by().values_list(Lower("last_name"), Lower("first_name"), "id")[: SEARCH_SORT_LIMIT + 1]
    )
    if len(matches) > SEARCH_SORT_LIMIT:
        return Paginator(clients, per_page).get_page(page_number)
    page = Paginator([pk for *_name, pk in sorted(matches)], per_page).get_page(page_number)
    rows = Client.objects.filter(pk__in=list(page.object_list)).select_related("primary_therapist").in_bulk()
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
    return page


def client_search(user, *, text: str = "", therapist=None, status: str = "active"):
    """The /clients/ list: what the user may see, searched and filtered.
    ``status`` is "active", "archived" or "all"."""
    clients = Client.objects.visible_to(user).search(text).for_list()
    if therapist is not None:
        clients = clients.filter(care_team=therapist)
    if status != "all":
        clients = clients.filter(status=status)
    return clients


EMERGENCY_SEARCH_LIMIT = 10


def emergency_search(*, name: str, date_of_birth) -> list[Client]:
    """Active clients matching a name and an exact date of birth, for the
    emergency access page: every client of the clinic, at most a handful."""
    return list(
        Client.objects.active()
        .search(name)
        .filter(date_of_birth=date_of_birth)
        .for_list()[:EMERGENCY_SEARCH_LIMIT]
    )


def emergency_grants_of(user, *, limit: int = 20) -> list[EmergencyAccess]:
    """A therapist's own grants, newest first, with their clients (1 query)."""
    return list(
        EmergencyAccess.objects.filter(user=user)
        .select_related("client")
        .order_by("-started_at", "-id")[:limit]
    )


def active_emergency_grants(user) -> list[EmergencyAccess]:
    """The user's open, unexpired grants with their clients (1 query), for the banner."""
    return list(
        EmergencyAccess.objects.active_for(user).select_related("client").order_by("expires_at", "id")
    )


@dataclass
class ScreenPage:
    """One screen with every question of its own version and the answer given."""

    screen: HealthScreen
    rows: list[tuple]  # (question, answer or None)
    current: bool


def screen_page(client: Client, screen_pk: int) -> ScreenPage:
    """A client's screen by id (404 for another client's), with its answers (2 queries)."""

    screen = get_object_or_404(
        HealthScreen.objects.filter(client=client).select_related("recorded_by"), pk=screen_pk
    )
    answers = {a.question: a for a in screen.answers.all()}
    rows = [(q, answers.get(q.code)) for q in questions_for(screen.question_set)]
    return ScreenPage(screen=screen, rows=rows, current=screen.question_set == CURRENT_QUESTION_SET)


def break_glass_detail(*, user, client_id, detail: dict[str, Any]) -> dict[str, Any]:
    """Mark a row written while the user holds emergency access to this client
    with the grant's id. Only users allowed to break the glass pay the lookup;
    for everyone else this costs no query."""
    if user is None or client_id is None or "break_glass" in detail:
        return detail
    if not getattr(user, "may_break_glass", False):
        return detail
    grant_id = (
        EmergencyAccess.objects.active_for(user)
        .filter(client_id=client_id)
        .values_list("pk", flat=True)
        .first()
    )
    return {**detail, "break_glass": grant_id} if grant_id else detail
