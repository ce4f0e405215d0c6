"""The client's home-program handout: a pure render function.

``render_handout(data) -> bytes`` takes everything already fetched (see
``HandoutData``), runs no queries and escapes every piece of user text before
it enters ReportLab markup. ``handout_data_for(versions, ...)`` in this module
turns loaded program versions into that data.
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.utils import timezone
from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth, unicode2T1
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Image,
    PageBreak,
    Spacer,
    Table,
    TableStyle,
)

from core.pdf import (
    ACCENT,
    INK,
    MUTED,
    RULE,
    Letterhead,
    Paragraph,
    build_pdf,
    clip,
    esc,
    fit_line,
    letterhead_flowables,
    page_size,
    styles,
    wrap_lines,
)
from programs.drawings import drawing

# ASCII85-wrapping every compressed stream is a 7-bit-transport relic that cost a
# fifth of the handout's render time in pure-Python ReportLab. Binary streams
# are standard PDF. Set once at import (never toggled), so it is the same for
# every PDF this process writes.
rl_config.useA85 = 0

GREEN = colors.HexColor("#027a48")
AMBER = colors.HexColor("#b54708")
RED = colors.HexColor("#b42318")
GREEN_BG = colors.HexColor("#ecfdf3")
AMBER_BG = colors.HexColor("#fffaeb")
RED_BG = colors.HexColor("#fef3f2")
BOX_BG = colors.HexColor("#f2f6fe")

PAIN_MODEL_CITATION = "Silbernagel 2007"
SIDE_WORDS = {"L": "Left side", "R": "Right side", "B": "Both sides", "": ""}
WEEKDAYS = ["Day 1", "Day 2", "Day 3", "Day 4", "Day 5", "Day 6", "Day 7"]


@dataclass(frozen=True)
class HandoutExercise:
    name: str
    steps: list[str]
    sets: int
    reps: int | None = None
    hold_seconds: int | None = None
    tempo: str = ""
    frequency: str = ""
    side: str = ""
    load_note: str = ""
    therapist_note: str = ""
    why: str = ""
    cues: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)
    dosage_note: str = ""
    citation: str = ""
    dosage_confirmed: bool = True
    drawing_key: str = ""
    image: bytes | None = None
    video_url: str = ""
    is_advice: bool = False


@dataclass(frozen=True)
class HandoutProgram:
    client_name: str
    client_dob: date | None
    therapist: str
    issued_on: date
    start_date: date
    review_date: date | None
    version_number: int
    exercises: list[HandoutExercise]


@dataclass(frozen=True)
class HandoutData:
    letterhead: Letterhead
    programs: list[HandoutProgram]
    green_max: int = 2
    amber_max: int = 5
    # The address of the client's own view, printed as a QR code on the first page when
    # a link was issued for this print (never stored, and never cached here).
    phone_link: str = ""


def _fmt(day: date | None) -> str:
    return day.strftime("%d %b %Y") if day else "-"


def _footer_name(program: HandoutProgram) -> str:
    dob = f" · born {_fmt(program.client_dob)}" if program.client_dob else ""
    return f"{clip(program.client_name, 60)}{dob}"


def _qr_png_uncached(url: str) -> bytes:
    """The QR code for ``url`` as a small black-and-white PNG, 8 px per module.

    ReportLab's QR widget computes the code; drawing its hundreds of squares as
    vector shapes dominated the render time, so the modules become pixels."""
    widget = QrCodeWidget(url, barLevel="M")
    widget.draw()
    qr = widget.qr
    count = qr.getModuleCount()
    quiet = 4
    side = count + 2 * quiet
    image = PILImage.new("1", (side, side), 1)
    pixels = image.load()
    assert pixels is not None  # a new image holds its pixels
    for row in range(count):
        for col in range(count):
            if qr.isDark(row, col):
                pixels[col + quiet, row + quiet] = 0
    image = image.resize((side * 8, side * 8), PILImage.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


# Video addresses repeat on every handout; a client's own link is drawn once, uncached.
_qr_png = lru_cache(maxsize=256)(_qr_png_uncached)


def _qr(url: str, size: float, *, cached: bool = True) -> Image:
    png = _qr_png(url) if cached else _qr_png_uncached(url)
    img = Image(io.BytesIO(png), width=size, height=size)
    img.hAlign = "LEFT"
    return img


@lru_cache(maxsize=128)
def _drawing_ops(key: str, width: float) -> tuple[float, float, str]:
    """PDF drawing operators for a built-in illustration, captured once.

    The drawings hold no text and no images, so their content-stream operators
    can be replayed on any canvas; rendering them shape by shape each time was
    a large part of the handout's render time."""

    d = drawing(key, width)
    scratch = Canvas(io.BytesIO(), pageCompression=0)
    before = len(scratch._code)
    renderPDF.draw(d, scratch, 0, 0, showBoundary=False)
    return d.width, d.height, "\n".join(scratch._code[before:])


