"""The disclosure log and a client's accounting of disclosures (45 CFR 164.528).

Admins only: the front desk handles release-of-information requests, and the
log holds no clinical content. A therapist who is not an admin gets 404, as for
any page outside their scope. Every page names the client in the audit log; the
printable accounting is audited as ``accounting``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from clinic import services
from clinic.access import get_client_for_user, read_recorded
from clinic.decorators import admin_required
from clinic.forms import add_validation_errors
from clinic.models import ACCOUNTING_YEARS, ClinicProfile, Disclosure, accounting_start
from core.http import file_response
from core.pdf import (
    Letterhead,
    Paragraph,
    build_pdf,
    clip,
    esc,
    letterhead_flowables,
    page_size,
    paragraphs,
    styles,
)
from core.records import RecordLocked
from trust.forms import DisclosureForm

DISCLOSURES_PER_PAGE = 25


@require_http_methods(["GET", "POST"])
@admin_required
def disclosure_new(request, pk):
    client = get_client_for_user(request.user, pk)
    form = DisclosureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.disclosure_record(client=client, by=request.user, **form.cleaned_data)
        except RecordLocked as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        else:
            messages.success(request, "Disclosure recorded.")
            return redirect("client_disclosures", pk=client.pk)
    read_recorded(
        request, client, detail={"category": "disclosures", "form": True}, record=request.method == "GET"
    )
    return render(
        request,
        "clinic/disclosure_form.html",
        {"client": client, "form": form},
        status=400 if form.errors else 200,
    )


@require_GET
@admin_required
def client_disclosures(request, pk):
    client = get_client_for_user(request.user, pk)
    today = timezone.localdate()
    paginator = Paginator(Disclosure.objects.for_accounting(client, today=today), DISCLOSURES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    read_recorded(
        request,
        client,
        detail={"category": "disclosures", "page": page.number, "shown": [d.pk for d in page]},
    )
    return render(
        request,
        "clinic/disclosure_list.html",
        {
            "client": client,
            "page": page,
            "disclosures": page.object_list,
            "since": accounting_start(today),
            "years": ACCOUNTING_YEARS,
        },
    )


@require_GET
@admin_required
def client_disclosures_pdf(request, pk):
    client = get_client_for_user(request.user, pk)
    today = timezone.localdate()
    disclosures = list(Disclosure.objects.for_accounting(client, today=today))
    read_recorded(
        request,
        client,
        action="accounting",
        detail={"format": "pdf", "since": accounting_start(today).isoformat(), "count": len(disclosures)},
    )
    pdf = render_accounting_pdf(
        client=client,
        disclosures=disclosures,
        since=accounting_start(today),
        today=today,
        letterhead=Letterhead.from_profile(ClinicProfile.load()),
    )
    filename = f"client-{client.pk}-{slugify(client.last_name)[:40] or 'record'}-disclosures.pdf"
    return file_response(pdf, content_type="application/pdf", filename=filename, inline=True)


def render_accounting_pdf(*, client, disclosures, since, today, letterhead: Letterhead) -> bytes:
    """The accounting of disclosures as the client receives it. Pure: no queries
    (``recorded_by`` comes with the rows); every user text goes through ``esc``."""

    st = styles(10)
    width = page_size(letterhead.paper_size)[0] - 36 * mm
    story = letterhead_flowables(letterhead, "Accounting of disclosures", st, width)
    story += [
        Spacer(1, 4 * mm),
        Paragraph(
            f"<b>{esc(clip(client.full_name, 200))}</b> · born {client.date_of_birth:%Y-%m-%d}", st["h1"]
        ),
        Paragraph(
            f"Disclosures of this client's health information made from {since:%Y-%m-%d} to "
            f"{today:%Y-%m-%d} (the last {ACCOUNTING_YEARS} years) to anyone outside treatment, "
            "payment and the clinic's own operations: the date, the recipient, what was released "
            "and why.",
            st["small"],
        ),
        Spacer(1, 3 * mm),
    ]
    if not disclosures:
        story.append(Paragraph("No disclosures were recorded in this period.", st["body"]))
    # Paragraphs rather than a table: a long description or a copied-in request
    # flows on to the next page, where a table cell taller than a page cannot.
    # Each text is cut into pieces of bounded size, so a pasted letter costs time in
    # proportion to its length and never outgrows a page.
    for d in disclosures:
        story += paragraphs(d.recipient_name, st["h3"], lead=f"{d.disclosed_on:%Y-%m-%d} ·")
        if d.recipient_address:
            story += paragraphs(d.recipient_address, st["small"])
        story += paragraphs(d.description, st["body"], lead="<b>Released:</b>")
        story += paragraphs(d.purpose, st["body"], lead="<b>Purpose:</b>")
        story.append(Spacer(1, 2 * mm))
    return build_pdf(
        story=story,
        paper_size=letterhead.paper_size,
        footer_left=f"{clip(client.full_name, 60)} · DOB {client.date_of_birth:%Y-%m-%d}",
        title=f"Accounting of disclosures: {clip(client.full_name, 100)}",
    )
