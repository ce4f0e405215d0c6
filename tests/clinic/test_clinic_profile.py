"""/clinic/profile/: admins edit the letterhead; the logo is validated and re-encoded."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from audit.models import AuditEvent
from clinic.models import ClinicProfile


def _profile_form(**overrides) -> dict:
    data = {
        "name": "Northside Sports Massage",
        "address": "14 Mill Lane",
        "phone": "+44 20 7946 0321",
        "email": "hello@northside.example",
        "website": "northside.example",
        "paper_size": "LETTER",
    }
    data.update(overrides)
    return data


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (64, 32), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    exif[0x8825] = {2: (51.0, 30.0, 0.0), 1: "N"}  # GPS position
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _upload(content: bytes, name: str = "logo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _stored_logo() -> Image.Image:
    profile = ClinicProfile.load()
    with profile.logo.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_admin_saves_the_profile_and_paper_size(as_desk, desk):
    response = as_desk.post("/clinic/profile/", _profile_form())
    assert response.status_code == 302
    profile = ClinicProfile.load()
    assert (profile.name, profile.paper_size) == ("Northside Sports Massage", "LETTER")
    event = AuditEvent.objects.get(action="update", object_type="clinic.clinicprofile")
    assert event.actor == desk
    assert "paper_size" in event.detail["fields"]


def test_logo_is_re_encoded_as_png_without_exif(as_desk):
    original = _jpeg_with_exif()
    assert b"SecretCam" in original  # the test file really carries EXIF
    response = as_desk.post("/clinic/profile/", {**_profile_form(), "logo_upload": _upload(original)})
    assert response.status_code == 302
    logo = _stored_logo()
    assert logo.format == "PNG"
    assert logo.size == (64, 32)
    assert not logo.getexif()
    assert "exif" not in logo.info
    with ClinicProfile.load().logo.open("rb") as handle:
        raw = handle.read()
    assert b"SecretCam" not in raw and b"Editor 1.0" not in raw


def test_logo_is_served_to_signed_in_users_only(as_desk, as_treating, anon):
    as_desk.post("/clinic/profile/", {**_profile_form(), "logo_upload": _upload(_jpeg_with_exif())})
    response = as_treating.get("/clinic/logo")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert anon.get("/clinic/logo").status_code == 302


def test_no_logo_answers_404_and_the_logo_url_is_get_only(as_treating):
    assert as_treating.get("/clinic/logo").status_code == 404
    assert as_treating.post("/clinic/logo").status_code == 405


def test_camera_orientation_is_applied_before_the_tag_is_dropped(as_desk):
    image = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    as_desk.post("/clinic/profile/", {**_profile_form(), "logo_upload": _upload(out.getvalue())})
    assert _stored_logo().size == (20, 40)


def test_large_logo_is_scaled_down(as_desk):
    out = io.BytesIO()
    Image.new("RGB", (3000, 1500), "navy").save(out, format="PNG")
    as_desk.post(
        "/clinic/profile/",
        {**_profile_form(), "logo_upload": _upload(out.getvalue(), "big.png", "image/png")},
    )
    assert _stored_logo().size == (1200, 600)


def test_a_file_that_is_not_an_image_is_refused_next_to_the_field(as_desk):
    fake = _upload(b"%PDF-1.4 not an image at all", "logo.jpg")
    response = as_desk.post("/clinic/profile/", {**_profile_form(name="Changed"), "logo_upload": fake})
    assert response.status_code == 200
    assert response.context["form"].errors["logo_upload"]
    assert b'id="error_1_id_logo_upload"' in response.content
    profile = ClinicProfile.load()
    assert not profile.logo
    assert profile.name != "Changed"


def test_an_image_with_too_many_pixels_is_refused(as_desk):
    out = io.BytesIO()
    Image.new("1", (9000, 5000)).save(out, format="PNG")  # 45 megapixels, a small file
    response = as_desk.post(
        "/clinic/profile/",
        {**_profile_form(), "logo_upload": _upload(out.getvalue(), "huge.png", "image/png")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["logo_upload"] == [
        "The image has too many pixels (40 megapixels at most)."
    ]
    assert not ClinicProfile.load().logo


def test_an_image_over_the_size_limit_is_refused(as_desk, settings):
    settings.KC_MAX_IMAGE_BYTES = 2048
    out = io.BytesIO()
    Image.effect_noise((200, 200), 64).convert("RGB").save(out, format="PNG")
    assert len(out.getvalue()) > 2048
    response = as_desk.post(
        "/clinic/profile/",
        {**_profile_form(), "logo_upload": _upload(out.getvalue(), "noise.png", "image/png")},
    )
    assert response.context["form"].errors["logo_upload"] == ["The image is larger than 2.0\xa0KB."]
    assert not ClinicProfile.load().logo


def test_a_decompression_bomb_is_refused(as_desk):
    out = io.BytesIO()
    Image.new("1", (20000, 10000)).save(out, format="PNG")  # 200 megapixels
    response = as_desk.post(
        "/clinic/profile/",
        {**_profile_form(), "logo_upload": _upload(out.getvalue(), "bomb.png", "image/png")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["logo_upload"]
    assert not ClinicProfile.load().logo


def test_admin_removes_the_logo(as_desk):
    as_desk.post("/clinic/profile/", {**_profile_form(), "logo_upload": _upload(_jpeg_with_exif())})
    name = ClinicProfile.load().logo.name
    storage = ClinicProfile.load().logo.storage
    assert storage.exists(name)
    with pytest.MonkeyPatch.context() as patch:
        # on_commit callbacks run at once inside the test transaction
        patch.setattr("django.db.transaction.on_commit", lambda func, using=None, robust=False: func())
        as_desk.post("/clinic/profile/", {**_profile_form(), "remove_logo": "on"})
    assert not ClinicProfile.load().logo
    assert not storage.exists(name)


@pytest.mark.parametrize(
    "field, value",
    [("email", "nope"), ("name", ""), ("name", "n" * 121), ("paper_size", "A3")],
)
def test_bad_input_is_refused_next_to_the_field(as_desk, field, value):
    response = as_desk.post("/clinic/profile/", _profile_form(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="error_1_id_{field}"'.encode() in response.content
    assert ClinicProfile.load().paper_size == "A4"


def test_owner_may_edit_the_profile(as_owner):
    assert as_owner.get("/clinic/profile/").status_code == 200


def test_therapist_gets_404(as_treating):
    assert as_treating.get("/clinic/profile/").status_code == 404
    assert as_treating.post("/clinic/profile/", _profile_form()).status_code == 404
    assert ClinicProfile.load().paper_size == "A4"


def test_anonymous_visitor_is_sent_to_login(anon, db):
    response = anon.get("/clinic/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("method", ["put", "delete"])
def test_profile_refuses_other_methods(as_desk, method):
    assert getattr(as_desk, method)("/clinic/profile/").status_code == 405
