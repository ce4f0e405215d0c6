"""Hypothesis strategies for printouts: free text as clinics receive it.

A generated text mixes marker words (plain ASCII, so they must come back out of
the PDF's text layer) with what breaks layouts: unbroken runs of thousands of
characters, combining marks, right-to-left script, emoji, control characters,
line-end variants and markup-like text."""

from __future__ import annotations

import io
from dataclasses import dataclass

from hypothesis import strategies as st
from pypdf import PdfReader

NASTY = [
    "<b>",
    "</para>",
    "<br/>",
    "&",
    "&amp;",
    "&#0;",
    "<font size=40>",
    "e\u0301\u0301\u0301",
    "\u202eevil\u202c",
    "שלום עולם",
    "مرحبا",
    "😀👍🏽",
    "中文字符",
    "\x00",
    "\x1b[31m",
    "\x7f\x85",
    "\r\n",
    "\r",
    "\t",
    "\u200b",
    "\ufeff",
    "\n\n\n",
]

_marker = st.from_regex(r"[A-Z][a-z]{5,9}", fullmatch=True)
_run = st.tuples(st.sampled_from("xW.-/0é😀\u0301"), st.integers(200, 3000)).map(lambda t: t[0] * t[1])
_noise = st.one_of(
    st.sampled_from(NASTY),
    st.text(min_size=1, max_size=40),
    _run,
)


@dataclass(frozen=True)
class Text:
    """A generated text and the marker words it holds."""

    text: str
    markers: tuple[str, ...]


@st.composite
def texts(draw, *, max_parts: int = 12) -> Text:
    markers = draw(st.lists(_marker, min_size=1, max_size=4))
    noise = draw(st.lists(_noise, max_size=max_parts))
    parts = [*markers, *noise]
    order = draw(st.permutations(range(len(parts))))
    # Markers stand alone between spaces so line wrapping never cuts one.
    return Text(" ".join(f" {parts[i]} " for i in order), tuple(markers))


def pdf_text(pdf: bytes) -> tuple[int, str]:
    """The page count and the text layer with all whitespace removed (lines wrap
    wherever the layout puts them)."""
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    return len(reader.pages), text


def assert_printed(pdf: bytes, *samples: Text) -> str:
    pages, text = pdf_text(pdf)
    assert pages >= 1
    for sample in samples:
        for marker in sample.markers:
            assert marker in text, f"{marker!r} is missing from the printout"
    return text
