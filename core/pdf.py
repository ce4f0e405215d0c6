"""PDF building blocks shared by every printout (note, handout, record export).

Renderers are pure: they take data already fetched and return bytes. All user
text goes through ``esc`` before it enters ReportLab paragraph markup.

Every printout must render whatever was stored, however long. Three rules keep
that true and keep the cost linear in the length of the text:

- free text becomes ``paragraphs()``: pieces of at most ``CHUNK_CHARS`` that
  flow on to the next page (one huge Paragraph is re-wrapped in full at every
  page break, so its cost grows with the square of its length);
- a table cell holds at most a few lines (``cell()``): anything longer is
  shortened in the table and printed in full below it, because a table row
  taller than a page cannot be laid out;
- text drawn straight on the canvas (footers, the letterhead) is cut to fit
  (``fit_line``, ``clip``).
"""

from __future__ import annotations

import gc
import io
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from xml.sax.saxutils import escape as _xml_escape
from xml.sax.saxutils import unescape as _xml_unescape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.fonts import ps2tt, tt2ps
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Image, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus import Paragraph as _Paragraph

INK = colors.HexColor("#1d2939")
MUTED = colors.HexColor("#667085")
RULE = colors.HexColor("#d0d5dd")
ACCENT = colors.HexColor("#175cd3")


class Paragraph(_Paragraph):
    """ReportLab's Paragraph, laid out once per width: a table measures each cell
    when it is laid out and again when it is drawn, and a page break measures a
    paragraph before placing it, so every paragraph was broken into lines about
    twice. The lines depend only on the width (``split`` drops them when it moves
    the paragraph on)."""

    _wrapped_width: float | None = None

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's API
        if availWidth == self._wrapped_width and "blPara" in self.__dict__:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._wrapped_width = availWidth
        return size


# C0 and C1 control characters other than tab and line feed: they print as
# nothing useful and some PDF readers stop at them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")

# A piece of free text laid out as one Paragraph. Small enough that wrapping it
# again at a page break is cheap and that it never needs more than a page, large
# enough that the line break between pieces of an unbroken letter is rare.
CHUNK_CHARS = 2500
CHUNK_LINES = 40
# A table cell prints at most this many lines (a third of a page at most, so a
# row always fits on one); longer text moves below the table.
CELL_LINES = 20


def plain(text) -> str:
    """User text ready to lay out: one kind of line end, tabs as spaces, no
    control characters, and no lone surrogate halves (which cannot be encoded)."""
    if text is None:
        return ""
    text = str(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\t", " "))
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text


def esc(text) -> str:
    """Escape user text for ReportLab markup; keep line breaks."""
    if text is None:
        return ""
    return _xml_escape(plain(text)).replace("\n", "<br/>")


def clip(text, limit: int) -> str:
    """At most ``limit`` characters, cut at a space where one is near, with an ellipsis."""
    text = plain(text)
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit)
    return text[: cut if cut > 0 else limit].rstrip() + "…"


