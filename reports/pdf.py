"""The progress report and the referrer letter as PDFs.

``render_report_pdf(content, *, signed, logo_png=None) -> bytes`` is pure: it
takes the content of ``reports.pages`` (stored at signing, or built for a
draft), runs no queries, and escapes every piece of text before it reaches
ReportLab markup. Every page carries the client's name, date of birth and
"Page x of y"; a draft is marked "Draft - not signed" across every page.
"""

from __future__ import annotations

from functools import partial

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer

from core.charts import line_chart
from core.pdf import (
    Letterhead,
    Paragraph,
    build_pdf,
    cell,
    clip,
    data_table,
    esc,
    letterhead_flowables,
    overflow_flowables,
    page_size,
    paragraphs,
    styles,
)
from reports.pages import CLIENT, charts_of, discharge_words, fmt_day

DRAFT_MARK = "Draft - not signed"
DRAFT_RED = colors.HexColor("#b42318")


def _day(iso: str) -> str:
    return fmt_day(iso)


def _letterhead(content, logo_png) -> Letterhead:
    clinic = content["clinic"]
    return Letterhead(
        name=clinic["name"],
        address=clinic["address"],
        phone=clinic["phone"],
        email=clinic["email"],
        website=clinic["website"],
        logo_png=logo_png,
        paper_size=clinic["paper_size"],
    )


def _draft_mark(canvas, document):
    width, height = document.pagesize
    canvas.saveState()
    canvas.setFillColor(DRAFT_RED)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(18 * mm, height - 10 * mm, DRAFT_MARK.upper() + ": not part of the record, do not send")
    canvas.setFillAlpha(0.12)
    canvas.setFont("Helvetica-Bold", 60)
    canvas.translate(width / 2, height / 2)
    canvas.rotate(45)
    canvas.drawCentredString(0, 0, DRAFT_MARK)
    canvas.restoreState()


def _texts(text, st, *, lead: str = "") -> list:
    return paragraphs(text, st["body"], lead=lead) if (text or "").strip() else []


def _credentials(content, st) -> list:
    """A letter's registration number and contact under the signature, when recorded."""
    author, clinic = content["author"], content["clinic"]
    lines = []
    if (author.get("registration") or "").strip():
        lines.append(f"Registration number: {clip(author['registration'], 60)}")
    contact = [p for p in (clinic.get("phone", ""), author.get("email", "")) if (p or "").strip()]
    if "registration" in author and contact:
        lines.append("Contact: " + " · ".join(clip(p, 120) for p in contact))
    return [Paragraph(esc(line), st["small"]) for line in lines]


def _signature(content, st, *, signed: bool, signed_at: str) -> list:
    if signed:
        return [
            KeepTogether(
                [
                    Paragraph("Signed", st["h3"]),
                    Paragraph(f"{esc(clip(content['author']['line'], 300))}", st["body"]),
                    *_credentials(content, st),
                    Paragraph(f"Electronically signed on {esc(signed_at)}", st["small"]),
                ]
            )
        ]
    draft = Paragraph(
        f'<font color="#b42318"><b>{DRAFT_MARK.upper()}.</b></font> '
        "This report is not part of the record until its therapist signs it.",
        st["body"],
    )
    if "registration" not in content["author"]:  # a client report, or a letter signed before
        return [draft]
    # A letter's draft shows who will sign it, with registration and contact.
    return [
        Paragraph(esc(clip(content["author"]["line"], 300)), st["body"]),
        *_credentials(content, st),
        draft,
    ]