class _Illustration(Flowable):
    def __init__(self, key: str, width: float):
        super().__init__()
        self.width, self.height, self.ops = _drawing_ops(key, width)

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.canv.saveState()
        self.canv._code.append(self.ops)
        self.canv.restoreState()


class _ClientMarker(Flowable):
    """Zero-size flowable: from here on the footer names this client (batch print)."""

    def __init__(self, state: dict, name: str):
        super().__init__()
        self.state, self.name = state, name
        self.width = self.height = 0

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.state["name"] = self.name


def _picture(ex: HandoutExercise, width: float) -> Flowable | None:
    if ex.image:
        try:
            img = Image(io.BytesIO(ex.image))
            ratio = img.imageHeight / float(img.imageWidth or 1)
            img.drawWidth = width
            img.drawHeight = min(width * ratio, 70 * mm)
            if width * ratio > 70 * mm:
                img.drawWidth = 70 * mm / ratio
            return img
        except Exception:  # an unreadable stored image falls back to the drawing
            pass
    if ex.drawing_key:
        return _Illustration(ex.drawing_key, width)
    return None


# Bytes that PDF string syntax needs escaped; most text has none.
_NEEDS_ESCAPE = re.compile(rb"[^\x20-\x7e]|[()\\]")


def _emit_text(canvas, font_name: str, size: float, runs: list[tuple[float, float, str]]) -> None:
    """Write strings at given positions as one PDF text object.

    Does what canvas.drawString does for the standard fonts (including the
    switch to a substitution font for characters the font lacks) without
    building a text object and measuring every string, which pure-Python
    ReportLab makes the slowest part of drawing a page."""
    font = getFont(font_name)
    fonts = [font, *font.substitutionFonts]
    doc = canvas._doc
    base = doc.getInternalFontName(font_name)
    size_s = f"{size:g}"
    out = [f"BT {base} {size_s} Tf"]
    for x, y, text in runs:
        out.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
        current = font
        for run_font, chunk in unicode2T1(text, fonts):
            if run_font is not current:
                out.append(f"{doc.getInternalFontName(run_font.fontName)} {size_s} Tf")
                current = run_font
            plain = not _NEEDS_ESCAPE.search(chunk)
            out.append(f"({chunk.decode('latin-1') if plain else canvas._escape(chunk)}) Tj")
        if current is not font:
            out.append(f"{base} {size_s} Tf")
    out.append("ET")
    canvas._code.append(" ".join(out))


class _DosageBox(Flowable):
    """The dosage in big bold type: a row of labelled boxes drawn straight on the
    canvas (a Table did the same job several times slower)."""

    def __init__(self, cells: list[tuple[str, str]], width: float):
        super().__init__()
        weights = [0.55 if label in ("Sets", "Reps", "Hold") else 1.25 for label, _ in cells]
        total = sum(weights)
        self.cells = cells
        self.col_widths = [width * w / total for w in weights]
        # Dosage values are short fields; the cut only guards the box's height.
        self.values = [
            wrap_lines(clip(value, 120), "Helvetica-Bold", 12.5, col_w - 8)
            for (_, value), col_w in zip(cells, self.col_widths, strict=True)
        ]
        self.width = width
        self.height = 3 + 12 + 2 + 15 * max(len(v) for v in self.values) + 4

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        c = self.canv
        c.saveState()
        c.setFillColor(BOX_BG)
        c.setStrokeColor(ACCENT)
        c.setLineWidth(1.2)
        c.rect(0, 0, self.width, self.height, stroke=1, fill=1)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.4)
        x = 0.0
        labels: list[tuple[float, float, str]] = []
        values: list[tuple[float, float, str]] = []
        for i, ((label, _), lines, col_w) in enumerate(
            zip(self.cells, self.values, self.col_widths, strict=True)
        ):
            if i:
                c.line(x, 0, x, self.height)
            labels.append((x + 4, self.height - 13, label))
            y = self.height - 30
            for line in lines:
                values.append((x + 4, y, line))
                y -= 15
            x += col_w
        c.setFillColor(MUTED)
        _emit_text(c, "Helvetica", 10, labels)
        c.setFillColor(INK)
        _emit_text(c, "Helvetica-Bold", 12.5, values)
        c.restoreState()


