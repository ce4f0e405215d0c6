"""Hypothesis against the clinical apps' forms: the field names are read from
the real page, then arbitrary text is posted into them. No input may produce
a server error."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trust.test_form_fuzz import maybe_text
from tests.trust.test_safe_output_clinical import _body

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# (who, where to post, the page that carries the form)
TARGETS = [
    ("treating", "/clients/{client}/notes/new/", "/clients/{client}/notes/new/"),
    ("treating", "/notes/{note}/", "/notes/{note}/"),
    ("treating", "/notes/{note}/autosave/", "/notes/{note}/"),
    ("treating", "/notes/{note}/treatments/", "/notes/{note}/"),
    ("treating", "/notes/{note}/palpation/", "/notes/{note}/"),
    ("treating", "/notes/{note}/template/", "/notes/{note}/"),
    ("treating", "/notes/{note}/addenda/new/", "/notes/{note}/addenda/new/"),
    ("treating", "/clients/{client}/assessments/new/", "/clients/{client}/assessments/new/"),
    ("treating", "/assessments/{assessment}/edit/", "/assessments/{assessment}/edit/"),
    ("treating", "/clients/{client}/program/add/", "/clients/{client}/program/"),
    ("treating", "/program/items/{program_item}/", "/clients/{client}/program/"),
    ("treating", "/clients/{client}/program/adherence/", "/programs/versions/{program_version}/"),
    ("treating", "/notes/snippets/", "/notes/snippets/"),
    ("treating", "/exercises/new/", "/exercises/new/"),
    ("desk", "/exercises/manage/", "/exercises/manage/"),
]


def _field_names(html: str) -> list[str]:
    from scripts.soak import forms_in

    names: set[str] = set()
    for form in forms_in(html):
        names |= set(form["fields"]) | set(form["selects"])
    names.discard("csrfmiddlewaretoken")
    return sorted(names)


@pytest.mark.parametrize(("who", "target", "source"), TARGETS)
def test_clinical_forms_never_fail(who, target, source, world, client_record, request):
    ids = {k: v for k, v in world.items() if isinstance(v, int)}
    ids["client"] = client_record.pk
    http = HttpClient()
    http.force_login(request.getfixturevalue(who))
    page = http.get(source.format(**ids))
    assert page.status_code == 200, source
    fields = _field_names(_body(page).decode())
    assert fields, f"no form fields found on {source}"
    url = target.format(**ids)

    @FUZZ
    @given(st.fixed_dictionaries({name: maybe_text for name in fields}))
    def post(data):
        payload = {k: v for k, v in data.items() if v is not None}
        response = http.post(url, payload, headers={"HX-Request": "true"})
        assert response.status_code < 500, (url, payload)

    post()