def _client_story(content, st, width, *, signed: bool, signed_at: str) -> list:
    story: list = []
    texts = content["texts"]
    story += [Paragraph("How things have gone", st["h2"]), *_texts(texts.get("summary"), st)]
    if content["goals"]:
        story.append(Paragraph("Your goals", st["h2"]))
        for goal in content["goals"][:12]:
            story += paragraphs(goal, st["body"], lead="•")
    charts = charts_of(content, draw=partial(line_chart, width=int(width) - 4, height=230))
    if charts:
        story.append(Paragraph("Your progress", st["h2"]))
        story.append(
            Paragraph(
                "Each chart starts at your first check-up or visit. The shaded band is the change "
                "that is still within normal day-to-day variation; a result outside it is a real change.",
                st["small"],
            )
        )
        for chart in charts:
            story.append(
                KeepTogether(
                    [
                        chart.svg,
                        Paragraph(esc(chart.outcome), st["body"]),
                        Paragraph(esc(chart.meaning), st["small"]),
                        Spacer(1, 3 * mm),
                    ]
                )
            )
    if content["chain"]:
        first, last = content["chain_dates"]
        story.append(Paragraph("What changed in your body", st["h2"]))
        story.append(
            Paragraph(f"Your check-up of {_day(first)} compared with the one of {_day(last)}.", st["small"])
        )
        for line in content["chain"]:
            story += paragraphs(line, st["body"], lead="•")
    program = content["program"]
    if program:
        story += _program_flowables(program, st, width, client=True)
    story += [Paragraph("Next steps", st["h2"]), *_texts(texts.get("next_steps"), st)]
    if not (texts.get("next_steps") or "").strip():
        story.append(Paragraph("We will talk about the next steps at your next visit.", st["body"]))
    story.append(Spacer(1, 4 * mm))
    story += _signature(content, st, signed=signed, signed_at=signed_at)
    return story


def _program_flowables(program, st, width, *, client: bool) -> list:
    cell_style = st["cell"]
    story = [
        Paragraph("Your home program" if client else "Home program", st["h2"]),
        Paragraph(f"Version {program['number']}, given on {_day(program['issued'])}.", st["small"]),
    ]
    if program["items"]:
        heads: tuple[str, ...] = ("Exercise", "How much", "How often")
        widths = [width * 0.5, width * 0.25, width * 0.25]
        rows = [[Paragraph(f"<b>{h}</b>", cell_style) for h in heads]]
        overflow: list = []
        for n, item in enumerate(program["items"], start=1):
            name = item["name"] + (f" ({item['side']})" if item["side"] else "")
            values = (name, item["dosage"], item["frequency"])
            rows.append(
                [
                    cell(v, cell_style, w - 6, overflow=overflow, label=f"Exercise {n}, {h}")
                    for v, w, h in zip(values, widths, heads, strict=True)
                ]
            )
        story.append(data_table(rows, widths))
        story += overflow_flowables(overflow, st["body"])
    if program["adherence"]:
        average = program["average_days"]
        lead = (
            f"How it went: on average you did your exercises on {average:g} days a week."
            if client
            else f"Adherence reported: {average:g} days a week on average."
        )
        story.append(Paragraph(esc(lead), st["body"]))
        for row in program["adherence"][:12]:
            text = f"{row['exercise']}: {row['days']} days a week lately"
            if row["pain"]:
                text += f", with {row['pain']}"
            story += paragraphs(text + ".", st["body"], lead="•")
    return story


def _urgency_and_consent(content, st, *, signed: bool) -> list:
    """The urgency, large at the top, and the consent to share (letters signed before
    either was recorded print without them)."""
    letter = content.get("letter")
    if not letter:
        return []
    story: list = [
        Spacer(1, 2 * mm),
        Paragraph(f"<b>Urgency: {esc(letter['urgency'].lower())}</b>", st["h2"]),
    ]
    if letter["seek_care_now"]:
        story.append(
            Paragraph(
                '<font color="#b42318"><b>The client has also been told to seek medical care now, '
                "without waiting for this letter.</b></font>",
                st["body"],
            )
        )
    consent = letter.get("consent")
    if consent:
        words = (
            f"Consent to share: the client agreed to this letter being sent "
            f"(confirmed by {clip(consent['by'], 150)} on {_day(consent['on'])})."
        )
    elif signed:
        words = "Consent to share: not recorded."
    else:
        words = "Consent to share: to be confirmed by the therapist at signing."
    story.append(Paragraph(esc(words), st["small"]))
    return story


