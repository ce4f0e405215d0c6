"""PDF building blocks shared by every printout (note, handout, record export).

Renderers are pure: they take data already fetched and return bytes. All user
text goes through ``esc`` before it enters ReportLab paragraph markup.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as _xml_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Table, TableStyle

INK = colors.HexColor("#1d2939")
MUTED = colors.HexColor("#667085")
RULE = colors.HexColor("#d0d5dd")
ACCENT = colors.HexColor("#175cd3")


def esc(text) -> str:
    """Escape user text for ReportLab markup; keep line breaks."""
    if text is None:
        return ""
    return _xml_escape(str(text)).replace("\n", "<br/>")


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
    left.append(Paragraph(f"<b>{esc(letterhead.name)}</b>", st["body"]))
    if letterhead.address:
        left.append(Paragraph(esc(letterhead.address.replace("\n", ", ")), st["small"]))
    if letterhead.contact_line:
        left.append(Paragraph(esc(letterhead.contact_line), st["small"]))
    table = Table(
        [[left, Paragraph(f"<b>{esc(title)}</b>", st["right"])]], colWidths=[width * 0.6, width * 0.4]
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
        title=title,
        author=author,
    )

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 9)
        canvas.setFillColor(MUTED)
        canvas.drawString(18 * mm, 10 * mm, footer_left)
        canvas.restoreState()
        if on_page is not None:
            on_page(canvas, document)

    doc.build(list(story), onFirstPage=footer, onLaterPages=footer, canvasmaker=_numbered_canvas(size))
    return buffer.getvalue()


def _numbered_canvas(size):
    from reportlab.pdfgen import canvas as rl_canvas

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
