"""The pages that gather from every app learn of the apps' sections by registration, never
by looking a module up by name at request time (a mistake in a section module used to make
its section vanish from every chart without a word)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from assessments import chart as assessments_chart
from clinic import document_pages
from core import composition
from notes import chart as notes_chart
from portal import chart as portal_chart
from previsit import chart as previsit_chart
from programs import chart as programs_chart
from reports import chart as reports_chart


def test_every_app_registers_its_sections_in_the_order_of_the_dependency_chain():
    assert composition.REGISTRY["chart_section"] == [
        ("clinic", document_pages.chart_section),  # the Documents card
        ("assessments", assessments_chart.chart_section),
        ("notes", notes_chart.chart_section),
        ("programs", programs_chart.chart_section),
        ("portal", portal_chart.chart_section),  # client links and the client's own log
        ("reports", reports_chart.chart_section),
        ("previsit", previsit_chart.chart_section),
    ]
    assert [label for label, _ in composition.REGISTRY["chart_desk_section"]] == ["portal", "previsit"]
    assert [label for label, _ in composition.REGISTRY["home_section"]] == [
        "notes",
        "programs",
        "portal",
        "previsit",
    ]
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


# The apps that keep records of the client (the client's own view too: links and the
# client's log): exported with the complete record, printed, checked by the restore drill
# and seeded in the demo, in INSTALLED_APPS order.
RECORD_APPS = ["assessments", "notes", "programs", "portal", "reports", "previsit"]


def test_every_domain_app_registers_its_export_printout_restore_drill_and_demo_parts():
    from assessments import demo as assessments_demo
    from assessments import export as assessments_export
    from notes import demo as notes_demo
    from notes import export as notes_export
    from portal import demo as portal_demo
    from portal import export as portal_export
    from previsit import demo as previsit_demo
    from previsit import export as previsit_export
    from programs import demo as programs_demo
    from programs import export as programs_export
    from reports import demo as reports_demo
    from reports import export as reports_export

    exports = {
        "assessments": assessments_export,
        "notes": notes_export,
        "programs": programs_export,
        "portal": portal_export,
        "reports": reports_export,
        "previsit": previsit_export,
    }
    demos = {
        "assessments": assessments_demo,
        "notes": notes_demo,
        "programs": programs_demo,
        "portal": portal_demo,
        "reports": reports_demo,
        "previsit": previsit_demo,
    }
    assert composition.providers("export_records") == [
        (app, exports[app].export_client) for app in RECORD_APPS
    ]
    assert composition.providers("restore_check") == [
        (app, exports[app].restore_check) for app in RECORD_APPS
    ]
    assert composition.providers("demo_seed") == [(app, demos[app].seed) for app in RECORD_APPS]
    # The printout reads like a chart: visits, then assessments (and the questionnaires
    # before a visit), then the home programs and the client's own log kept against them.
    assert composition.providers("export_pdf_part") == [
        ("notes", notes_export.pdf_part),
        ("assessments", assessments_export.pdf_part),
        ("previsit", previsit_export.pdf_part),
        ("programs", programs_export.pdf_part),
        ("portal", portal_export.pdf_part),
        ("reports", reports_export.pdf_part),
    ]
    assert [app for app, _ in composition.providers("text_limits")] == [
        "clinic",
        "notes",
        "programs",
        "previsit",
    ]


@pytest.mark.django_db
def test_each_restore_check_counts_its_records_and_names_its_printouts():
    checks = {app: provider() for app, provider in composition.providers("restore_check")}
    assert checks["assessments"].counts == {"assessments": 0}
    assert checks["notes"].counts == {"notes": 0}
    assert checks["programs"].counts == {"issued programs": 0}
    assert checks["reports"].counts == {"signed progress reports and letters": 0}
    assert checks["previsit"].counts == {"questionnaires before a visit": 0, "intake forms before a visit": 0}
    assert checks["portal"].counts == {
        "client links": 0,
        "client links still working": 0,
        "client's own log entries": 0,
    }
    # With nothing recorded there is nothing to print, and that is not a failure.
    assert {label: render() for check in checks.values() for label, render in check.pdfs.items()} == {
        "note PDF": None,
        "handout PDF": None,
        "progress report PDF": None,
    }


def test_a_provider_that_cannot_be_called_is_refused_when_the_app_registers():
    with pytest.raises(TypeError, match="notes registers export_records as something that cannot be called"):
        composition.register("notes", export_records={"notes.visitnote": []})


@pytest.mark.django_db
def test_a_failing_export_part_fails_the_export_instead_of_leaving_the_app_out(
    monkeypatch, client_record, treating
):
    from trust.export import collect_client_export

    def broken(client):
        raise ImportError("a mistake inside an export module")

    monkeypatch.setattr(composition, "REGISTRY", composition.registry_only("clinic", "notes"))
    composition.register("notes", export_records=broken)
    with pytest.raises(ImportError, match="a mistake inside an export module"):
        collect_client_export(client=client_record, by=treating)


BROKEN_START = """
import importlib.abc, sys

class Broken(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "notes.export":
            raise ImportError("a mistake inside notes.export")
        return None

sys.meta_path.insert(0, Broken())
import django
django.setup()
print("started")
"""


def test_an_app_whose_module_fails_to_import_stops_the_clinic_from_starting():
    """Nothing swallows the error: the app does not start with its export part missing."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings"}
    result = subprocess.run(
        [sys.executable, "-c", BROKEN_START],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImportError: a mistake inside notes.export" in result.stderr