def _dosage_box(ex: HandoutExercise, width: float) -> Flowable:
    if ex.is_advice:
        # Advice has no sets or reps: only when to follow it.
        cells = [("How often", ex.frequency or "-")]
        if ex.side:
            cells.append(("Side", SIDE_WORDS.get(ex.side, ex.side)))
        return _DosageBox(cells, width)
    cells = [("Sets", str(ex.sets))]
    if ex.reps:
        cells.append(("Reps", str(ex.reps)))
    if ex.hold_seconds:
        cells.append(("Hold", f"{ex.hold_seconds} s"))
    if ex.tempo:
        cells.append(("Speed", ex.tempo))
    cells.append(("How often", ex.frequency or "-"))
    if ex.side:
        cells.append(("Side", SIDE_WORDS.get(ex.side, ex.side)))
    return _DosageBox(cells, width)


class _Card(Flowable):
    """An exercise card: picture (and QR) on the left, text on the right.

    Lays its parts out once per width instead of the several passes a Table
    makes over Paragraphs in cells; keeps the handout fast to render."""

    def __init__(self, left: list[Flowable], right: list[Flowable], left_width: float, gap: float = 5 * mm):
        super().__init__()
        self.left, self.right, self.left_width, self.gap = left, right, left_width, gap
        self._layout_for: float | None = None

    def _layout(self, width: float):
        if self._layout_for == width:
            return
        right_w = width - self.left_width - self.gap
        self._left_sizes = [f.wrap(self.left_width, 1000) for f in self.left]
        self._right_sizes = []
        for f in self.right:
            w, h = f.wrap(right_w, 1000)
            self._right_sizes.append((w, h, f.getSpaceBefore(), f.getSpaceAfter()))
        left_h = sum(h for _, h in self._left_sizes) + 3 * (len(self.left) - 1)
        right_h = sum(h + b + a for _, h, b, a in self._right_sizes)
        self.height = max(left_h, right_h) + 12
        self.width = width
        self._layout_for = width

    def wrap(self, available_width, available_height):
        self._layout(available_width)
        return self.width, self.height

    def split(self, available_width, available_height):
        """A card taller than the space left (long steps, a long note) continues
        on the next page: each column is cut where the space runs out."""
        self._layout(available_width)
        if self.height <= available_height:
            return [self]
        room = available_height - 12
        left_head, left_tail = _split_column(self.left, self.left_width, room, fixed_gap=3)
        right_w = available_width - self.left_width - self.gap
        right_head, right_tail = _split_column(self.right, right_w, room)
        if not left_head and not right_head:
            return []
        if not left_tail and not right_tail:
            return [self]
        return [
            _Card(left_head, right_head, self.left_width, self.gap),
            _Card(left_tail, right_tail, self.left_width, self.gap),
        ]

    def draw(self):
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(1)
        canvas.line(0, self.height, self.width, self.height)
        canvas.restoreState()
        y = self.height - 8
        for f, (_, h) in zip(self.left, self._left_sizes, strict=True):
            y -= h
            f.drawOn(canvas, 0, y)
            y -= 3
        y = self.height - 8
        x = self.left_width + self.gap
        for f, (_, h, before, after) in zip(self.right, self._right_sizes, strict=True):
            y -= before + h
            f.drawOn(canvas, x, y)
            y -= after


def _split_column(
    flowables: list[Flowable], width: float, room: float, *, fixed_gap: float | None = None
) -> tuple[list[Flowable], list[Flowable]]:
    """The flowables of one card column that fit in ``room``, and the rest; the
    first that does not fit is split when it can be (a long step, a long note).

    Heights are counted as ``_Card._layout`` counts them: ``fixed_gap`` between
    flowables (left column), or each flowable's space before and after (right)."""
    head: list[Flowable] = []
    used = 0.0
    for index, f in enumerate(flowables):
        _, h = f.wrap(width, room)
        if fixed_gap is not None:
            extra = fixed_gap if head else 0.0
        else:
            extra = f.getSpaceBefore() + f.getSpaceAfter()
        # A part fits only with the space the card's height counts for it.
        if used + extra + h <= room:
            head.append(f)
            used += extra + h
            continue
        left_over = room - used - extra
        parts = f.split(width, left_over) if left_over > 0 else []
        if len(parts) > 1:
            head.append(parts[0])
            return head, [*parts[1:], *flowables[index + 1 :]]
        return head, list(flowables[index:])
    return head, []