def chunks(text: str, size: int = CHUNK_CHARS, max_lines: int = CHUNK_LINES) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters and ``max_lines``
    lines: at a line break where there is one in the back half of the piece,
    else after a sentence, else at a space, else anywhere (a pasted link or an
    unbroken run). Nothing is lost but the line break or space cut at. Linear."""
    out: list[str] = []
    pos, end = 0, len(text)
    while end - pos > size or text.count("\n", pos, min(end, pos + size)) >= max_lines:
        window_end = min(end, pos + size)
        # The max_lines-th line break inside the window, if there is one.
        cut, nl, seen = -1, pos - 1, 0
        while seen < max_lines:
            nl = text.find("\n", nl + 1, window_end)
            if nl < 0:
                break
            seen += 1
            if seen == max_lines:
                cut = nl
        if cut < 0:
            half = pos + (window_end - pos) // 2
            cut = text.rfind("\n", half, window_end)
        skip = 1
        if cut < 0:
            for mark in (". ", "? ", "! ", "; ", ", "):
                cut = text.rfind(mark, half, window_end)
                if cut >= 0:
                    cut += 1  # keep the full stop with its sentence
                    break
        if cut < 0:
            cut = text.rfind(" ", half, window_end)
        if cut < 0:
            cut, skip = window_end, 0
        out.append(text[pos:cut])
        pos = cut + skip
    if pos < end or not out:
        out.append(text[pos:])
    return out


def _piece_style(style: ParagraphStyle, *, first: bool, last: bool) -> ParagraphStyle:
    if first and last:
        return style
    return ParagraphStyle(
        f"{style.name}-{'f' if first else 'm' if not last else 'l'}",
        parent=style,
        spaceBefore=style.spaceBefore if first else 0,
        spaceAfter=style.spaceAfter if last else 0,
    )


def paragraphs(text, style: ParagraphStyle, *, lead: str = "", wrap: str = "{}") -> list[Flowable]:
    """Free text as paragraphs that flow across pages, however long it is.

    ``lead`` is trusted markup (a bold label) put before the first piece; ``wrap``
    is trusted markup around each escaped piece (``"<strike>{}</strike>"``)."""
    text = plain(text)
    if wrap == "{}" and text.strip() and len(text) <= _LINE_MAX_CHARS and "\n" not in text:
        # One piece of plain text: laid out as its Paragraph would be, without markup.
        if lead in ("", "•"):
            return [line(f"{lead} {text}" if lead else text, style)]
        label = _bold_label(lead)
        if label is not None:
            return [line(text, style, label=label)]
    pieces = chunks(text)
    styles_: dict[tuple[bool, bool], ParagraphStyle] = {(True, True): style}
    out: list[Flowable] = []
    last_index = len(pieces) - 1
    for index, piece in enumerate(pieces):
        body = wrap.format(esc(piece)) if piece else ""
        if index == 0 and lead:
            body = f"{lead} {body}" if body else lead
        key = (index == 0, index == last_index)
        if key not in styles_:
            styles_[key] = _piece_style(style, first=key[0], last=key[1])
        out.append(Paragraph(body, styles_[key]))
    return out


_BOLD_LABEL = re.compile(r"<b>([^<>]+)</b>")


def _bold_label(lead: str) -> str | None:
    """The plain text of a lead that is only a bold label (``<b>Chief complaint:</b>``
    of escaped text), or None for any other markup."""
    match = _BOLD_LABEL.fullmatch(lead)
    if match is None:
        return None
    label = _xml_unescape(match.group(1))
    if _xml_escape(label) != match.group(1) or label != " ".join(label.split()):
        return None
    if _SPECIAL_SPACE.search(label):
        return None
    return label


def _lines_needed(text: str, style: ParagraphStyle, width: float) -> int:
    """About how many lines ``text`` takes at ``width``: its measured width with
    a quarter added for the space word wrapping leaves at line ends."""
    font, size = style.fontName, style.fontSize
    widths = _CHAR_TABLES.setdefault((font, size), {})
    total = 0
    for line in text.split("\n"):
        missing = set(line).difference(widths)
        if len(widths) + len(missing) > 20000:  # the table is full: measure as before
            measured = sum(_char_width(ch, font, size) for ch in line) * 1.25
        else:
            for ch in missing:
                widths[ch] = stringWidth(ch, font, size)
            measured = sum(map(widths.__getitem__, line)) * 1.25
        total += max(1, -(-int(measured) // max(int(width), 1)))
    return total


# Each character's width by (font, size), for ``_lines_needed``.
_CHAR_TABLES: dict[tuple[str, float], dict[str, float]] = {}


# Text up to this long may be laid out as a ``_Line`` (one font, no markup).
_LINE_MAX_CHARS = 600


class _Line(Flowable):
    """Plain text in one font, laid out and drawn as the Paragraph of the same text
    and style would lay it out and draw it (the same line breaks, font, colour,
    heights and baselines) without parsing markup or going through ReportLab's
    general line breaker. A table of many short cells lays out several times
    faster. Text that ReportLab would treat specially (a word wider than the line,
    a line it would squeeze) is laid out by a real Paragraph instead.

    A ``label`` prints in bold before the text, as ``<b>label</b> text`` would: the
    label's words are measured in the bold font, and the label must end on the
    first line with some of the text after it (else a real Paragraph lays it out)."""

    def __init__(self, text: str, style: ParagraphStyle, font: str, *, label: str = "", label_font: str = ""):
        super().__init__()
        self.text, self.style, self.font = text, style, font
        self.label, self.label_font = label, label_font
        self._label_words = len(label.split())
        self._para: Paragraph | None = None
        self._lines: list[str] = []
        self._broken_at: float | None = None

    def _paragraph(self) -> Paragraph:
        """The Paragraph of this text, built from the fragment that parsing the
        same markup gives (parsed once per style and font, kept on the style)."""
        if self._para is None and self.label:
            markup = f"<b>{_xml_escape(self.label)}</b> {_xml_escape(self.text)}"
            self._para = Paragraph(markup, self.style)
        if self._para is None:
            templates = self.style.__dict__.setdefault("_kc_line_frags", {})
            template = templates.get(self.font)
            if template is None:
                bold = self.font != self.style.fontName
                template = Paragraph("<b>x</b>" if bold else "x", self.style).frags[0]
                templates[self.font] = template
            markup = _xml_escape(self.text)
            if self.font != self.style.fontName:
                markup = f"<b>{markup}</b>"
            self._para = Paragraph(markup, self.style, frags=[template.clone(text=self.text)])
        return self._para

    def _break(self, available_width: float) -> list[str] | None:
        """The lines ReportLab's Paragraph breaks this text into at this width (its
        rule for one fragment: a word joins the line while the line stays within
        the width plus the style's space shrinkage), or None where that rule would
        do more than this (cut a long word, squeeze a line)."""
        style = self.style
        room = available_width - style.leftIndent - style.rightIndent
        font, size = self.font, style.fontSize
        space = stringWidth(" ", font, size)
        if self.text:
            # All on one line with room to spare: the rule below ends there too.
            whole = stringWidth(self.text, font, size)
            if self.label:
                whole += stringWidth(self.label, self.label_font, size) + space
            if whole <= room - 1e-6:
                return [f"{self.label} {self.text}" if self.label else self.text]
        shrink = style.spaceShrinkage * space
        lines: list[str] = []
        current: list[str] = []
        used = -space
        words = self.text.split()
        if self._label_words:
            words = self.label.split() + words
        for index, word in enumerate(words):
            if index < self._label_words:
                word_width = _exact_width(word, self.label_font, size)
            else:
                word_width = _exact_width(word, font, size)
            if word_width > room:
                return None
            grown = used + space + word_width
            if grown <= room + shrink * len(current) or not current:
                current.append(word)
                used = grown
                continue
            if used > room + 1e-8:
                return None
            lines.append(" ".join(current))
            current, used = [word], word_width
        if current:
            if used > room + 1e-8:
                return None
            lines.append(" ".join(current))
        if self._label_words and (not lines or len(lines[0].split(" ")) <= self._label_words):
            return None  # the label runs on past the first line: ReportLab's own case
        return lines

    def wrap(self, available_width, available_height):
        if available_width != self._broken_at:
            lines = self._break(available_width)
            self._para = None
            if lines is None:
                self._para = self._paragraph()
            else:
                self._lines = lines
            self._broken_at = available_width
        if self._para is not None:
            return self._para.wrap(available_width, available_height)
        # An empty Paragraph has no lines: it takes no height and draws nothing.
        self.width, self.height = available_width, self.style.leading * len(self._lines)
        return self.width, self.height

    def split(self, available_width, available_height):
        return self._paragraph().split(available_width, available_height)

    def getSpaceBefore(self):  # noqa: N802 - ReportLab's API
        return self.style.spaceBefore

    def getSpaceAfter(self):  # noqa: N802 - ReportLab's API
        return self.style.spaceAfter

    def drawOn(self, canvas, x, y, _sW=0):  # noqa: N802 - ReportLab's API
        if self._para is not None:
            self._para.drawOn(canvas, x, y, _sW)
            return
        if not self._lines:
            return
        # Drawn in place rather than in a saved and moved canvas state: what it
        # sets (font, fill colour) is set again by whatever draws text next, and
        # the table or frame around it restores the state when it is done.
        style = self.style
        canvas.setFont(self.font, style.fontSize, style.leading)
        canvas.setFillColor(style.textColor)
        left, top = x + style.leftIndent, y + self.height - style.fontSize
        if self.label:
            # As ReportLab draws it: the label in bold, then the space and the
            # rest of the first line in the text's font.
            text = canvas.beginText(left, top)
            text.setFont(self.label_font, style.fontSize, style.leading)
            text.textOut(self.label)
            text.setFont(self.font, style.fontSize, style.leading)
            text.textLine(self._lines[0][len(self.label) :])
            for one in self._lines[1:]:
                text.textLine(one)
            canvas.drawText(text)
            return
        if len(self._lines) == 1:
            canvas.drawString(left, top, self._lines[0])
            return
        text = canvas.beginText(left, top)
        for one in self._lines:
            text.textLine(one)
        canvas.drawText(text)

    def draw(self):
        self.drawOn(self.canv, 0, 0)


_EXACT_WIDTHS: dict[tuple[str, str, float], float] = {}


def _exact_width(word: str, font: str, size: float) -> float:
    """``stringWidth`` of a word, as ReportLab's line breaker measures it (kept for
    the short words that recur)."""
    if len(word) > 40:
        return stringWidth(word, font, size)
    key = (word, font, size)
    width = _EXACT_WIDTHS.get(key)
    if width is None:
        width = stringWidth(word, font, size)
        if len(_EXACT_WIDTHS) < 20000:
            _EXACT_WIDTHS[key] = width
    return width


# Whitespace other than the plain space, and soft hyphens: ReportLab's line breaker
# treats them specially, so text holding them is laid out by a Paragraph.
_SPECIAL_SPACE = re.compile(r"[^\S ]|\xad")


def _simple_style(style: ParagraphStyle) -> bool:
    """Whether ``_Line`` lays out text in this style as its Paragraph would (kept
    on the style: a printout's styles are made for it and not changed after)."""
    simple = style.__dict__.get("_kc_simple_line")
    if simple is None:
        simple = style.__dict__["_kc_simple_line"] = _simple_style_now(style)
    return simple


def _simple_style_now(style: ParagraphStyle) -> bool:
    return (
        style.alignment == TA_LEFT
        and not style.firstLineIndent
        and not getattr(style, "hyphenationLang", "")
        and not getattr(style, "uriWasteReduce", 0)
        and not getattr(style, "embeddedHyphenation", 0)
        and not getattr(style, "wordWrap", None)
        and not getattr(style, "endDots", None)
        and getattr(style, "autoLeading", None) in (None, "", "off")
        and not getattr(style, "textTransform", None)
        and not getattr(style, "bulletText", None)
    )


def _bold_font(font: str) -> str:
    family, _, italic = ps2tt(font)
    return tt2ps(family, 1, italic)


def line(text, style: ParagraphStyle, *, bold: bool = False, label: str = "") -> Flowable:
    """Plain text (not markup) as one flowable that lays out as its Paragraph
    would: a ``_Line`` where the text and style allow it (no line breaks, no
    special spaces), else the Paragraph of the escaped text. ``bold`` prints it
    as ``<b>text</b>`` would; a ``label`` (plain text) is put before it in bold,
    as ``<b>label</b> text`` would print."""
    text = plain(text)
    if len(text) <= _LINE_MAX_CHARS and not _SPECIAL_SPACE.search(text) and _simple_style(style):
        font = style.fontName
        if bold:
            font = _bold_font(font)
        if not label:
            return _Line(" ".join(text.split()), style, font)
        label_font = _bold_font(font)
        # One line breaker for both fonts needs the same space between words in both.
        size = style.fontSize
        if text.strip() and stringWidth(" ", label_font, size) == stringWidth(" ", font, size):
            return _Line(" ".join(text.split()), style, font, label=label, label_font=label_font)
    markup = esc(text)
    if bold and markup:
        markup = f"<b>{markup}</b>"
    if label:
        markup = f"<b>{esc(label)}</b> {markup}" if markup else f"<b>{esc(label)}</b>"
    return Paragraph(markup, style)


# Longer cell text always moves below the table; measuring it would be wasted work.
_CELL_MAX_CHARS = 600


def cell(text, style: ParagraphStyle, width: float, *, overflow: list, label: str) -> Flowable:
    """A table cell for user text. Text that could need more than ``CELL_LINES``
    lines at ``width`` is shortened here and added to ``overflow`` as
    ``(label, text)``, to be printed in full below the table (``overflow_flowables``)."""
    text = plain(text)
    if len(text) <= _CELL_MAX_CHARS and _lines_needed(text, style, width) <= CELL_LINES:
        return line(text, style)
    overflow.append((label, text))
    # The widest Helvetica letters are about one em: a shortened text of this
    # many characters fits in the lines left beside the note that follows it.
    per_line = max(1, int(width / style.fontSize))
    short = clip(text.replace("\n", " "), max(per_line * (CELL_LINES - 3), 1))
    return Paragraph(f"{esc(short)} <i>(in full below the table)</i>", style)


def overflow_flowables(overflow: list, style: ParagraphStyle) -> list[Flowable]:
    """The full text of cells that ``cell()`` shortened, each under its label."""
    out: list[Flowable] = []
    for label, text in overflow:
        out += paragraphs(text, style, lead=f"<b>{esc(label)}, in full:</b>")
    return out


class _RuledPart(Flowable):
    """One flowable with a rule down its left side; splits wherever it does."""

    def __init__(self, child: Flowable, color, *, top: float | None = None, bottom: float | None = None):
        super().__init__()
        self.child, self.color = child, color
        self.top = child.getSpaceBefore() if top is None else top
        self.bottom = child.getSpaceAfter() if bottom is None else bottom

    def wrap(self, available_width, available_height):
        _, h = self.child.wrap(available_width - RULED_INDENT, available_height - self.top - self.bottom)
        self.width, self.height = available_width, h + self.top + self.bottom
        return self.width, self.height

    def getSpaceBefore(self):  # noqa: N802 - ReportLab's API
        return 0

    def getSpaceAfter(self):  # noqa: N802 - ReportLab's API
        return 0

    def split(self, available_width, available_height):
        parts = self.child.split(available_width - RULED_INDENT, available_height - self.top)
        if not parts:
            return []
        last = len(parts) - 1
        return [
            _RuledPart(
                part,
                self.color,
                top=self.top if i == 0 else 0,
                bottom=self.bottom if i == last else 0,
            )
            for i, part in enumerate(parts)
        ]

    def draw(self):
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(self.color)
        canvas.setLineWidth(2)
        canvas.line(1, 0, 1, self.height)
        canvas.restoreState()
        self.child.drawOn(canvas, RULED_INDENT, self.bottom)


RULED_INDENT = 9


def ruled(flowables: Sequence[Flowable], *, color=MUTED) -> list[Flowable]:
    """Flowables set off by a rule down their left side (an addendum, a request).

    Each keeps its own place in the story, so a long one runs on to the next page
    where a one-cell table of them could not."""
    return [_RuledPart(f, color) for f in flowables]


# Text wider than this is never drawn on one line: measuring it would be wasted work.
_FIT_MAX_CHARS = 400


def fit_line(text, font: str, size: float, width: float) -> str:
    """One line of canvas text (a footer) that fits ``width``, cut with an ellipsis."""
    text = " ".join(plain(text).split())
    if len(text) > _FIT_MAX_CHARS:
        text = text[:_FIT_MAX_CHARS]
    elif stringWidth(text, font, size) <= width:
        return text
    room = width - stringWidth("…", font, size)
    used, cut = 0.0, 0
    for ch in text:
        used += _char_width(ch, font, size)
        if used > room:
            break
        cut += 1
    if cut == len(text) and stringWidth(text, font, size) <= width:
        return text
    return text[:cut].rstrip() + "…"


_CHAR_WIDTHS: dict[tuple[str, str, float], float] = {}


def _char_width(ch: str, font: str, size: float) -> float:
    key = (ch, font, size)
    width = _CHAR_WIDTHS.get(key)
    if width is None:
        width = stringWidth(ch, font, size)
        if len(_CHAR_WIDTHS) < 20000:
            _CHAR_WIDTHS[key] = width
    return width


_WORD_WIDTHS: dict[tuple[str, str, float], float] = {}


def _word_width(word: str, font: str, size: float) -> float:
    if len(word) > 40:
        return sum(_char_width(ch, font, size) for ch in word)
    key = (word, font, size)
    width = _WORD_WIDTHS.get(key)
    if width is None:
        width = stringWidth(word, font, size)
        if len(_WORD_WIDTHS) < 20000:
            _WORD_WIDTHS[key] = width
    return width


def wrap_lines(text, font: str, size: float, width: float, *, first_width: float | None = None) -> list[str]:
    """Plain text word-wrapped to ``width`` (``first_width`` for the first line),
    keeping its line breaks; a word wider than a line is cut to fit. Linear in
    the length of the text: every character is measured once."""
    space = _char_width(" ", font, size)
    lines: list[str] = []
    available = width if first_width is None else first_width
    for para in plain(text).split("\n"):
        current: list[str] = []
        current_w = 0.0
        for word in para.split():
            w = _word_width(word, font, size)
            if w > width:
                # Too wide for any line: fill the current line, then cut pieces.
                if current:
                    lines.append(" ".join(current))
                    current, current_w, available = [], 0.0, width
                piece_start, used = 0, 0.0
                for i, ch in enumerate(word):
                    cw = _char_width(ch, font, size)
                    if used + cw > available and i > piece_start:
                        lines.append(word[piece_start:i])
                        piece_start, used, available = i, 0.0, width
                    used += cw
                current, current_w = [word[piece_start:]], used
                continue
            grown = w if not current else current_w + space + w
            if current and grown > available:
                lines.append(" ".join(current))
                current, current_w, available = [word], w, width
            else:
                current.append(word)
                current_w = grown
        lines.append(" ".join(current))
        available = width
    return lines


def data_table(rows, widths, *, header: bool = True) -> Table:
    """Rows of short cells (``cell()``) under a shaded heading row that repeats on
    every page; rows split across pages, none taller than a page."""
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, splitByRow=1)
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6"))]
    table.setStyle(TableStyle(style))
    return table


