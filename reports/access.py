"""The one way a view reaches a progress report.

Signed reports are read by the client's care team; a draft is seen only by its
author (or a named supervisor of the author, where the clinic allows it), and
writes are for them alone. Anything else is 404: a colleague off the care team
or a front-desk admin cannot tell a report exists.
"""

from __future__ import annotations

from clinic.access import OutOfScope, _as_int
from clinic.records import may_act_as_author
from reports.models import ProgressReport


def get_report_for_user(user, pk, *, for_write: bool = False) -> ProgressReport:
    qs = ProgressReport.objects.for_user(user).select_related("client", "author", "signed_by")
    try:
        report = qs.get(pk=_as_int(pk))
    except ProgressReport.DoesNotExist:
        raise OutOfScope("No such report", model=ProgressReport, pk=pk) from None
    if (for_write or not report.is_signed) and not may_act_as_author(author_id=report.author_id, by=user):
        raise OutOfScope("No such report", model=ProgressReport, pk=pk)
    return report