def _history_flowables(history, st) -> list:
    """The history as written at the first visit of the period, in two short paragraphs."""
    if not history:
        return []
    story: list = [Paragraph(f"History (first visit of this period, {_day(history['date'])})", st["h3"])]
    told = []
    if history["complaint"]:
        told.append(f"In the client's words: {history['complaint']}")
    if history["story"]:
        told.append(
            f"Onset, duration, what makes it worse or better and what was tried, as told: {history['story']}"
        )
    pain = []
    if history["first_step"] is not None:
        pain.append(f"first-step pain {history['first_step']}/10")
    if history["worst_24h"] is not None:
        pain.append(f"worst in the last 24 hours {history['worst_24h']}/10")
    then = ["Pain (NPRS 0–10) then: " + "; ".join(pain) + "."] if pain else []
    if history["activity"]:
        then.append(f"Activity: {history['activity']}.")
    for part in (" ".join(told), " ".join(then)):
        story += paragraphs(part, st["body"]) if part else []
    if len(story) == 1:
        story.append(Paragraph("No history was written at that visit.", st["body"]))
    return story


def _screen_flowables(screen, st) -> list:
    """The latest health screen's flags, in plain words."""
    if screen is None:
        return []
    if not screen["date"]:
        return [Paragraph("<b>Health screen:</b> none is recorded.", st["body"])]
    day = esc(_day(screen["date"]))
    if not screen["flags"]:
        return [Paragraph(f"<b>Health screen</b> of {day}: no flags.", st["body"])]
    story: list = [
        Paragraph("Health screen", st["h3"]),
        Paragraph(f"Health screen of {day}: the client answered yes to", st["body"]),
    ]
    for flag in screen["flags"][:12]:
        text = f"{flag['level']}: {flag['question']}"
        if flag["details"]:
            text += f" Details: {flag['details']}"
        story += paragraphs(text, st["body"], lead="•")
    return story