@lru_cache(maxsize=8192)
def _word_width(word: str, font: str, size: float) -> float:
    # Font metrics of a word never change; without ReportLab's C accelerator
    # measuring text is the slowest step of laying out a handout.
    return stringWidth(word, font, size)


class _Text(Flowable):
    """Plain text with an optional bold lead-in ("Why:", "1."), word-wrapped and
    drawn with drawString.

    No markup is parsed, so user text is drawn exactly as typed (nothing to
    escape) and the exercise cards lay out several times faster than with
    Paragraph. ``hanging`` indents continuation lines under the text (for
    numbered steps)."""

    def __init__(
        self,
        text: str,
        *,
        lead: str = "",
        size: float = 12,
        bold: bool = False,
        color=INK,
        lead_color=None,
        hanging: bool = False,
        space_after: float = 3,
    ):
        super().__init__()
        self.text, self.lead, self.size, self.bold = " ".join(str(text).split()), lead, size, bold
        self.color, self.lead_color = color, lead_color or color
        self.hanging, self.space_after = hanging, space_after
        self.leading = size * 1.3
        self.font = "Helvetica-Bold" if bold else "Helvetica"
        self._wrapped_for = None
        self._fixed = False  # a part of a split text keeps its lines
        self.first_x = None

    def _lines(self, width: float) -> list[str]:
        lead_w = _word_width(self.lead + " ", "Helvetica-Bold", self.size) if self.lead else 0
        self.lead_width = lead_w
        indent = lead_w if self.hanging else 0
        # Linear in the length of the text; a word wider than a line (a pasted link) is cut to fit.
        return wrap_lines(self.text, self.font, self.size, width - indent, first_width=width - lead_w)

    def wrap(self, available_width, available_height):
        if not self._fixed and self._wrapped_for != available_width:
            self.lines = self._lines(available_width)
            self.width = available_width
            self.height = len(self.lines) * self.leading
            self._wrapped_for = available_width
        return self.width, self.height

    def split(self, available_width, available_height):
        """Whole lines that fit, then the rest (a long step runs on to the next page)."""
        self.wrap(available_width, available_height)
        fit = int(available_height // self.leading)
        if fit >= len(self.lines):
            return [self]
        if fit <= 0:
            return []
        indent = self.lead_width if self.hanging else 0
        head, tail = copy.copy(self), copy.copy(self)
        head.lines, head.space_after = self.lines[:fit], 0
        tail.lines, tail.lead, tail.first_x = self.lines[fit:], "", indent
        for part in (head, tail):
            part._fixed = True
            part.height = len(part.lines) * part.leading
        return [head, tail]

    def getSpaceAfter(self):  # noqa: N802 - ReportLab's API
        return self.space_after

    def draw(self):
        canvas = self.canv
        y = self.height - self.size
        if self.lead:
            canvas.setFillColor(self.lead_color)
            _emit_text(canvas, "Helvetica-Bold", self.size, [(0, y, self.lead)])
        canvas.setFillColor(self.color)
        indent = self.lead_width if self.hanging else 0
        first_x = self.lead_width if self.first_x is None else self.first_x
        runs = []
        for i, line in enumerate(self.lines):
            runs.append((first_x if i == 0 else indent, y, line))
            y -= self.leading
        _emit_text(canvas, self.font, self.size, runs)


def _exercise_block(number: int, ex: HandoutExercise, st, width: float) -> Flowable:
    left_w = 56 * mm
    right_w = width - left_w - 5 * mm
    left: list[Flowable] = []
    picture = _picture(ex, left_w)
    if picture is not None:
        left.append(picture)
    if ex.video_url:
        left += [_qr(ex.video_url, 26 * mm), _Text("Scan for a video of this exercise", size=10, color=MUTED)]
    right: list[Flowable] = [_Text(f"{number}. {ex.name}", size=15, bold=True, space_after=2)]
    if ex.why:
        right.append(_Text(ex.why, lead="Why:", color=ACCENT))
    right += [Spacer(1, 1 * mm), _dosage_box(ex, right_w), Spacer(1, 2 * mm)]
    if ex.load_note:
        right.append(_Text(ex.load_note, lead="Load:"))
    for i, step in enumerate(ex.steps, start=1):
        right.append(_Text(step, lead=f"{i}.", hanging=True, space_after=2))
    # Tips and mistakes sit under the picture: the left column is otherwise mostly
    # empty, and a shorter card lets two exercises share a page.
    if ex.cues:
        left.append(_Text(" ".join(ex.cues), lead="Tips:"))
    if ex.mistakes:
        left.append(_Text(" ".join(ex.mistakes), lead="Avoid:"))
    if ex.therapist_note:
        right.append(_Text(ex.therapist_note, lead="From your therapist:"))
    # Whether a dosage is confirmed is for the therapist's screens; a client reads
    # the plan, not the state of the research.
    citation = _for_client(ex.citation)
    evidence = [
        text for text in (_for_client(ex.dosage_note), f"Source: {citation}" if citation else "") if text
    ]
    if evidence:
        right.append(Spacer(1, 1 * mm))
        right.append(_Text(" · ".join(evidence), size=10, color=MUTED))
    return _Card(left, right, left_w)


_UNCONFIRMED = re.compile(r"\[?\b(dosage\s+)?unconfirmed\b\]?", re.IGNORECASE)


def _for_client(text: str) -> str:
    """Library text as the client reads it: a note the therapist marked as
    unconfirmed is left off (that label stays on the therapist's screens)."""
    text = (text or "").strip()
    return "" if _UNCONFIRMED.search(text) else text


# "Stop and get help" (clinical reference R2.6), word for word.
STOP_TODAY = [
    "one calf or leg becomes swollen, red, hot or sore to touch. If you are also short of breath, have "
    "chest pain or cough up blood, <b>call the emergency number now</b>;",
    "you feel a pop or tear under your heel or arch, a bruise or swelling appears in your arch, or you "
    "suddenly cannot walk normally;",
    "you have a fever or feel unwell and your foot is red, hot or swollen;",
    "your foot turns pale, blue or cold, or a cut or blister will not heal (especially with diabetes).",
]
STOP_THIS_WEEK = [
    "your foot goes numb, tingles, burns or feels weak (with back pain and bladder or bowel changes, go "
    "to emergency now);",
    "pain wakes you at night or is there when you rest;",
    "your morning pain gets worse week after week although you follow the plan (tell your therapist too).",
]


def _stop_box(st, width: float) -> list[Flowable]:
    """The "stop and get help" box: red, boxed, near the top of the first page."""
    bullet = ParagraphStyle("kc-stop", parent=st["body"], leftIndent=12, bulletIndent=2, spaceAfter=2)
    head = ParagraphStyle("kc-stop-h", parent=st["body"], fontName="Helvetica-Bold", spaceBefore=2)
    rows = [[Paragraph(f'<font color="{RED.hexval()}">Stop and get help</font>', st["h2"])]]
    rows.append([Paragraph("Stop your exercises and get help <b>today</b> if:", head)])
    rows += [[Paragraph(text, bullet, bulletText="•")] for text in STOP_TODAY]
    rows.append([Paragraph("Stop and <b>book a doctor or physiotherapist this week</b> if:", head)])
    rows += [[Paragraph(text, bullet, bulletText="•")] for text in STOP_THIS_WEEK]
    table = Table(rows, colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.6, RED),
                ("BACKGROUND", (0, 0), (-1, -1), RED_BG),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return [Spacer(1, 3 * mm), table]


def _traffic_light(data: HandoutData, st, width: float) -> list[Flowable]:
    g, a = data.green_max, data.amber_max
    rows = [
        (GREEN, GREEN_BG, f"0 to {g}", "Fine. Carry on as planned."),
        (
            AMBER,
            AMBER_BG,
            f"{g + 1} to {a}",
            "Acceptable, as long as it has settled by the next morning. "
            "If it has not settled, treat it as red.",
        ),
        (
            RED,
            RED_BG,
            f"Over {a}",
            "Too much. Reduce: fewer reps, less load or fewer days. Tell your therapist if it stays high.",
        ),
    ]
    table_rows = []
    for ink, _bg, score, text in rows:
        table_rows.append(
            [
                Paragraph(f'<font color="{ink.hexval()}"><b>{score}</b></font>', st["body"]),
                Paragraph(esc(text), st["body"]),
            ]
        )
    table = Table(table_rows, colWidths=[32 * mm, width - 32 * mm])
    style = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BOX", (0, 0), (-1, -1), 0.8, RULE),
        ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
    ]
    for i, (ink, bg, _, _) in enumerate(rows):
        style += [("BACKGROUND", (0, i), (-1, i), bg), ("LINEBEFORE", (0, i), (0, i), 6, ink)]
    table.setStyle(TableStyle(style))
    return [
        Paragraph("How much pain is OK?", st["h2"]),
        Paragraph(
            "Rate your pain from 0 (none) to 10 (worst possible) during the exercises and again "
            "the next morning.",
            st["body"],
        ),
        Spacer(1, 2 * mm),
        table,
        Spacer(1, 2 * mm),
        Paragraph(
            "<b>Week to week:</b> your pain and stiffness on your first steps in the morning should not "
            "get worse from one week to the next. If they do, go back one step (fewer reps, less load or "
            "fewer days) for a week and tell your therapist. If it happens two weeks in a row, your "
            "therapist will review your plan with you.",
            st["body"],
        ),
        Paragraph(
            f"Adapted from the tendinopathy pain-monitoring model ({PAIN_MODEL_CITATION}), "
            "which was built for Achilles tendon pain.",
            st["small"],
        ),
    ]


