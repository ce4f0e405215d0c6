"""Page data for programs: what the builder, a version page and the handout need,
gathered in a fixed number of queries so templates and the handout renderer never query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from clinic.authorship import may_act_as_author
from clinic.models import Client, ClinicProfile, User
from clinic.selectors import banner_flags
from core.pdf import Letterhead
from programs import services
from programs.forms import (
    AddItemForm,
    AdherenceForm,
    IssueForm,
    ItemForm,
    LibrarySearchForm,
    OverrideForm,
)
from programs.handout import HandoutData, program_for_handout
from programs.models import (
    SENSIBLE_EXERCISE_COUNT,
    Adherence,
    Exercise,
    PainMonitoringRule,
    ProgramItem,
    ProgramVersion,
    ReferralOption,
)
from programs.selectors import (
    builder_signals,
    items_of,
    latest_findings,
    previous_issued,
    recent_visits,
    suggestions_for,
    version_diff,
)

LIBRARY_PAGE = 60
# The builder lists this many suggestions; the rest fold away under "More".
SUGGESTIONS_SHOWN = 5
# "Add the top suggestions" fills a draft up to this many exercises.
SUGGESTED_AT_ONCE = 4


# --- The builder -----------------------------------------------------------------------


@dataclass
class ItemRow:
    """A draft item as the builder shows it: its dosage form, the exercise's
    cautions, and what the client's safety rules say about it."""

    item: ProgramItem
    form: ItemForm
    conflicts: list[str]
    needs_override: list[str]
    override_form: OverrideForm | None


@dataclass
class Refusal:
    """An exercise the safety rules refused, offered again with a reason box."""

    exercise: Exercise
    form: AddItemForm


def builder_panel(
    client: Client,
    *,
    user: User,
    visit: str | None = None,
    errors: dict | None = None,
    refused: Refusal | None = None,
) -> dict:
    """Everything the builder panel shows. A fixed number of queries. ``visit`` is
    the visit the issue form offers first; ``errors`` maps an item to the input it
    refused, so what was typed stays in that item's form."""
    versions = ProgramVersion.objects.for_client(client)
    draft = versions.drafts().first()
    current = versions.latest_issued()
    items = items_of(draft) if draft else []
    current_items = items_of(current) if current and not draft else []
    in_program = {i.exercise_id for i in items or current_items}
    findings = latest_findings(client)
    rule = PainMonitoringRule.load()
    signals = builder_signals(client, rule=rule)
    suggestions = suggestions_for(findings, exclude_exercise_ids=in_program, signals=signals)
    safety = services.client_safety(client)
    for suggestion in suggestions:
        suggestion.conflicts = services.exercise_conflicts(safety=safety, exercise=suggestion.exercise)
    item_rows = []
    for item in items:
        conflicts = services.exercise_conflicts(safety=safety, exercise=item.exercise)
        missing = [c for c in conflicts if c not in (item.override_conflicts or [])]
        item_rows.append(
            ItemRow(
                item=item,
                form=ItemForm(
                    (errors or {}).get(item.pk),
                    initial={n: getattr(item, n) for n in services.ITEM_FIELDS},
                    prefix=f"item{item.pk}",
                ),
                conflicts=conflicts,
                needs_override=missing,
                override_form=OverrideForm(prefix=f"override{item.pk}") if missing else None,
            )
        )
    today = timezone.localdate()
    issue_form = IssueForm(
        visits=recent_visits(client),
        initial={
            "start_date": today,
            "review_date": today + timedelta(weeks=services.DEFAULT_REVIEW_WEEKS),
            "visit": visit or None,
        },
    )
    open_suggestions = [s for s in suggestions if not s.already_in]
    acts_as_author = draft is not None and may_act_as_author(author_id=draft.created_by_id, by=user)
    return {
        "client": client,
        "draft": draft,
        "current": current,
        "current_items": current_items,
        "item_rows": item_rows,
        "item_forms": [(row.item, row.form) for row in item_rows],
        "findings": findings,
        "signals": signals,
        "safety_rules": [reason for s in suggestions for reason in s.conflicts],
        "suggestions": suggestions,
        "top_suggestions": open_suggestions[:SUGGESTIONS_SHOWN],
        "more_suggestions": open_suggestions[SUGGESTIONS_SHOWN:],
        "in_program_suggestions": [s for s in suggestions if s.already_in],
        "referrals": list(ReferralOption.objects.active()),
        "refused": refused,
        "too_many": len(items) > SENSIBLE_EXERCISE_COUNT,
        "sensible_count": SENSIBLE_EXERCISE_COUNT,
        "suggested_at_once": SUGGESTED_AT_ONCE,
        "issue_form": issue_form,
        # A draft is its author's; anyone on the care team may start one when none is open.
        "can_edit": user.is_therapist and (draft is None or acts_as_author),
        "draft_locked": services.not_author_message(draft)
        if draft is not None and not acts_as_author
        else "",
    }


def builder_page(
    client: Client,
    *,
    user: User,
    visit: str | None = None,
    errors: dict | None = None,
    refused: Refusal | None = None,
) -> dict:
    """The whole builder page: the panel, the client's banner and the library."""
    context = builder_panel(client, user=user, visit=visit, errors=errors, refused=refused)
    context["flags"] = banner_flags(client)
    context["search_form"] = LibrarySearchForm()
    context["library"] = Exercise.objects.active().for_list()[:LIBRARY_PAGE]
    return context


# --- A version -------------------------------------------------------------------------


def version_page(version: ProgramVersion, *, user: User) -> dict:
    """A version with what changed since the one before, the client's issued
    versions and the adherence recorded against it."""
    items = items_of(version)
    if version.is_issued:
        previous = previous_issued(version)
    elif version.based_on_id is not None:
        previous = ProgramVersion.objects.filter(pk=version.based_on_id).first()
    else:
        previous = None  # a first draft, based on no version
    diff = version_diff(items_of(previous), items) if previous else None
    all_versions = list(ProgramVersion.objects.for_client(version.client_id).issued().order_by("-number"))
    is_current = version.is_issued and all_versions and all_versions[0].pk == version.pk
    adherence = list(Adherence.objects.filter(item__version=version).select_related("item__exercise"))
    return {
        "version": version,
        "client": version.client,
        "items": items,
        "previous": previous,
        "diff": diff,
        "versions": all_versions,
        "flags": banner_flags(version.client),
        "adherence": adherence,
        "adherence_form": AdherenceForm(items=items) if is_current and user.is_therapist else None,
    }


# --- Handouts --------------------------------------------------------------------------


def handout_data(versions: list[ProgramVersion]) -> HandoutData:
    """The handout of one or more issued versions (client and signer loaded), in
    the order given: the one place handout data is built, for the handout pages,
    the day's batch and the restore drill. Three queries: the items of every
    version at once, the pain-monitoring rule and the clinic's letterhead."""
    by_version: dict[int, list[ProgramItem]] = {}
    for item in ProgramItem.objects.filter(version__in=versions).in_order():
        by_version.setdefault(item.version_id, []).append(item)
    rule = PainMonitoringRule.load()
    return HandoutData(
        letterhead=Letterhead.from_profile(ClinicProfile.load()),
        programs=[program_for_handout(v, by_version.get(v.pk, [])) for v in versions],
        green_max=rule.green_max,
        amber_max=rule.amber_max,
    )