def page_size(paper_size: str):
    return LETTER if paper_size == "LETTER" else A4


@dataclass(frozen=True)
class Letterhead:
    """Clinic details for the top of page one, taken from ClinicProfile."""

    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    logo_png: bytes | None = None
    paper_size: str = "A4"

    @classmethod
    def from_profile(cls, profile) -> Letterhead:
        logo = None
        if profile.logo:
            try:
                with profile.logo.open("rb") as handle:
                    logo = handle.read()
            except OSError:
                logo = None
        return cls(
            name=profile.name,
            address=profile.address,
            phone=profile.phone,
            email=profile.email,
            website=profile.website,
            logo_png=logo,
            paper_size=profile.paper_size,
        )

    @property
    def contact_line(self) -> str:
        return " · ".join(p for p in (self.phone, self.email, self.website) if p)


def styles(base_size: float = 12) -> dict[str, ParagraphStyle]:
    """Paragraph styles. Body text defaults to 12 pt: many clients are older."""
    sheet = getSampleStyleSheet()
    body = ParagraphStyle(
        "kc-body",
        parent=sheet["BodyText"],
        fontName="Helvetica",
        fontSize=base_size,
        leading=base_size * 1.3,
        textColor=INK,
    )
    return {
        "body": body,
        "small": ParagraphStyle(
            "kc-small",
            parent=body,
            fontSize=max(base_size - 2, 8),
            leading=max(base_size - 2, 8) * 1.25,
            textColor=MUTED,
        ),
        "h1": ParagraphStyle(
            "kc-h1",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=base_size + 6,
            leading=(base_size + 6) * 1.2,
            spaceAfter=4,
        ),
        "h2": ParagraphStyle(
            "kc-h2",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=base_size + 2,
            leading=(base_size + 2) * 1.25,
            spaceBefore=8,
            spaceAfter=4,
            textColor=ACCENT,
        ),
        "h3": ParagraphStyle(
            "kc-h3",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=base_size,
            leading=base_size * 1.3,
            spaceBefore=4,
        ),
        "right": ParagraphStyle("kc-right", parent=body, alignment=TA_RIGHT),
        "cell": ParagraphStyle("kc-cell", parent=body, fontSize=base_size - 1, leading=(base_size - 1) * 1.2),
    }


