"""Pinned query counts for the program pages. If a count changes, say why in the commit.

An audit row costs 4 queries on either database (savepoint, the chain head read and
locked in one statement, insert, release)."""

from __future__ import annotations

import pytest

from clinic.models import ClinicProfile
from programs import services
from programs.models import Exercise

pytestmark = pytest.mark.django_db


def audit_queries(events: int = 1) -> int:
    # savepoint, chain head (read and locked), insert, release
    return events * 4


@pytest.fixture(autouse=True)
def _clinic_profile(db):
    ClinicProfile.load()  # the singleton exists in every running clinic


@pytest.fixture
def big_library(treating):
    """Grow the seeded library to 100 exercises."""
    seeded = Exercise.objects.count()
    Exercise.objects.bulk_create(
        [
            Exercise(
                name=f"Extra exercise {i:03d}",
                region=["foot", "calf", "hip", "balance"][i % 4],
                target="Test tissue",
                position="Standing",
                steps="One.\nTwo.\nThree.",
                sets=2,
                reps=10,
                frequency="Daily",
                drawing="clamshell",
            )
            for i in range(100 - seeded)
        ]
    )
    assert Exercise.objects.count() == 100
    return {e.name: e for e in Exercise.objects.all()}


@pytest.fixture
def ten_item_draft(big_library, client_record, treating, issue):
    names = sorted(big_library)[:10]
    issue(client_record, names)
    return services.program_draft(client=client_record, by=treating)


def test_builder_with_a_ten_item_program_and_a_hundred_exercise_library(
    as_treating, client_record, ten_item_draft, flagged_assessment, django_assert_num_queries
):
    flagged_assessment()
    url = f"/clients/{client_record.pk}/program/"
    # session, user, client, draft, latest issued, draft items, latest assessment +
    # measurements (findings), indications, recent visits (issue form), health screen
    # (flags), library page, audit; then what the care set added: the pain bands,
    # first-step pain and foot posture (latest assessment rows, latest signed note),
    # the low-capacity exercises listed first for red-band pain, the client's safety
    # rules (screen, consent) and the "refer / discuss with" list. Cold: the access check
    # reads the client's id and record version first (the cache key), the client on a miss.
    with django_assert_num_queries(20 + audit_queries()):
        response = as_treating.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("data-kc-item-name=") == 10


def test_builder_panel_after_an_htmx_add(
    as_treating, client_record, ten_item_draft, big_library, django_assert_num_queries
):
    extra = big_library["Extra exercise 070"]
    # Reads for the add (client, exercise, draft, duplicates, last position), full_clean's
    # constraint checks (3 queries each: savepoint, check, release), the insert and its
    # history row, then the re-rendered panel (with the recent visits for the issue form).
    # The care set added: a savepoint around "start the draft and add" (2), and in the
    # panel the pain bands, first-step pain and foot posture (2), the client's safety
    # rules for the draft's tagged exercises (screen, consent) and the referral list.
    # Optimistic locking added the draft's row lock and its revision bump (a stale form
    # from another tab is refused).
    with django_assert_num_queries(41 + audit_queries()):
        response = as_treating.post(
            f"/clients/{client_record.pk}/program/add/", {"exercise": extra.pk}, HTTP_HX_REQUEST="true"
        )
    assert response.content.decode().count("data-kc-item-name=") == 11


def test_handout_pdf(as_treating, client_record, ten_item_draft, treating, django_assert_num_queries):
    services.program_issue(version=ten_item_draft, by=treating)
    # session, user, client, version, items, clinic profile, pain rule, audit
    with django_assert_num_queries(7 + audit_queries()):
        response = as_treating.get(f"/clients/{client_record.pk}/program/handout.pdf")
    assert response["Content-Type"] == "application/pdf"


def test_library_list(as_treating, big_library, django_assert_num_queries):
    # session, user, exercises, and the "refer / discuss with" list under them
    with django_assert_num_queries(4):
        response = as_treating.get("/exercises/")
    assert response.content.decode().count("kc-card h-100") == 100


def test_version_detail(as_treating, client_record, ten_item_draft, treating, django_assert_num_queries):
    version = services.program_issue(version=ten_item_draft, by=treating)
    # session, user, version, items, previous version, its items, all versions,
    # adherence, health screen (flags), audit, and the pain bands that label the
    # adherence form's pain-response choices
    with django_assert_num_queries(10 + audit_queries()):
        response = as_treating.get(f"/programs/versions/{version.pk}/")
    assert "Changed since the last handout (version 1)" in response.content.decode()
