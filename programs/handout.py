"""The client's home-program handout: a pure render function.

``render_handout(data) -> bytes`` takes everything already fetched (see
``HandoutData``), runs no queries and escapes every piece of user text before
it enters ReportLab markup. ``handout_data_for(versions, ...)`` in this module
turns loaded program versions into that data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.utils import timezone
from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from clinic.pdf import (
    ACCENT,
    INK,
    MUTED,
    RULE,
    Letterhead,
    build_pdf,
    esc,
    letterhead_flowables,
    page_size,
    styles,
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


def _fmt(day: date | None) -> str:
    return day.strftime("%d %b %Y") if day else "-"


def _footer_name(program: HandoutProgram) -> str:
    dob = f" · born {_fmt(program.client_dob)}" if program.client_dob else ""
    return f"{program.client_name}{dob}"


@lru_cache(maxsize=256)
def _qr_png(url: str) -> bytes:
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
    for row in range(count):
        for col in range(count):
            if qr.isDark(row, col):
                pixels[col + quiet, row + quiet] = 0
    image = image.resize((side * 8, side * 8), PILImage.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _qr(url: str, size: float) -> Image:
    img = Image(io.BytesIO(_qr_png(url)), width=size, height=size)
    img.hAlign = "LEFT"
    return img


@lru_cache(maxsize=128)
def _drawing_ops(key: str, width: float) -> tuple[float, float, str]:
    """PDF drawing operators for a built-in illustration, captured once.

    The drawings hold no text and no images, so their content-stream operators
    can be replayed on any canvas; rendering them shape by shape each time was
    a large part of the handout's render time."""
    from reportlab.graphics import renderPDF
    from reportlab.pdfgen.canvas import Canvas

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


