"""Importing a clinic's clients from another system's CSV export: the preview shows
every row's fate before anything is written; the ready rows import in one
transaction; re-running the same file creates no duplicates; hostile files get a
clear message and write nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from clinic.importing import ImportFileError, parse_date, read_client_csv
from clinic.models import Client, ClientImport

pytestmark = pytest.mark.django_db

# The column names of a common practice system's client export, with a BOM.
CLINIKO_STYLE = (
    "\ufeffFirst Name,Last Name,Date of Birth,Sex,Email,Mobile,Address 1,City,Post Code,"
    "Emergency Contact,Referral Source,Notes\r\n"
    "Ana,Silva,14/03/1980,Female,ana@example.com,0400 111 222,1 High St,Leeds,LS1 1AA,"
    "Rui Silva,GP,Prefers mornings\r\n"
    "Ben,O'Neil,1975-11-02,M,,0400 333 444,,,,,Parkrun,\r\n"
    "Cleo,Ng,2 Jan 1990,,cleo@example.com,,,,,,,\r\n"
    "Dev,Patel,31/02/1985,Male,,,,,,,,\r\n"  # no such date
    ",Nameless,01/01/1970,,,,,,,,,\r\n"  # first name missing
    "Eve,Stone,01/01/2090,F,,,,,,,,\r\n"  # in the future
    "Finn,Lowe,12/05/1988,Robot,,,,,,,,\r\n"  # not a sex
    "Gia,Rossi,03/04/1992,F,not-an-email,,,,,,,\r\n"
    "Ana,SILVA,14/03/1980,F,,,,,,,,\r\n"  # the same client again in the file
    '=HYPERLINK("http://x"),+Plus,1981-01-01,,,-1,,,,@sum,,\r\n'  # formula-looking cells
).encode("utf-8")


@pytest.fixture
def upload(desk, treating):
    from clinic import import_services

    def send(content: bytes, **kwargs):
        return import_services.client_import_upload(
            by=desk, file_name="clients.csv", content=content, primary_therapist=treating, **kwargs
        )

    return send


def test_the_preview_maps_the_columns_and_gives_every_row_its_fate(upload):
    kept, preview = upload(CLINIKO_STYLE)
    assert preview.encoding == "UTF-8" and preview.delimiter == "comma"
    mapping = dict(preview.mapping)
    assert mapping["First name"] == "First Name"
    assert mapping["Date of birth"] == "Date of Birth"
    assert mapping["Phone"] == "Mobile"
    assert mapping["Address"] == "Address 1, City, Post Code"
    assert "Notes" in preview.ignored and any("clinical content" in n for n in preview.notices)
    by_line = {r.line: r for r in preview.rows}
    assert [r.name for r in preview.ready] == [
        "Ana Silva",
        "Ben O'Neil",
        "Cleo Ng",
        '=HYPERLINK("http://x") +Plus',
    ]
    assert "is not a date this import reads" in by_line[5].status
    assert by_line[6].status == "First name is missing"
    assert "is in the future" in by_line[7].status
    assert "Sex “Robot”" in by_line[8].status
    assert "is not an email address" in by_line[9].status
    assert by_line[10].duplicate and not by_line[10].errors
    assert not Client.objects.exists()  # nothing written by a preview
    assert AuditEvent.objects.filter(action="import_preview", object_id=str(kept.pk)).exists()


def test_the_import_writes_the_ready_rows_once_and_audits_each_client(upload, desk, treating):
    from clinic import import_services

    kept, preview = upload(CLINIKO_STYLE)
    summary = import_services.clients_import(upload=kept, by=desk)
    assert summary["imported"] == 4 and summary["duplicates"] == 1 and summary["refused"] == 5
    ana = Client.objects.get(last_name="Silva")
    assert ana.date_of_birth == date(1980, 3, 14) and ana.sex == "F"
    assert ana.address == "1 High St, Leeds, LS1 1AA"
    assert ana.phone == "0400 111 222" and ana.referral_source == "GP"
    assert ana.emergency_contact_name == "Rui Silva"
    assert list(ana.care_team.all()) == [treating] and ana.primary_therapist == treating
    formula = Client.objects.get(last_name="+Plus")
    assert formula.first_name == '=HYPERLINK("http://x")' and formula.phone == "-1"
    assert formula.emergency_contact_name == "@sum"
    created = AuditEvent.objects.filter(action="create", detail__via="import")
    assert created.count() == 4
    assert AuditEvent.objects.filter(action="import", object_id=str(kept.pk)).exists()
    with pytest.raises(Exception, match="already been imported"):
        import_services.clients_import(upload=kept, by=desk)
    # The same file again: every client is already held, nothing doubles.
    again, preview = upload(CLINIKO_STYLE)
    assert preview.ready == [] and len(preview.duplicates) == 5
    assert import_services.clients_import(upload=again, by=desk)["imported"] == 0
    assert Client.objects.count() == 4


def test_latin1_with_semicolons_and_three_date_formats(upload):
    content = (
        "Nom;Prénom;Surname;First name;Date of birth\n"
        ";;Müller;Jörg;1970-05-06\n"
        ";;Núñez;Inés;06.05.1971\n"
        ";;Øster;Åse;6 May 1972\n"
    ).encode("latin-1")
    _, preview = upload(content)
    assert preview.encoding in ("Windows Latin-1", "Latin-1") and preview.delimiter == "semicolon"
    assert [(r.name, r.data["date_of_birth"]) for r in preview.ready] == [
        ("Jörg Müller", date(1970, 5, 6)),
        ("Inés Núñez", date(1971, 5, 6)),
        ("Åse Øster", date(1972, 5, 6)),
    ]


def test_month_first_dates_when_the_clinic_says_so():
    assert parse_date("03/04/1980") == date(1980, 4, 3)
    assert parse_date("03/04/1980", month_first=True) == date(1980, 3, 4)
    with pytest.raises(ValueError):
        parse_date("12/31/1980")  # day first: there is no month 31


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"First name,Last name,Date of birth\r\n", "no clients"),
        (b"Name,Phone\r\nAna Silva,1\r\n", "no column for: First name, Last name, Date of birth"),
        (b"\x00\x01\x02" * 2000, "not a CSV file"),
        (b"First name,Last name,Date of birth\r\n" + b"A" * 30_000 + b",B,1980-01-01\r\n", "longer than"),
        (b'First name,Last name,Date of birth\r\n"Ana,Silva,1980-01-01\r\n' + b"x" * 30_000, "longer than"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(content, message):
    with pytest.raises(ImportFileError, match=message):
        read_client_csv(content)


def test_a_file_over_the_limit_is_refused(settings):
    settings.KC_IMPORT_MAX_BYTES = 2048
    with pytest.raises(ImportFileError, match="larger than the import limit"):
        read_client_csv(b"First name,Last name,Date of birth\r\n" + b"Ana,Silva,1980-01-01\r\n" * 200)


def test_a_cell_longer_than_its_field_refuses_the_row():
    _, *rows = ["First name,Last name,Date of birth", "A" * 81 + ",Silva,1980-01-01"]
    preview = read_client_csv(("First name,Last name,Date of birth\r\n" + rows[0]).encode())
    assert preview.refused[0].status == "First name is longer than 80 characters"


def test_nul_characters_are_dropped():
    preview = read_client_csv(b"First name,Last name,Date of birth\r\nA\x00na,Silva,1980-01-01\r\n")
    assert preview.ready[0].data["first_name"] == "Ana"


# --- The admin pages --------------------------------------------------------------------------


def _file(content: bytes, name="clients.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_an_admin_previews_then_imports_the_valid_rows(as_desk, treating):
    response = as_desk.post(
        "/clients/import/",
        {"file": _file(CLINIKO_STYLE, "../../etc/passwd.csv"), "primary_therapist": treating.pk},
    )
    assert response.status_code == 302
    preview_url = response["Location"]
    page = as_desk.get(preview_url).content.decode()
    assert "4 ready to import" in page and "5 refused" in page and "1 already held" in page
    assert "First name is missing" in page
    assert not Client.objects.exists()
    assert as_desk.post(preview_url).status_code == 302
    assert Client.objects.count() == 4
    page = as_desk.get(preview_url).content.decode()
    assert "Imported 4 clients" in page
    assert as_desk.post(preview_url).status_code == 200  # a second press imports nothing
    assert Client.objects.count() == 4


def test_an_unreadable_file_is_refused_beside_the_field_and_nothing_is_kept(as_desk, treating):
    response = as_desk.post(
        "/clients/import/", {"file": _file(b"Name\r\nx\r\n"), "primary_therapist": treating.pk}
    )
    assert response.status_code == 200
    assert "no column for" in response.content.decode()
    assert not ClientImport.objects.exists()


def test_therapists_never_reach_the_import(as_treating, upload, treating):
    kept, _ = upload(CLINIKO_STYLE)
    assert as_treating.get("/clients/import/").status_code == 404
    assert as_treating.get(f"/clients/import/{kept.pk}/").status_code == 404
    assert as_treating.post(f"/clients/import/{kept.pk}/").status_code == 404
    assert not Client.objects.exists()


def test_the_command_shows_the_preview_and_imports(tmp_path, desk, treating):
    path = tmp_path / "export.csv"
    path.write_bytes(CLINIKO_STYLE)
    out = io.StringIO()
    call_command(
        "import_clients", str(path), "--by", "desk", "--therapist", "treating", "--dry-run", stdout=out
    )
    assert "4 ready, 1 already held (skipped), 5 refused." in out.getvalue()
    assert "Line 6 (Nameless): First name is missing" in out.getvalue()
    assert not Client.objects.exists()
    out = io.StringIO()
    call_command("import_clients", str(path), "--by", "desk", "--therapist", "treating", stdout=out)
    assert "Imported 4 clients." in out.getvalue()
    out = io.StringIO()
    call_command("import_clients", str(path), "--by", "desk", "--therapist", "treating", stdout=out)
    assert "Imported 0 clients." in out.getvalue() and Client.objects.count() == 4
    with pytest.raises(CommandError, match="active therapist"):
        call_command("import_clients", str(path), "--by", "desk", "--therapist", "desk")