def _letter_story(content, st, width, *, signed: bool, signed_at: str, today: str) -> list:
    texts = content["texts"]
    recipient = content["recipient"]
    client = content["client"]
    story: list = [Paragraph(esc(today), st["right"])]
    if recipient["name"] or recipient["address"]:
        story += _texts(recipient["name"], st)
        story += paragraphs(recipient["address"], st["body"]) if recipient["address"].strip() else []
        story.append(Spacer(1, 3 * mm))
    story.append(
        Paragraph(
            f"<b>Re: {esc(clip(client['name'], 200))}, born {_day(client['dob'])}</b>",
            st["body"],
        )
    )
    story += _urgency_and_consent(content, st, signed=signed)
    discharge = content["discharge"]
    reason = (texts.get("reason") or "").strip()
    if reason or discharge:
        story.append(Paragraph("Reason for this letter", st["h3"]))
        # The therapist's text starts from the discharge words (prefilled, editable), so
        # they are printed here only when the therapist removed them from it.
        if discharge and not reason:
            story += paragraphs(discharge_words(discharge), st["body"])
        story += _texts(reason, st)
    story.append(Spacer(1, 2 * mm))
    greeting = f"Dear {clip(recipient['name'], 150)}," if recipient["name"].strip() else "Dear colleague,"
    story += [Paragraph(esc(greeting), st["body"]), Spacer(1, 1 * mm), *_texts(texts.get("summary"), st)]
    story += _history_flowables(content.get("history"), st)
    story += _screen_flowables(content.get("screen"), st)
    if (texts.get("findings") or "").strip():
        story += [Paragraph("Findings (functional and soft-tissue, not a diagnosis)", st["h3"])]
        story += _texts(texts["findings"], st)
    cell_style = st["cell"]
    pain, scores = content["pain"], content["scores"]
    if pain or scores:
        story.append(Paragraph("Outcome measures, first and latest in this period", st["h3"]))
        heads: tuple[str, ...] = ("Measure", "Baseline", "Latest", "Meaningful change (source)", "Reached")
        widths = [width * f for f in (0.27, 0.1, 0.1, 0.4, 0.13)]
        rows = [[Paragraph(f"<b>{h}</b>", cell_style) for h in heads]]
        overflow: list = []
        if pain:
            rows.append(
                [
                    Paragraph(esc(pain["title"]), cell_style),
                    Paragraph(f"{pain['baseline']}", cell_style),
                    Paragraph(f"{pain['latest']}", cell_style),
                    cell(pain["meaning"], cell_style, widths[3] - 6, overflow=overflow, label="NPRS"),
                    Paragraph("Yes" if pain["reached"] else "No", cell_style),
                ]
            )
        for score in scores:
            rows.append(
                [
                    Paragraph(esc(score["title"]), cell_style),
                    Paragraph(f"{score['baseline']:g}", cell_style),
                    Paragraph(f"{score['latest']:g}", cell_style),
                    cell(
                        score["meaning"], cell_style, widths[3] - 6, overflow=overflow, label=score["title"]
                    ),
                    Paragraph("Yes" if score["reached"] else "No", cell_style),
                ]
            )
        story.append(data_table(rows, widths))
        story += overflow_flowables(overflow, st["body"])
    if content["chain"]:
        first, last = content["chain_dates"]
        story.append(Paragraph(f"Measured changes, {_day(first)} to {_day(last)}", st["h3"]))
        for line in content["chain"][:8]:
            story += paragraphs(line, st["body"], lead="•")
    if content["treatments"]:
        story.append(
            Paragraph(
                f"Treatment given ({content['visits']['count']} visits, "
                f"{_day(content['visits']['first'])} to {_day(content['visits']['last'])})",
                st["h3"],
            )
        )
        heads = ("Technique", "Region", "Visits")
        widths = [width * 0.45, width * 0.4, width * 0.15]
        rows = [[Paragraph(f"<b>{h}</b>", cell_style) for h in heads]]
        overflow = []
        for n, row in enumerate(content["treatments"], start=1):
            values = (row["technique"], row["region"], str(row["visits"]))
            rows.append(
                [
                    cell(v, cell_style, w - 6, overflow=overflow, label=f"Treatment {n}, {h}")
                    for v, w, h in zip(values, widths, heads, strict=True)
                ]
            )
        story.append(data_table(rows, widths))
        story += overflow_flowables(overflow, st["body"])
    if content["response"]:
        story.append(Paragraph("Response", st["h3"]))
        for line in content["response"]:
            story += paragraphs(line, st["body"])
    if (texts.get("next_steps") or "").strip():
        story += [Paragraph("Plan", st["h3"]), *_texts(texts["next_steps"], st)]
    question = ((content.get("letter") or {}).get("question") or "").strip()
    if question:
        story += [Paragraph("My question for you", st["h3"]), *_texts(question, st)]
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph("Yours sincerely,", st["body"]))
    story.append(Spacer(1, 2 * mm))
    story += _signature(content, st, signed=signed, signed_at=signed_at)
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(f"Copy to: {esc(clip(client['name'], 200))} (the client)", st["small"]))
    return story


def render_report_pdf(content, *, signed: bool, signed_at: str = "", logo_png: bytes | None = None) -> bytes:
    client_audience = content["audience"] == CLIENT
    st = styles(12 if client_audience else 10.5)
    letterhead = _letterhead(content, logo_png)
    width = page_size(letterhead.paper_size)[0] - 36 * mm - 12
    title = "Progress report" if client_audience else "Progress letter"
    if not client_audience and content["discharge"]:
        title = "Discharge letter"
    story = list(letterhead_flowables(letterhead, title, st, width))
    story.append(Spacer(1, 3 * mm))
    client = content["client"]
    period = content["period"]
    if client_audience:
        story.append(
            Paragraph(f"<b>{esc(clip(client['name'], 200))}</b> · born {_day(client['dob'])}", st["body"])
        )
        story.append(
            Paragraph(
                f"{_day(period['start'])} to {_day(period['end'])} · {content['visits']['count']} visits · "
                f"your therapist {esc(clip(content['author']['name'], 200))}",
                st["small"],
            )
        )
        story += _client_story(content, st, width, signed=signed, signed_at=signed_at)
    else:
        today = _day(signed_at[:10]) if signed and signed_at else _day(period["end"])
        story += _letter_story(content, st, width, signed=signed, signed_at=signed_at, today=today)
    return build_pdf(
        story=story,
        paper_size=letterhead.paper_size,
        footer_left=f"{clip(client['name'], 60)} · DOB {client['dob']}",
        title=f"{title} {clip(client['name'], 100)}",
        on_page=None if signed else _draft_mark,
    )
