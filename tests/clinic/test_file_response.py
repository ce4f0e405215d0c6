"""Every file the product hands to the browser goes through ``core.http.file_response``:
a name the browser can save safely, never cached, never sniffed as another type."""

from __future__ import annotations

import pytest

from core.http import file_response, safe_filename


@pytest.mark.parametrize(
    ("given", "saved"),
    [
        ("visit-note-Raman-Priya-2026-03-01.pdf", "visit-note-Raman-Priya-2026-03-01.pdf"),
        ("IMG_0001.jpg", "IMG_0001.jpg"),
        ("../../etc/passwd", "etc-passwd"),
        ("C:\\reports\\scan.pdf", "C-reports-scan.pdf"),
        ('quote" and\r\nnew line.pdf', "quote- and-new line.pdf"),
        (".hidden", "hidden"),
        ("", "download"),
        ("///", "download"),
    ],
)
def test_the_file_name_is_safe_to_save(given, saved):
    assert safe_filename(given) == saved


def test_a_long_name_keeps_its_extension():
    name = safe_filename("x" * 300 + ".pdf")
    assert len(name) == 150 and name.endswith("x.pdf")


def test_a_download_is_an_attachment_never_cached_or_sniffed():
    response = file_response(b"%PDF", content_type="application/pdf", filename="../letter.pdf")
    assert response["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == b"%PDF"


def test_a_printout_opens_in_the_browser():
    response = file_response(b"%PDF", content_type="application/pdf", filename="handout.pdf", inline=True)
    assert response["Content-Disposition"] == 'inline; filename="handout.pdf"'


def test_a_name_beyond_ascii_is_kept_for_the_browser():
    response = file_response(b"x", content_type="text/plain", filename="Zoë Müller.txt")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Zo%C3%AB%20M%C3%BCller.txt"