class _TickGrid(Flowable):
    """One week of the tick sheet: exercise rows by seven day columns, drawn as a
    handful of lines rather than a Table of mostly empty cells."""

    def __init__(
        self,
        week: int,
        names: list[list[str]],
        width: float,
        name_w: float,
        *,
        continued: bool = False,
        pain_row: bool = True,
    ):
        super().__init__()
        self.week, self.names, self.width, self.name_w = week, names, width, name_w
        self.continued, self.pain_row = continued, pain_row
        self.day_w = (width - name_w) / 7
        self.rows = [7 * mm] + [max(8 * mm, 15 * (len(n) - 1) + 20) for n in names]
        if pain_row:
            self.rows.append(8 * mm)
        self.height = sum(self.rows)

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def split(self, available_width, available_height):
        """A long program's week continues on the next page, its day headings repeated."""
        if self.height <= available_height:
            return [self]
        used, fit = self.rows[0], 0
        for h in self.rows[1 : 1 + len(self.names)]:
            if used + h > available_height:
                break
            used, fit = used + h, fit + 1
        if fit == 0:
            return []
        if fit == len(self.names):
            fit -= 1  # the morning-pain row stays with at least one exercise
            if fit == 0:
                return []
        args = (self.week, None, self.width, self.name_w)
        head = _TickGrid(*args[:1], self.names[:fit], *args[2:], continued=self.continued, pain_row=False)
        tail = _TickGrid(*args[:1], self.names[fit:], *args[2:], continued=True, pain_row=self.pain_row)
        return [head, tail]

    def draw(self):
        c = self.canv
        c.saveState()
        c.setFillColor(BOX_BG)
        c.rect(0, self.height - self.rows[0], self.width, self.rows[0], stroke=0, fill=1)
        if self.pain_row:
            c.setFillColor(AMBER_BG)
            c.rect(0, 0, self.width, self.rows[-1], stroke=0, fill=1)
        c.setStrokeColor(MUTED)
        c.setLineWidth(0.6)
        y = self.height
        for h in [0, *self.rows]:
            y -= h
            c.line(0, y, self.width, y)
        xs = [0, self.name_w] + [self.name_w + self.day_w * i for i in range(1, 8)]
        for x in xs:
            c.line(x, 0, x, self.height)
        c.setFillColor(INK)
        top = self.height - self.rows[0]
        bold = [(4, top + 6, f"Week {self.week}{' (continued)' if self.continued else ''}")]
        if self.pain_row:
            bold.append((4, 7, "Morning pain 0–10"))
        for i, day in enumerate(WEEKDAYS):
            centre = self.name_w + self.day_w * (i + 0.5)
            bold.append((centre - _word_width(day, "Helvetica-Bold", 12) / 2, top + 6, day))
        plain = []
        y = top
        for lines, h in zip(self.names, self.rows[1 : 1 + len(self.names)], strict=True):
            text_y = y - (h - 15 * len(lines)) / 2 - 11
            for line in lines:
                plain.append((4, text_y, line))
                text_y -= 15
            y -= h
        _emit_text(c, "Helvetica-Bold", 12, bold)
        _emit_text(c, "Helvetica", 12, plain)
        c.restoreState()


