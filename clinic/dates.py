"""Clinical dates: the window a visit, assessment or program may be dated in.

A clinical record cannot be dated before the client was born, before the
clinic's first day (the clinic profile's ``opened_on``; without one, 1 January
1900), or more than a day ahead of today (a day's grace covers time zones and
evening entry for the next morning). Services call ``check_clinical_date`` so
every way in refuses the same dates with the same message; forms call
``clinical_date_problem`` to show it at the field.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import ClinicProfile

# The earliest date accepted when the clinic profile gives no first day.
FLOOR = date(1900, 1, 1)
FUTURE_GRACE = timedelta(days=1)


def clinic_first_day() -> date:

    opened = ClinicProfile.objects.filter(pk=1).values_list("opened_on", flat=True).first()
    return opened or FLOOR


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def clinical_date_problem(value: date | datetime | None, *, client=None, today: date | None = None) -> str:
    """The reason ``value`` cannot date a clinical record of ``client``, or ""."""
    if value is None:
        return ""
    day = _as_date(value)
    today = today or timezone.localdate()
    latest = today + FUTURE_GRACE
    if day > latest:
        return (
            f"{day:%d %B %Y} is too far ahead: a clinical record can be dated "
            f"{latest:%d %B %Y} at the latest."
        )
    born = getattr(client, "date_of_birth", None)
    if born is not None and day < born:
        return f"{day:%d %B %Y} is before the client's date of birth ({born:%d %B %Y})."
    first = clinic_first_day()
    if day < first:
        if first == FLOOR:
            return f"{day:%d %B %Y} is too early: the earliest date accepted is {first:%d %B %Y}."
        return f"{day:%d %B %Y} is before the clinic's first day ({first:%d %B %Y})."
    return ""


def check_clinical_date(
    value: date | datetime | None, *, client, field: str, today: date | None = None
) -> None:
    """Raise ValidationError at ``field`` when ``value`` is outside the window."""
    problem = clinical_date_problem(value, client=client, today=today)
    if problem:
        raise ValidationError({field: problem})
