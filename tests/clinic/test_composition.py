"""The pages that gather from every app learn of the apps' sections by registration, never
by looking a module up by name at request time (a mistake in a section module used to make
its section vanish from every chart without a word)."""

import pytest

from assessments import chart as assessments_chart
from clinic import document_pages
from core import composition
from notes import chart as notes_chart
from programs import chart as programs_chart


def test_every_app_registers_its_sections_in_the_order_of_the_dependency_chain():
    assert composition.REGISTRY["chart_section"] == [
        ("clinic", document_pages.chart_section),  # the Documents card
        ("assessments", assessments_chart.chart_section),
        ("notes", notes_chart.chart_section),
        ("programs", programs_chart.chart_section),
    ]
    assert [label for label, _ in composition.REGISTRY["home_section"]] == ["notes", "programs"]
    assert [label for label, _ in composition.REGISTRY["note_section"]] == ["notes", "programs"]


def test_a_failing_section_is_an_error_not_a_missing_section(monkeypatch):
    def broken(**kwargs):
        raise ImportError("a mistake inside a section module")

    monkeypatch.setattr(composition, "REGISTRY", {kind: [] for kind in composition.KINDS})
    composition.register("notes", home_section=broken)
    with pytest.raises(ImportError):
        composition.home_sections(user=None)


def test_an_unknown_kind_of_section_is_refused_when_the_app_registers():
    with pytest.raises(TypeError, match="unknown section kinds: sidebar"):
        composition.register("notes", sidebar=lambda **kwargs: None)


def test_registering_again_replaces_the_apps_entry(monkeypatch):
    monkeypatch.setattr(composition, "REGISTRY", {kind: [] for kind in composition.KINDS})
    first, second = (lambda **kwargs: None), (lambda **kwargs: None)
    composition.register("notes", chart_section=first)
    composition.register("notes", chart_section=second)
    assert composition.REGISTRY["chart_section"] == [("notes", second)]