def _tick_sheet(program: HandoutProgram, data: HandoutData, st, width: float) -> list[Flowable]:
    out: list[Flowable] = [
        PageBreak(),
        Paragraph("Tick sheet: 4 weeks", st["h2"]),
        Paragraph(
            "Tick a box each day you do the exercise. Write your next-morning pain (0 to 10) in the "
            "bottom row. Bring this sheet to your next visit.",
            st["body"],
        ),
        Paragraph(
            f'<font color="{GREEN.hexval()}"><b>0 to {data.green_max}</b></font>: fine, carry on. '
            f'<font color="{AMBER.hexval()}"><b>{data.green_max + 1} to {data.amber_max}</b></font>: '
            "acceptable if settled by the next morning. "
            f'<font color="{RED.hexval()}"><b>Over {data.amber_max}</b></font>: too much, cut back.',
            st["body"],
        ),
    ]
    name_w = 66 * mm
    names = [
        wrap_lines(clip(f"{i}. {ex.name}", 200), "Helvetica", 12, name_w - 8)[:2]
        for i, ex in enumerate(program.exercises, start=1)
    ]
    for week in range(1, 5):
        out += [Spacer(1, 4 * mm), _TickGrid(week, names, width, name_w)]
    return out


def _program_story(program: HandoutProgram, data: HandoutData, st, width: float) -> list[Flowable]:
    lh = data.letterhead
    story: list[Flowable] = letterhead_flowables(lh, "Your home exercise program", st, width)
    info = [
        [
            Paragraph("<b>For</b>", st["body"]),
            Paragraph(esc(clip(program.client_name, 200)), st["body"]),
            Paragraph("<b>Therapist</b>", st["body"]),
            Paragraph(esc(clip(program.therapist, 200)), st["body"]),
        ],
        [
            Paragraph("<b>Date</b>", st["body"]),
            Paragraph(_fmt(program.issued_on), st["body"]),
            Paragraph("<b>Review on</b>", st["body"]),
            Paragraph(_fmt(program.review_date), st["body"]),
        ],
    ]
    info_table = Table(info, colWidths=[width * 0.14, width * 0.36, width * 0.18, width * 0.32])
    info_table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    story += [Spacer(1, 3 * mm), info_table]
    count = len(program.exercises)
    story.append(
        Paragraph(
            f"Program version {program.version_number}, starting {_fmt(program.start_date)}: "
            f"{count} exercise{'s' if count != 1 else ''}. Do them as shown below, then fill in the tick "
            "sheet at the end. <b>Reps</b>: how many times you repeat the movement. <b>Sets</b>: how many "
            "rounds of those reps, with a short rest between. <b>Hold</b>: how long to stay still.",
            st["body"],
        )
    )
    if data.phone_link:
        story += _phone_link_box(data.phone_link, st, width)
    story += _stop_box(st, width)
    story += _traffic_light(data, st, width)
    story.append(Paragraph("Your exercises", st["h2"]))
    for i, ex in enumerate(program.exercises, start=1):
        story.append(_exercise_block(i, ex, st, width))
    contact = lh.contact_line or lh.name
    story += [
        Spacer(1, 4 * mm),
        Paragraph(
            f"<b>Questions, or pain that worries you?</b> Contact {esc(clip(lh.name, 120))}"
            + (f": {esc(clip(contact, 300))}" if lh.contact_line else "")
            + (f", {esc(clip(lh.address.replace(chr(10), ', '), 300))}" if lh.address else "")
            + ".",
            st["body"],
        ),
    ]
    story += _tick_sheet(program, data, st, width)
    return story