LETTERHEAD_NAME_CHARS = 120
LETTERHEAD_ADDRESS_CHARS = 300
LETTERHEAD_CONTACT_CHARS = 300


def letterhead_flowables(
    letterhead: Letterhead, title: str, st: dict[str, ParagraphStyle], width: float
) -> list[Flowable]:
    """Logo and clinic name on the left, the document title on the right."""
    left: list[Flowable] = []
    if letterhead.logo_png:
        try:
            img = Image(io.BytesIO(letterhead.logo_png))
            ratio = img.imageWidth / float(img.imageHeight or 1)
            img.drawHeight = 16 * mm
            img.drawWidth = min(16 * mm * ratio, 60 * mm)
            left.append(img)
        except Exception:  # a broken logo must never stop a printout
            left = []
    # The letterhead is one table row, which cannot run on to a second page: each
    # line is cut to a length that always fits (the full address is the clinic's
    # own record; a letterhead only needs the first few lines of it).
    left.append(Paragraph(f"<b>{esc(clip(letterhead.name, LETTERHEAD_NAME_CHARS))}</b>", st["body"]))
    if letterhead.address:
        address = clip(plain(letterhead.address).replace("\n", ", "), LETTERHEAD_ADDRESS_CHARS)
        left.append(Paragraph(esc(address), st["small"]))
    if letterhead.contact_line:
        left.append(Paragraph(esc(clip(letterhead.contact_line, LETTERHEAD_CONTACT_CHARS)), st["small"]))
    table = Table(
        [[left, Paragraph(f"<b>{esc(clip(title, 120))}</b>", st["right"])]],
        colWidths=[width * 0.6, width * 0.4],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [table]


def build_pdf(
    *,
    story: Sequence[Flowable],
    paper_size: str,
    footer_left: str,
    title: str,
    author: str = "Kinetic Chart",
    on_page: Callable | None = None,
) -> bytes:
    """Lay out a story; every page gets ``footer_left`` (the client's name and
    date of birth) and "Page x of y" in the footer."""
    buffer = io.BytesIO()
    size = page_size(paper_size)
    doc = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=clip(title, 200),
        author=author,
    )

    footer_width = size[0] - 36 * mm - 40 * mm

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 9)
        canvas.setFillColor(MUTED)
        # The right-hand quarter of the footer line holds "Page x of y".
        canvas.drawString(18 * mm, 10 * mm, fit_line(footer_left, "Helvetica", 9, footer_width))
        canvas.restoreState()
        if on_page is not None:
            on_page(canvas, document)

    with collector_paused():
        doc.build(list(story), onFirstPage=footer, onLaterPages=footer, canvasmaker=_numbered_canvas(size))
    return buffer.getvalue()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a printout is built, or the records
    for it are read (usable as a decorator too). Either creates tens of thousands
    of small objects that live until the printout is done, and the collector
    would otherwise walk every object in the process again and again while they
    pile up: a tenth of the time of the complete record. Garbage left meanwhile is collected once
    the collector runs again; a collector that was already paused stays paused."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _numbered_canvas(size):
    class NumberedCanvas(rl_canvas.Canvas):
        """Two-pass page numbering: "Page x of y" needs the total first."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict] = []

        def showPage(self):  # noqa: N802 - ReportLab's API
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._saved_pages)
            for state in self._saved_pages:
                self.__dict__.update(state)
                self.setFont("Helvetica", 9)
                self.setFillColor(MUTED)
                self.drawRightString(size[0] - 18 * mm, 10 * mm, f"Page {self._pageNumber} of {total}")
                super().showPage()
            super().save()

    return NumberedCanvas
