"""The shared PDF building blocks that keep any stored text printable."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth

from core.pdf import (
    CELL_LINES,
    CHUNK_CHARS,
    CHUNK_LINES,
    cell,
    chunks,
    clip,
    fit_line,
    paragraphs,
    plain,
    wrap_lines,
)

_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(" \n.,;x")), max_size=12_000
) | st.integers(0, 12_000).map(lambda n: "x" * n)


@settings(max_examples=60, deadline=None)
@given(_text)
def test_chunks_are_bounded_and_lose_only_the_break_they_were_cut_at(text):
    pieces = chunks(text)
    assert all(len(p) <= CHUNK_CHARS and p.count("\n") < CHUNK_LINES for p in pieces)
    joined = "".join(pieces)
    # Every non-space character survives, in order.
    assert [c for c in joined if c not in " \n"] == [c for c in text if c not in " \n"]


@settings(max_examples=60, deadline=None)
@given(_text, st.sampled_from([40.0, 120.0, 480.0]))
def test_wrapped_lines_fit_the_width_and_keep_every_character(text, width):
    lines = wrap_lines(text, "Helvetica", 10, width)
    for line in lines:
        assert stringWidth(line, "Helvetica", 10) <= width + 0.01 or len(line) == 1
    assert "".join("".join(lines).split()) == "".join(plain(text).split())


def test_plain_drops_control_characters_and_lone_surrogates_but_keeps_line_breaks():
    assert plain("a\x00b\x1b[1m\r\nc\rd\te\ud800") == "ab[1m\nc\nd e\ufffd"


def test_clip_and_fit_line_cut_with_an_ellipsis():
    assert clip("short", 10) == "short"
    assert clip("word " * 100, 20).endswith("…") and len(clip("word " * 100, 20)) <= 21
    line = fit_line("Ann " * 5_000 + "· DOB 1980-01-02", "Helvetica", 9, 300)
    assert line.endswith("…") and stringWidth(line, "Helvetica", 9) <= 300


def test_a_long_cell_is_shortened_and_its_full_text_kept_for_below_the_table():
    style = ParagraphStyle("t", fontName="Helvetica", fontSize=10, leading=12)
    overflow: list = []
    short = cell("Calf", style, 60, overflow=overflow, label="Treatment 1, Region")
    assert overflow == [] and "Calf" in short.text
    # A treatment note of its full 200 characters stays in its column of the note PDF.
    note = ("Eased after five minutes; client reports less tightness on stairs. " * 3)[:200]
    kept = cell(note, style, 81, overflow=overflow, label="Treatment 1, Note")
    assert overflow == [] and kept.wrap(81, 10_000)[1] <= CELL_LINES * 12
    long = cell("x" * 5_000, style, 60, overflow=overflow, label="Treatment 1, Note")
    assert overflow == [("Treatment 1, Note", "x" * 5_000)]
    assert "in full below the table" in long.text
    assert long.wrap(60, 10_000)[1] <= (CELL_LINES + 2) * 12


def test_paragraphs_escape_user_text_and_keep_the_trusted_lead():
    parts = paragraphs("<b>not bold</b> & more", ParagraphStyle("t"), lead="<b>Notes:</b>")
    assert len(parts) == 1
    # One short piece is laid out without markup; where ReportLab lays it out, this is its markup.
    assert parts[0]._paragraph().text == "<b>Notes:</b> &lt;b&gt;not bold&lt;/b&gt; &amp; more"
    two = paragraphs("<b>not bold</b>\n& more", ParagraphStyle("t"), lead="<b>Notes:</b>")
    assert two[0].text == "<b>Notes:</b> &lt;b&gt;not bold&lt;/b&gt;<br/>&amp; more"


_cell_text = st.text(alphabet=st.sampled_from("ab Wiéé·–.,&<>\u00a0\u00ad\t"), max_size=700) | st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=30), max_size=80
).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(_cell_text, st.sampled_from([20.0, 66.0, 120.0, 480.0]), st.booleans())
def test_a_plain_line_lays_out_as_its_paragraph_does(text, width, bold):
    from reportlab.platypus import Paragraph

    from core.pdf import _Line, esc, line, styles

    style = styles(10)["cell"]
    fast = line(text, style, bold=bold)
    markup = esc(text)
    reference = Paragraph(f"<b>{markup}</b>" if bold and markup else markup, style)
    assert fast.wrap(width, 10_000) == reference.wrap(width, 10_000)
    if isinstance(fast, _Line) and fast._para is None:
        lines = reference.blPara.lines
        assert len(fast._lines) == len(lines)
        if reference.blPara.kind == 0:  # one fragment: its lines are (room left, words)
            assert fast._lines == [" ".join(words) for _, words in lines]
        assert " ".join(fast._lines) == " ".join(plain(text).split())


def _drawn(flowable, width: float) -> list[tuple]:
    """What a flowable prints, as (font, size, x, y, text) of each run of text."""
    import io

    from pypdf import PdfReader
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=0)
    _, height = flowable.wrap(width, 10_000)
    flowable.drawOn(canvas, 40, 800 - height)
    canvas.showPage()
    canvas.save()
    runs: list[tuple] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((font["/BaseFont"], size * tm[0] * cm[0], round(x, 3), round(y, 3), text))

    page = PdfReader(buffer).pages[0]
    page.extract_text(visitor_text=visit)
    return runs


_labels = st.sampled_from(
    ["Chief complaint:", "Today's focus:", "A & B <c>:", "Other records mentioned:", "Reason:"]
)
_widths = st.sampled_from([20.0, 66.0, 120.0, 300.0, 480.0])


@settings(max_examples=150, deadline=None)
@given(_cell_text, _widths, _labels, st.sampled_from(["body", "cell"]))
def test_a_bold_label_before_plain_text_lays_out_and_prints_as_its_paragraph_does(text, width, label, name):
    from reportlab.platypus import Paragraph

    from core.pdf import _Line, esc, line, paragraphs, styles

    style = styles(12)[name]
    fast = line(text, style, label=label)
    markup = esc(text)
    reference = Paragraph(f"<b>{esc(label)}</b> {markup}" if markup else f"<b>{esc(label)}</b>", style)
    assert fast.wrap(width, 10_000) == reference.wrap(width, 10_000)
    assert _drawn(fast, width) == _drawn(reference, width)
    if isinstance(fast, _Line) and fast._para is None:
        assert len(fast._lines) == len(reference.blPara.lines)
        assert " ".join(fast._lines) == " ".join(f"{label} {plain(text)}".split())
    # The printouts' free text takes the same way for a single short piece.
    if plain(text).strip() and "\n" not in plain(text):
        (piece,) = paragraphs(text, style, lead=f"<b>{esc(label)}</b>")
        assert piece.wrap(width, 10_000) == reference.wrap(width, 10_000)