def _phone_link_box(url: str, st, width: float) -> list[Flowable]:
    """The QR code of the client's own view, with what it opens and how to keep it safe."""
    text = [
        Paragraph("<b>Your program on your phone</b>", st["body"]),
        Paragraph(
            "Scan the code with your phone's camera to see these exercises, tick them off and tell us how "
            "the pain was. The first time, you will be asked for your date of birth.",
            st["body"],
        ),
        Paragraph(
            "Keep this page to yourself: the code opens your own record. Ask the clinic to stop it if the "
            "page is lost.",
            st["small"],
        ),
    ]
    table = Table([[_qr(url, 30 * mm, cached=False), text]], colWidths=[34 * mm, width - 34 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BACKGROUND", (0, 0), (-1, -1), BOX_BG),
            ]
        )
    )
    return [Spacer(1, 3 * mm), table]


@lru_cache(maxsize=1)
def _styles():
    """The handout's paragraph styles, made once per process (nothing changes them)."""
    st = styles(12)

    # The sample sheet's body text adds 6 pt above every paragraph; inside an
    # exercise card that wastes a third of the page.
    st["body"] = ParagraphStyle("kc-hbody", parent=st["body"], spaceBefore=0, spaceAfter=3)
    st["h2"] = ParagraphStyle("kc-hh2", parent=st["h2"], keepWithNext=1)
    base = st["body"]
    st["ex_title"] = ParagraphStyle(
        "kc-ex", parent=base, fontName="Helvetica-Bold", fontSize=15, leading=19, textColor=INK, spaceAfter=2
    )
    st["why"] = ParagraphStyle("kc-why", parent=base, textColor=ACCENT)
    st["step"] = ParagraphStyle("kc-step", parent=base, leftIndent=14, firstLineIndent=-14, spaceAfter=2)
    st["box_label"] = ParagraphStyle("kc-bl", parent=base, fontSize=10, leading=12, textColor=MUTED)
    st["box_value"] = ParagraphStyle(
        "kc-bv", parent=base, fontName="Helvetica-Bold", fontSize=12.5, leading=15
    )
    st["cell_c"] = ParagraphStyle("kc-cc", parent=st["cell"], alignment=1)
    st["small"] = ParagraphStyle("kc-small2", parent=st["small"], fontSize=10, leading=12.5)
    return st


