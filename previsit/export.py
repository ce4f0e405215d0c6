"""This app's parts of the complete client export (see clinic.export), of its printout and of
the restore drill."""

from __future__ import annotations

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak

from clinic.export import records_for_client
from core.composition import RestoreCheck
from core.pdf import Paragraph, cell, data_table, esc, overflow_flowables
from previsit.models import IntakeSubmission, QuestionnaireRequest
from previsit.pages import intake_rows


def export_client(client) -> dict:
    """Every questionnaire and intake form the client was asked for or sent before a visit,
    with their answers, pending, accepted or discarded (and the reason)."""
    return records_for_client("previsit", client)


def restore_check() -> RestoreCheck:
    return RestoreCheck(
        counts={
            "questionnaires before a visit": QuestionnaireRequest.objects.count(),
            "intake forms before a visit": IntakeSubmission.objects.count(),
        }
    )


def _day(value) -> str:
    return f"{timezone.localtime(value):%d %B %Y}" if value is not None else ""


def _decision(row, *, done: str, by, at) -> str:
    """Who accepted (or confirmed) or discarded it, when, and why it was discarded."""
    if row.status == done:
        return f"{row.get_status_display()} {_day(at)} by {by.display_name if by else 'the clinic'}"
    if row.status == "discarded":
        who = row.discarded_by.display_name if row.discarded_by else "the clinic"
        return f"Discarded {_day(row.discarded_at)} by {who}: {row.discard_reason}"
    return row.get_status_display()


def _questionnaire_row(q: QuestionnaireRequest) -> tuple[str, ...]:
    asked = (
        f"{_day(q.requested_at)} by {q.requested_by.display_name}" if q.requested_by else _day(q.requested_at)
    )
    if q.requested_by is None:
        asked += " (a schedule rule)"
    return (
        q.get_measure_display(),
        asked,
        _day(q.submitted_at) or "Not sent",
        q.score_text,
        _decision(q, done=QuestionnaireRequest.Status.ACCEPTED, by=q.accepted_by, at=q.accepted_at),
    )


def _intake(i: IntakeSubmission) -> dict:
    if i.entered_by is not None:
        source = f"Entered from the paper form by {i.entered_by.display_name}"
    else:
        source = "Filled in by the client on their link"
    consent = "Consent given" if i.consent_given else "No consent given"
    if i.consent_given and i.consented_by_name:
        consent += f" by {i.consented_by_name}"
    return {
        "title": f"Intake form sent {_day(i.submitted_at)}",
        "facts": [
            ("How", source),
            (
                "Decision",
                _decision(i, done=IntakeSubmission.Status.CONFIRMED, by=i.confirmed_by, at=i.confirmed_at),
            ),
            ("Consent", consent),
            ("Medicines", i.medications),
            ("GP", " · ".join(p for p in (i.gp_name, i.gp_contact) if p)),
        ],
        "yes": [(row["question"], row["details"]) for row in intake_rows(i) if row["answer"] == "Yes"],
    }


def pdf_part(client):
    """The questionnaires and intake forms before a visit, whatever became of them: accepted
    ones are also in the record as assessments or a health screen; discarded ones print with
    the reason. Runs the queries now (two); the returned function only lays out."""
    questionnaires = [
        _questionnaire_row(q)
        for q in QuestionnaireRequest.objects.for_client(client)
        .select_related("requested_by", "accepted_by", "discarded_by")
        .order_by("requested_at", "id")
    ]
    intakes = [
        _intake(i)
        for i in IntakeSubmission.objects.for_client(client)
        .select_related("entered_by", "confirmed_by", "discarded_by")
        .order_by("submitted_at", "id")
    ]

    return layout(questionnaires, intakes)


def layout(questionnaires: list[tuple[str, ...]], intakes: list[dict]):
    """Lays out the rows ``pdf_part`` fetched (no queries)."""

    def flowables(st, width) -> list:
        cell_style = st["cell"]
        story: list = [CondPageBreak(50 * mm), Paragraph("Before the visit", st["h1"])]
        story.append(Paragraph(f"Questionnaires ({len(questionnaires)})", st["h2"]))
        if not questionnaires:
            story.append(Paragraph("No questionnaire asked for.", st["small"]))
        else:
            heads = ("Questionnaire", "Asked for", "Sent by the client", "Score", "Decision")
            widths = [w * width for w in (0.2, 0.18, 0.14, 0.2, 0.28)]
            rows = [[Paragraph(f"<b>{h}</b>", cell_style) for h in heads]]
            overflow: list = []
            for number, values in enumerate(questionnaires, start=1):
                rows.append(
                    [
                        cell(text, cell_style, w - 6, overflow=overflow, label=f"Questionnaire {number}, {h}")
                        for text, w, h in zip(values, widths, heads, strict=True)
                    ]
                )
            story.append(data_table(rows, widths))
            story += overflow_flowables(overflow, st["body"])
        story.append(Paragraph(f"Intake forms ({len(intakes)})", st["h2"]))
        if not intakes:
            story.append(Paragraph("No intake form sent.", st["small"]))
        widths = [width * 0.28, width * 0.72]
        for number, intake in enumerate(intakes, start=1):
            story.append(Paragraph(intake["title"], st["h3"]))
            overflow = []
            facts = [(label, value) for label, value in intake["facts"] if value]
            facts += [
                (f"Yes: {question}", details or "No details given") for question, details in intake["yes"]
            ]
            if not intake["yes"]:
                facts.append(("Answers", "No to every question"))
            rows = [
                [
                    Paragraph(f"<b>{esc(label)}</b>", cell_style),
                    cell(
                        value,
                        cell_style,
                        widths[1] - 6,
                        overflow=overflow,
                        label=f"Intake form {number}, {label}",
                    ),
                ]
                for label, value in facts
            ]
            story.append(data_table(rows, widths, header=False))
            story += overflow_flowables(overflow, st["body"])
        return story

    return flowables
