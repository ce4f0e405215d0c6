"""Fewer clicks for a follow-up note: carried fields reviewed without a reload,
treatment rows entered with segmented buttons and ranked chips, one way to reuse
the last visit's treatments. Every htmx control still works as a plain post."""

from __future__ import annotations

from django.urls import reverse

from notes.models import VisitNote
from tests.notes.test_views import _form_data


def _follow_up(make_note, signed_note):
    signed_note(rows=2, hours_ago=24 * 7)
    return make_note(copy_forward=True)


def test_reviewed_through_htmx_saves_and_replaces_only_the_carried_card(make_note, signed_note, as_treating):
    note = _follow_up(make_note, signed_note)
    assert "chief_complaint" in note.carried_fields
    data = _form_data(note, reviewed="chief_complaint")
    for name in ("chief_complaint", "goals", "frequency"):
        data[name] = getattr(note, name)
    response = as_treating.post(
        reverse("note_autosave", args=[note.pk]), data, HTTP_HX_REQUEST="true", HTTP_X_KC_BACKGROUND="1"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="carried-card" hx-swap-oob="true"' in html
    assert 'value="chief_complaint"' not in html  # reviewed: gone from the card
    assert 'value="goals"' in html  # still to review
    saved = VisitNote.objects.get(pk=note.pk)
    assert "chief_complaint" not in saved.carried_fields and "goals" in saved.carried_fields
    assert f'value="{saved.version}"' in html  # the editor gets the new version


def test_reviewed_without_javascript_is_a_plain_post_of_the_note_form(make_note, signed_note, as_treating):
    note = _follow_up(make_note, signed_note)
    page = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'type="submit" form="note-form" name="reviewed" value="goals"' in page
    data = _form_data(note, reviewed="goals")
    for name in ("chief_complaint", "goals", "frequency"):
        data[name] = getattr(note, name)
    response = as_treating.post(reverse("note_detail", args=[note.pk]), data)
    assert response.status_code == 302
    assert "goals" not in VisitNote.objects.get(pk=note.pk).carried_fields


def test_chips_rank_this_therapists_own_recent_use_in_one_query(
    make_note, add_row, catalogue, treating, colleague, django_assert_num_queries
):
    from notes.pages import ranked_by_recent_use

    note = make_note()
    for technique, region in [
        ("myofascial_release", "plantar_fascia"),
        ("trigger_point", "soleus"),
        ("myofascial_release", "soleus"),
        ("myofascial_release", "soleus"),
    ]:
        add_row(note, technique=technique, region=region, minutes=5)
    techniques = list(catalogue["technique"].values())
    regions = list(catalogue["region"].values())
    with django_assert_num_queries(1):
        top_techniques, top_regions = ranked_by_recent_use(treating, techniques, regions)
    assert [t.code for t in top_techniques] == ["myofascial_release", "trigger_point"]
    assert [r.code for r in top_regions] == ["soleus", "plantar_fascia"]
    # A colleague's own history ranks theirs; they have none here.
    assert ranked_by_recent_use(colleague, techniques, regions) == ([], [])


def test_the_row_form_has_segmented_buttons_chips_and_the_full_lists(make_note, add_row, as_treating):
    note = make_note()
    add_row(note, technique="trigger_point", region="soleus", minutes=5)
    html = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    for name in ("side", "pressure", "response"):
        assert f'type="radio" name="t-{name}"' in html
    assert '<legend class="form-label small mb-1">Pressure</legend>' in html
    assert 'data-kc-chip-for="id_t-technique"' in html and ">Trigger-point therapy</button>" in html
    assert 'data-kc-chip-for="id_t-region"' in html and ">Soleus</button>" in html
    assert '<select name="t-technique"' in html and '<select name="t-region"' in html  # the full lists


def test_one_way_to_reuse_the_last_visit(make_note, signed_note, as_treating):
    note = _follow_up(make_note, signed_note)
    html = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert note.treatments.filter(carried_forward=True).count() == 2
    assert html.count(">Keep</button>") == 2 and 'id="repeat-treatments"' not in html
    fresh = make_note(hours_ago=1)
    fresh_page = as_treating.get(reverse("note_detail", args=[fresh.pk])).content.decode()
    assert 'id="repeat-treatments"' in fresh_page


def test_keep_and_remove_work_as_plain_posts(make_note, signed_note, as_treating):
    note = _follow_up(make_note, signed_note)
    first, second = note.treatments.order_by("order")
    response = as_treating.post(reverse("treatment_confirm", args=[note.pk, first.pk]))
    assert response.status_code == 302 and response["Location"].endswith("#treatments")
    assert not note.treatments.get(pk=first.pk).carried_forward
    response = as_treating.post(reverse("treatment_remove", args=[note.pk, second.pk]))
    assert response.status_code == 302
    assert note.treatments.count() == 1


def test_the_background_save_never_sends_a_reviewed_button(make_note, signed_note, as_treating):
    """htmx adds the last focused submit button of a form to its requests: a Reviewed
    button merely tabbed to must not mark its field reviewed with the next autosave."""
    note = _follow_up(make_note, signed_note)
    html = as_treating.get(reverse("note_detail", args=[note.pk])).content.decode()
    assert 'hx-params="not password,reviewed" data-autosave="1"' in html