def render_handout(data: HandoutData) -> bytes:
    """One PDF holding every program in ``data`` (one for a handout, several for
    a batch print). Each program starts on a new page; the footer names its client."""
    if not data.programs:
        raise ValueError("No programs to print")
    st = _styles()
    width = page_size(data.letterhead.paper_size)[0] - 36 * mm
    state = {"name": _footer_name(data.programs[0])}
    story: list[Flowable] = []
    for index, program in enumerate(data.programs):
        if index:
            story += [_ClientMarker(state, _footer_name(program)), PageBreak()]
        story += _program_story(program, data, st, width)
    single = len(data.programs) == 1
    footer_width = page_size(data.letterhead.paper_size)[0] - 36 * mm - 40 * mm

    def on_page(canvas, document):
        if single:
            return
        canvas.saveState()
        canvas.setFont("Helvetica", 9)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 10 * mm, fit_line(state["name"], "Helvetica", 9, footer_width))
        canvas.restoreState()

    title = (
        f"Home program: {clip(data.programs[0].client_name, 100)}" if single else "Home programs issued today"
    )
    return build_pdf(
        story=story,
        paper_size=data.letterhead.paper_size,
        footer_left=_footer_name(data.programs[0]) if single else "",
        title=title,
        on_page=on_page,
    )


# --- From loaded models to handout data ---------------------------------------------


def _read_image(field_file) -> bytes | None:
    if not field_file:
        return None
    try:
        with field_file.open("rb") as handle:
            return handle.read()
    except OSError:
        return None


def program_for_handout(version, items) -> HandoutProgram:
    """Build one program's handout data from a version (client and signer loaded)
    and its items (exercise loaded). No queries beyond reading stored images."""
    client = version.client
    exercises = []
    for item in items:
        ex = item.exercise
        exercises.append(
            HandoutExercise(
                name=ex.name,
                steps=ex.step_list,
                sets=item.sets,
                reps=item.reps,
                hold_seconds=item.hold_seconds,
                tempo=item.tempo,
                frequency=item.frequency,
                side=item.side,
                load_note=item.load_note,
                therapist_note=item.therapist_note,
                why=item.reason,
                cues=ex.cue_list,
                mistakes=ex.mistake_list,
                dosage_note=ex.dosage_note,
                citation=ex.citation,
                dosage_confirmed=ex.dosage_confirmed,
                drawing_key=ex.drawing,
                image=_read_image(ex.illustration),
                video_url=ex.video_url,
                is_advice=ex.is_advice,
            )
        )
    signer = version.signed_by
    return HandoutProgram(
        client_name=client.full_name,
        client_dob=client.date_of_birth,
        therapist=version.signature_line or (signer.signature_line if signer else ""),
        issued_on=timezone.localtime(version.signed_at).date() if version.signed_at else version.start_date,
        start_date=version.start_date,
        review_date=version.review_date,
        version_number=version.number or 0,
        exercises=exercises,
    )
