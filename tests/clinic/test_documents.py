"""Documents on the client record: every upload treated as hostile, access for the four
personas, audit of listing and downloading, the download's headers, entered in error,
the export, and the chart's query count with documents present."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from clinic import documents, services
from clinic.models import ClientDocument, User
from core import composition

from .helpers import BACKGROUND, SIGNED_IN_FLOOR, audit_queries, audit_rows

# --- Files --------------------------------------------------------------------------------------


def pdf_bytes(text: str = "Referral from Dr Okafor") -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def image_bytes(fmt: str = "PNG", size=(40, 30), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG 40 wide and 20 high, with a GPS position, a camera model and an
    orientation tag saying it must be turned a quarter to stand upright."""
    image = Image.new("RGB", (40, 20), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "Secret Camera"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def heic_bytes() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 160, 90)).save(buffer, format="HEIF")
    return buffer.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a picture of ten billion pixels."""
    data = bytearray(image_bytes("PNG", size=(8, 8)))
    ihdr = 8  # after the PNG signature: length (4), type (4), then width and height
    data[ihdr + 8 : ihdr + 16] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr + 4 : ihdr + 4 + 4 + 13]))
    data[ihdr + 8 + 13 : ihdr + 8 + 13 + 4] = struct.pack(">I", crc)
    return bytes(data)


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files() -> list:
    root = documents.document_root()
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


# --- Personas and fixtures ------------------------------------------------------------------------


@pytest.fixture
def outsider(db) -> User:
    return User.objects.create_user(
        username="outsider", password="test-pass-1234!", first_name="Out", is_therapist=True
    )


@pytest.fixture
def team_client(make_client, treating, colleague):
    """A client whose care team is the treating therapist and a colleague."""
    return make_client(treating, care_team=[colleague], first_name="Priya", last_name="Raman")


@pytest.fixture
def attach(team_client, treating):
    def build(*, by=None, kind="referral", name="letter.pdf", content=None, client=None):
        return services.client_document_attach(
            client=client or team_client,
            by=by or treating,
            upload=upload(name, content if content is not None else pdf_bytes()),
            kind=kind,
        )

    return build


def _http(user):
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(user)
    return http


def post_file(http, client, name, content, *, kind="referral", content_type="application/pdf", title=""):
    return http.post(
        f"/clients/{client.pk}/documents/new/",
        # In the form's order, as a browser sends it: the file last.
        {"kind": kind, "title": title, "file": upload(name, content, content_type)},
    )


# --- Attaching: the good files ----------------------------------------------------------------------


def test_a_pdf_is_kept_under_a_random_name_with_its_file_name_as_title(as_treating, team_client, treating):
    content = pdf_bytes()
    response = post_file(as_treating, team_client, "Referral letter.pdf", content)
    assert response.status_code == 302
    document = ClientDocument.objects.get()
    assert document.title == "Referral letter.pdf"
    assert document.content_type == "application/pdf"
    assert document.attached_by == treating and document.client == team_client
    assert document.size == len(content)
    assert "Referral" not in document.stored_name and document.stored_name.endswith(".pdf")
    assert stored_files() == [document.stored_name]
    assert documents.read_file(document.stored_name) == content
    (row,) = audit_rows(action="create", object_type="clinic.clientdocument")
    assert row.client_id == team_client.pk and row.detail["sha256"] == document.sha256


def test_the_document_folder_is_outside_the_web_root(settings):
    root = documents.document_root()
    assert root == settings.MEDIA_ROOT / "documents"
    assert not str(root).startswith(str(settings.STATIC_ROOT))


def test_a_path_in_the_file_name_is_stripped_to_a_title(as_treating, team_client):
    response = post_file(as_treating, team_client, "../../etc/passwd.pdf", pdf_bytes())
    assert response.status_code == 302
    document = ClientDocument.objects.get()
    assert document.title == "passwd.pdf"
    assert len(document.stored_name) == 36 and ".." not in document.stored_name
    assert stored_files() == [document.stored_name]
    assert documents.display_title("..\\..\\windows\\win.ini") == "win.ini"


def test_a_jpeg_loses_its_gps_position_and_camera_and_is_turned_upright(as_treating, team_client):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the test file does carry GPS
    response = post_file(
        as_treating, team_client, "gait.jpg", original, kind="photo", content_type="image/jpeg"
    )
    assert response.status_code == 302
    document = ClientDocument.objects.get()
    kept = documents.read_file(document.stored_name)
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and document.content_type == "image/jpeg"
    assert dict(image.getexif()) == {}
    assert b"Secret Camera" not in kept and b"GPS" not in kept
    assert image.size == (20, 40)  # the orientation was applied to the pixels


def test_a_heic_photo_is_kept_as_jpeg(as_treating, team_client):
    response = post_file(
        as_treating, team_client, "IMG_0001.HEIC", heic_bytes(), kind="photo", content_type="image/heic"
    )
    assert response.status_code == 302
    document = ClientDocument.objects.get()
    assert document.content_type == "image/jpeg" and document.stored_name.endswith(".jpg")
    image = Image.open(io.BytesIO(documents.read_file(document.stored_name)))
    assert image.format == "JPEG" and image.size == (64, 48)


def test_a_phone_jpeg_with_a_second_picture_is_kept_as_one_plain_jpeg(as_treating, team_client):
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (32, 24), (1, 2, 3)), Image.new("RGB", (32, 24), (200, 2, 3))
    first.save(buffer, format="MPO", save_all=True, append_images=[second])
    response = post_file(as_treating, team_client, "photo.jpg", buffer.getvalue(), kind="photo")
    assert response.status_code == 302
    kept = documents.read_file(ClientDocument.objects.get().stored_name)
    assert Image.open(io.BytesIO(kept)).format == "JPEG"


def test_a_polyglot_png_loses_the_script_appended_to_it(as_treating, team_client):
    polyglot = image_bytes("PNG") + b"<html><script>alert(document.cookie)</script></html>"
    response = post_file(
        as_treating, team_client, "scan.png", polyglot, kind="other", content_type="image/png"
    )
    assert response.status_code == 302
    document = ClientDocument.objects.get()
    kept = documents.read_file(document.stored_name)
    assert b"<script" not in kept and b"<html" not in kept
    assert Image.open(io.BytesIO(kept)).format == "PNG" and document.content_type == "image/png"


# --- Attaching: the bad files ------------------------------------------------------------------------

BAD_FILES = {
    "an empty file": ("empty.pdf", b"", "This file is empty."),
    "a PDF that is really HTML": (
        "report.pdf",
        b"<!doctype html><html><script>alert(1)</script></html>",
        "could not be read as a PDF, JPEG, PNG or HEIC",
    ),
    "a file that starts like a PDF and is not one": (
        "broken.pdf",
        b"%PDF-1.7\n<html><script>alert(1)</script></html>",
        "could not be read as a PDF, JPEG, PNG or HEIC",
    ),
    "an executable": (
        "setup.pdf",
        b"MZ\x90\x00" + b"\x00" * 200,
        "could not be read as a PDF, JPEG, PNG or HEIC",
    ),
    "a GIF (not a format the clinic keeps)": (
        "x.png",
        image_bytes("GIF"),
        "could not be read as a PDF, JPEG, PNG or HEIC",
    ),
    "a decompression bomb": ("bomb.png", png_bomb(), "too large to open safely"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_hostile_file_is_refused_beside_the_field_and_nothing_is_kept(as_treating, team_client, case):
    name, content, message = BAD_FILES[case]
    before = len(audit_rows(action="create"))
    response = post_file(as_treating, team_client, name, content)
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors["file"]), form.errors
    assert message in response.content.decode()
    assert not ClientDocument.objects.exists()
    assert stored_files() == []
    assert len(audit_rows(action="create")) == before


def test_a_picture_over_the_pixel_limit_is_refused(as_treating, team_client, settings):
    settings.KC_DOCUMENT_MAX_PIXELS = 1_000_000
    response = post_file(
        as_treating, team_client, "big.png", image_bytes("PNG", size=(1200, 1000)), content_type="image/png"
    )
    assert response.status_code == 400
    assert "too large to open safely" in response.content.decode()
    assert not ClientDocument.objects.exists()


def test_a_50_mb_upload_is_refused_before_it_is_stored_anywhere(as_treating, team_client, monkeypatch):
    from django.core.files import uploadhandler

    stored = {"bytes": 0}
    for handler in (uploadhandler.MemoryFileUploadHandler, uploadhandler.TemporaryFileUploadHandler):
        original = handler.receive_data_chunk

        def counting(self, raw_data, start, _original=original):
            stored["bytes"] += len(raw_data)
            return _original(self, raw_data, start)

        monkeypatch.setattr(handler, "receive_data_chunk", counting)
    big = b"%PDF-1.7\n" + b"0" * (50 * 1024 * 1024)
    response = post_file(as_treating, team_client, "huge.pdf", big)
    assert response.status_code == 400
    assert "larger than 20 MB" in response.content.decode()
    assert "Choose what kind" not in response.content.decode()  # the fields sent before it are kept
    assert stored["bytes"] == 0
    assert not ClientDocument.objects.exists() and stored_files() == []


def test_the_size_limit_is_a_setting(as_treating, team_client, settings):
    settings.KC_DOCUMENT_MAX_BYTES = 2048
    response = post_file(as_treating, team_client, "letter.pdf", pdf_bytes() + b"\n%" + b"0" * 4096)
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not ClientDocument.objects.exists()


def test_a_kind_is_required(as_treating, team_client):
    response = post_file(as_treating, team_client, "letter.pdf", pdf_bytes(), kind="")
    assert response.status_code == 400
    assert "Choose what kind of document this is." in response.content.decode()
    assert stored_files() == []


def test_a_failed_row_write_leaves_no_file_behind(team_client, treating, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ClientDocument, "save", broken)
    with pytest.raises(RuntimeError):
        services.client_document_attach(
            client=team_client, by=treating, upload=upload("a.pdf", pdf_bytes()), kind="referral"
        )
    assert stored_files() == []


# --- Who may attach, list, download and mark in error ----------------------------------------------


def test_the_care_team_attaches_any_kind_and_an_outsider_gets_404(team_client, colleague, outsider):
    assert post_file(_http(colleague), team_client, "mri.pdf", pdf_bytes(), kind="imaging").status_code == 302
    response = post_file(_http(outsider), team_client, "mri.pdf", pdf_bytes(), kind="imaging")
    assert response.status_code == 404
    assert _http(outsider).get(f"/clients/{team_client.pk}/documents/new/").status_code == 404
    assert ClientDocument.objects.count() == 1


def test_the_front_desk_attaches_a_referral_or_consent_form_but_nothing_clinical(as_desk, team_client):
    page = as_desk.get(f"/clients/{team_client.pk}/documents/new/")
    assert page.status_code == 200
    assert audit_rows(action="view", client_id=team_client.pk)[-1].detail == {
        "category": "documents",
        "form": True,
    }
    assert "Referral letter" in page.content.decode() and "Imaging report" not in page.content.decode()
    assert post_file(as_desk, team_client, "consent.pdf", pdf_bytes(), kind="consent").status_code == 302
    refused = post_file(as_desk, team_client, "mri.pdf", pdf_bytes(), kind="imaging")
    assert refused.status_code == 400
    assert list(ClientDocument.objects.values_list("kind", flat=True)) == ["consent"]
    chart = as_desk.get(f"/clients/{team_client.pk}/").content.decode()
    assert 'id="attach-paper"' in chart
    assert 'id="documents"' not in chart and "consent.pdf" not in chart


def test_the_care_team_sees_the_list_and_the_front_desk_and_outsiders_do_not(
    attach, team_client, colleague, desk, outsider, treating
):
    attach(name="Referral from GP.pdf")
    for user in (treating, colleague):
        html = _http(user).get(f"/clients/{team_client.pk}/").content.decode()
        card = html[html.index('id="documents"') :]
        assert "Referral from GP.pdf" in card and "Referral letter" in card and "Treating" in card
    assert "Referral from GP.pdf" not in _http(desk).get(f"/clients/{team_client.pk}/").content.decode()
    assert _http(outsider).get(f"/clients/{team_client.pk}/").status_code == 404


def test_download_is_for_the_care_team_only(attach, treating, colleague, desk, outsider):
    document = attach()
    url = f"/documents/{document.pk}/download/"
    assert _http(treating).get(url).status_code == 200
    assert _http(colleague).get(url).status_code == 200
    assert _http(desk).get(url).status_code == 404
    assert _http(outsider).get(url).status_code == 404
    assert _http(treating).get("/documents/999999/download/").status_code == 404
    assert _http(treating).post(url).status_code == 405


def test_the_download_is_an_attachment_with_its_type_and_no_sniffing(attach, as_treating):
    document = attach(name="gait.png", kind="photo", content=image_bytes("PNG"))
    response = as_treating.get(f"/documents/{document.pk}/download/")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="gait.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response.content == documents.read_file(document.stored_name)


def test_a_heic_downloads_with_a_jpeg_name(attach, as_treating):
    document = attach(name="IMG_0001.HEIC", kind="photo", content=heic_bytes())
    response = as_treating.get(f"/documents/{document.pk}/download/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == 'attachment; filename="IMG_0001.jpg"'


def test_downloading_and_listing_are_audited(attach, team_client, as_colleague, colleague):
    document = attach()
    as_colleague.get(f"/documents/{document.pk}/download/")
    (row,) = audit_rows(action="download")
    assert row.actor == colleague and row.client_id == team_client.pk
    assert row.object_type == "clinic.clientdocument" and row.object_id == str(document.pk)
    as_colleague.get(f"/clients/{team_client.pk}/")
    # The chart's one audit row names the documents it listed.
    chart_row = audit_rows(action="view", client_id=team_client.pk, actor=colleague)[-1]
    assert chart_row.detail == {"clinical": True, "documents_shown": [document.pk]}


def test_only_the_therapist_who_attached_it_marks_it_entered_in_error(
    attach, team_client, treating, colleague, desk, outsider
):
    document = attach()
    url = f"/documents/{document.pk}/in-error/"
    data = {"reason": "Attached to the wrong client."}
    assert _http(desk).post(url, data).status_code == 404
    assert _http(outsider).post(url, data).status_code == 404
    refused = _http(colleague).post(url, data)
    assert refused.status_code == 403
    assert "Only the therapist who attached this document" in refused.content.decode()
    document.refresh_from_db()
    assert not document.in_error
    assert _http(treating).post(url, data).status_code == 302
    document.refresh_from_db()
    assert document.in_error and document.in_error_by == treating
    assert document.in_error_reason == "Attached to the wrong client."
    # Kept, marked and still downloadable; marking it again is refused.
    assert stored_files() == [document.stored_name]
    assert _http(treating).get(f"/documents/{document.pk}/download/").status_code == 200
    assert _http(treating).post(url, data).status_code == 409
    (row,) = audit_rows(action="entered_in_error")
    assert row.detail["reason"] == "Attached to the wrong client."
    chart = _http(colleague).get(f"/clients/{team_client.pk}/").content.decode()
    assert "Entered in error" in chart and "Attached to the wrong client." in chart


def test_entered_in_error_needs_a_reason(attach, as_treating):
    document = attach()
    response = as_treating.post(f"/documents/{document.pk}/in-error/", {"reason": "  "})
    assert response.status_code == 400
    assert "Say why this document was entered in error." in response.content.decode()
    document.refresh_from_db()
    assert not document.in_error


def test_a_document_the_front_desk_attached_can_be_marked_by_the_care_team(attach, desk, colleague):
    document = attach(by=desk, kind="consent")
    response = _http(colleague).post(
        f"/documents/{document.pk}/in-error/", {"reason": "Another client's form."}
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.in_error_by == colleague


def test_the_get_of_entered_in_error_is_not_allowed(attach, as_treating):
    document = attach()
    assert as_treating.get(f"/documents/{document.pk}/in-error/").status_code == 405


# --- Export -------------------------------------------------------------------------------------------


def test_the_export_lists_each_document_in_the_json_and_the_pdf(attach, team_client, as_treating, treating):
    first = attach(name="Referral from GP.pdf")
    second = attach(name="MRI report.pdf", kind="imaging")
    services.client_document_mark_in_error(document=second, by=treating, reason="Another client's scan.")
    data = json.loads(as_treating.get(f"/clients/{team_client.pk}/export.json").content)
    listed = {d["id"]: d for d in data["documents"]}
    assert listed[first.pk]["title"] == "Referral from GP.pdf"
    assert listed[first.pk]["kind"] == "referral" and listed[first.pk]["status"] == "current"
    assert listed[first.pk]["sha256"] == first.sha256 and listed[first.pk]["size"] == first.size
    assert listed[first.pk]["attached_by"] == treating.pk
    assert listed[second.pk]["status"] == "entered_in_error"
    assert listed[second.pk]["in_error_reason"] == "Another client's scan."
    for key in ("schema", "client", "records", "references", "audit_events"):
        assert key in data  # documents were added; nothing was renamed or removed
    pdf = as_treating.get(f"/clients/{team_client.pk}/export.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Attached documents (2)" in text
    assert "Referral from GP.pdf" in text and first.sha256[:20] in text
    assert "Entered in error" in text


# --- Query count --------------------------------------------------------------------------------------


def test_the_documents_card_costs_one_query_and_one_audit_row(
    attach, team_client, treating, screened, django_assert_num_queries, monkeypatch
):
    # The foundation's chart (pinned in test_client_chart.py) plus the Documents card
    # alone: the other apps' sections are pinned in their own tests.
    monkeypatch.setattr("core.composition.REGISTRY", composition.registry_only("clinic"))
    screened(yes={"dvt": "Swollen calf"}, client=team_client)
    for index in range(3):
        attach(name=f"letter-{index}.pdf")
    attach(name="consent.pdf", kind="consent")
    http = _http(treating)
    http.get("/ping")
    # The chart's floor (6 queries and its audit row, which names the documents listed),
    # then the documents with who attached them.
    with django_assert_num_queries(SIGNED_IN_FLOOR + 6 + 1 + audit_queries()):
        response = http.get(f"/clients/{team_client.pk}/", **BACKGROUND)
    assert response.status_code == 200
    assert response.content.decode().count("letter-") == 3


def test_a_named_supervisor_gets_the_in_error_button_only_while_the_clinic_allows_it(
    attach, team_client, treating, colleague, desk
):
    from clinic import services as clinic_services

    document = attach()
    clinic_services.user_update(user=treating, by=desk, data={"supervisors": [colleague]})
    in_error_url = f"/documents/{document.pk}/in-error/"
    chart = _http(colleague).get(f"/clients/{team_client.pk}/").content.decode()
    assert in_error_url not in chart  # named, but the clinic has not allowed supervisors

    clinic_services.clinic_profile_update(by=desk, data={"named_supervisors_allowed": True})
    chart = _http(colleague).get(f"/clients/{team_client.pk}/").content.decode()
    assert in_error_url in chart
    response = _http(colleague).post(in_error_url, {"reason": "Another client's letter."})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.in_error_by == colleague
