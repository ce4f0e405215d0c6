"""The one way a view reaches a progress report.

A client's reports, drafts and signed, are read by the client's care team;
anyone else (a colleague off the care team, a front-desk admin) gets 404 and
cannot tell a report exists. Writing a draft and signing it are for its author
(or a named supervisor of the author, where the clinic allows it): with
``for_write`` a signed report raises RecordLocked (409) and someone else's
draft NotTheAuthor (403), because the caller already reads it.
"""

from __future__ import annotations

from clinic.access import read_recorded, scoped_get
from clinic.authorship import check_author
from core.records import RecordLocked
from reports.models import ProgressReport

NOT_THE_AUTHOR = "Only the therapist who wrote this report can change or sign it."
LOCKED = "This report is signed and locked."


def get_report_for_user(user, pk, *, for_write: bool = False) -> ProgressReport:
    qs = ProgressReport.objects.for_user(user).select_related("client", "author", "signed_by")
    report = scoped_get(qs, pk, "No such report")
    if for_write:
        if report.is_signed:
            raise RecordLocked(LOCKED)
        check_author(author_id=report.author_id, by=user, message=NOT_THE_AUTHOR)
    return report


def report_for_reading(request, pk) -> ProgressReport:
    """The report (``get_report_for_user``), with the audit row of its page."""
    report = get_report_for_user(request.user, pk)
    return read_recorded(request, report, client=report.client_id)