def _dosage_box(ex: HandoutExercise, width: float) -> Table:
    """The dosage in big bold type. Plain strings (pre-split), not Paragraphs:
    it renders several times faster and needs no markup."""
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
    weights = [0.55 if label in ("Sets", "Reps", "Hold") else 1.25 for label, _ in cells]
    total = sum(weights)
    col_widths = [width * w / total for w in weights]
    values = [
        "\n".join(simpleSplit(value, "Helvetica-Bold", 12.5, col_w - 8))
        for (_, value), col_w in zip(cells, col_widths, strict=True)
    ]
    table = Table([[label for label, _ in cells], values], colWidths=col_widths)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, 0), "Helvetica", 10, 12),
                ("TEXTCOLOR", (0, 0), (-1, 0), MUTED),
                ("FONT", (0, 1), (-1, 1), "Helvetica-Bold", 12.5, 15),
                ("TEXTCOLOR", (0, 1), (-1, 1), INK),
                ("BOX", (0, 0), (-1, -1), 1.2, ACCENT),
                ("BACKGROUND", (0, 0), (-1, -1), BOX_BG),
                ("LINEAFTER", (0, 0), (-2, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


class _Card(Flowable):
    """An exercise card: picture (and QR) on the left, text on the right.

    Lays its parts out once per width instead of the several passes a Table
    makes over Paragraphs in cells; keeps the handout fast to render."""

    def __init__(self, left: list[Flowable], right: list[Flowable], left_width: float, gap: float = 5 * mm):
        super().__init__()
        self.left, self.right, self.left_width, self.gap = left, right, left_width, gap
        self._layout_for = None

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


def _exercise_block(number: int, ex: HandoutExercise, st, width: float) -> Flowable:
    left_w = 56 * mm
    right_w = width - left_w - 5 * mm
    left: list[Flowable] = []
    picture = _picture(ex, left_w)
    if picture is not None:
        left.append(picture)
    if ex.video_url:
        left += [_qr(ex.video_url, 26 * mm), Paragraph("Scan for a video of this exercise", st["small"])]
    right: list[Flowable] = [Paragraph(f"{number}. {esc(ex.name)}", st["ex_title"])]
    if ex.why:
        right.append(Paragraph(f"<b>Why:</b> {esc(ex.why)}", st["why"]))
    right += [Spacer(1, 1 * mm), _dosage_box(ex, right_w), Spacer(1, 2 * mm)]
    if ex.load_note:
        right.append(Paragraph(f"<b>Load:</b> {esc(ex.load_note)}", st["body"]))
    for i, step in enumerate(ex.steps, start=1):
        right.append(Paragraph(f"<b>{i}.</b>&nbsp;{esc(step)}", st["step"]))
    # Tips and mistakes sit under the picture: the left column is otherwise mostly
    # empty, and a shorter card lets two exercises share a page.
    if ex.cues:
        left.append(Paragraph("<b>Tips:</b> " + " ".join(esc(c) for c in ex.cues), st["body"]))
    if ex.mistakes:
        left.append(Paragraph("<b>Avoid:</b> " + " ".join(esc(m) for m in ex.mistakes), st["body"]))
    if ex.therapist_note:
        right.append(Paragraph(f"<b>From your therapist:</b> {esc(ex.therapist_note)}", st["body"]))
    evidence = []
    if ex.dosage_note:
        evidence.append(esc(ex.dosage_note))
    if ex.citation:
        evidence.append(f"Source: {esc(ex.citation)}")
    if not ex.dosage_confirmed:
        evidence.append("<b>dosage unconfirmed</b> (a clinic default; research has not settled it)")
    if evidence:
        right.append(Paragraph(" · ".join(evidence), st["small"]))
    return _Card(left, right, left_w)


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
        Paragraph(
            f"Adapted from the tendinopathy pain-monitoring model ({PAIN_MODEL_CITATION}), "
            "which was built for Achilles tendon pain.",
            st["small"],
        ),
    ]


def _tick_sheet(program: HandoutProgram, st, width: float) -> list[Flowable]:
    out: list[Flowable] = [
        PageBreak(),
        Paragraph("Tick sheet: 4 weeks", st["h2"]),
        Paragraph(
            "Tick a box each day you do the exercise. Write your next-morning pain (0 to 10) in the "
            "bottom row. Bring this sheet to your next visit.",
            st["body"],
        ),
    ]
    name_w = 66 * mm
    day_w = (width - name_w) / 7
    names = [
        "\n".join(simpleSplit(f"{i}. {ex.name}", "Helvetica", 12, name_w - 8)[:2])
        for i, ex in enumerate(program.exercises, start=1)
    ]
    heights = [7 * mm] + [max(8 * mm, 15 * n.count("\n") + 20) for n in names] + [8 * mm]
    for week in range(1, 5):
        # Plain strings, not Paragraphs: the grid is large and must render fast.
        rows = [[f"Week {week}", *WEEKDAYS]]
        for name in names:
            rows.append([name] + [""] * 7)
        rows.append(["Morning pain 0–10"] + [""] * 7)
        table = Table(rows, colWidths=[name_w] + [day_w] * 7, rowHeights=heights, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), "Helvetica", 12),
                    ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 12),
                    ("FONT", (0, -1), (0, -1), "Helvetica-Bold", 12),
                    ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                    ("GRID", (0, 0), (-1, -1), 0.6, MUTED),
                    ("BACKGROUND", (0, 0), (-1, 0), BOX_BG),
                    ("BACKGROUND", (0, -1), (-1, -1), AMBER_BG),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        out += [Spacer(1, 4 * mm), KeepTogether([table])]
    return out


def _program_story(program: HandoutProgram, data: HandoutData, st, width: float) -> list[Flowable]:
    lh = data.letterhead
    story: list[Flowable] = letterhead_flowables(lh, "Your home exercise program", st, width)
    info = [
        [
            Paragraph("<b>For</b>", st["body"]),
            Paragraph(esc(program.client_name), st["body"]),
            Paragraph("<b>Therapist</b>", st["body"]),
            Paragraph(esc(program.therapist), st["body"]),
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
    story += _traffic_light(data, st, width)
    story.append(Paragraph("Your exercises", st["h2"]))
    for i, ex in enumerate(program.exercises, start=1):
        story.append(_exercise_block(i, ex, st, width))
    contact = lh.contact_line or lh.name
    story += [
        Spacer(1, 4 * mm),
        Paragraph(
            f"<b>Questions, or pain that worries you?</b> Contact {esc(lh.name)}"
            + (f": {esc(contact)}" if lh.contact_line else "")
            + (f", {esc(lh.address.replace(chr(10), ', '))}" if lh.address else "")
            + ".",
            st["body"],
        ),
    ]
    story += _tick_sheet(program, st, width)
    return story


def _styles():
    st = styles(12)
    from reportlab.lib.styles import ParagraphStyle

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

    def on_page(canvas, document):
        if single:
            return
        canvas.saveState()
        canvas.setFont("Helvetica", 9)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 10 * mm, state["name"])
        canvas.restoreState()

    title = f"Home program: {data.programs[0].client_name}" if single else "Home programs issued today"
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
