"""Reading a client list exported from another practice system.

``read_client_csv`` turns the bytes of a CSV file into a preview: the columns it
recognised, and every row either ready to import, a duplicate of a client already
held (same first name, last name and date of birth, case-insensitive) or refused
with its reasons. Nothing is written here; ``clinic.services.clients_import`` writes
the ready rows in one transaction.

The file is treated as hostile: its size, row count and cell length are bounded, its
encoding is guessed (UTF-8 with or without BOM, then Windows Latin-1), its delimiter
sniffed (comma, semicolon or tab), NUL characters dropped, and formula-looking cells
(``=``, ``+``, ``-``, ``@``) kept as plain text (the product's CSV exports neutralise
them, see ``core.csvsafe``)."""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from clinic.models import Client

MAX_CELL = 20_000
MAX_ROWS = 50_000

# Each field the import fills, with the column names practice systems use for it
# (compared without case, spaces or punctuation).
FIELDS: dict[str, tuple[str, ...]] = {
    "first_name": (
        "firstname",
        "first",
        "givenname",
        "givennames",
        "forename",
        "clientfirstname",
        "patientfirstname",
    ),
    "last_name": ("lastname", "last", "surname", "familyname", "clientlastname", "patientlastname"),
    "preferred_name": ("preferredname", "nickname", "knownas", "preferredfirstname"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate", "birthday", "dateofbirthddmmyyyy", "born"),
    "sex": ("sex", "gender", "sexgender"),
    "email": ("email", "emailaddress", "email1", "primaryemail"),
    "phone": (
        "phone",
        "mobile",
        "mobilephone",
        "mobilenumber",
        "cellphone",
        "cell",
        "phonenumber",
        "homephone",
        "telephone",
        "primaryphone",
        "phone1",
    ),
    "address": ("address", "address1", "addressline1", "street", "streetaddress", "homeaddress"),
    "emergency_contact_name": ("emergencycontact", "emergencycontactname", "nextofkin"),
    "emergency_contact_phone": (
        "emergencycontactphone",
        "emergencyphone",
        "emergencycontactnumber",
        "emergencycontactmobile",
        "nextofkinphone",
    ),
    "occupation": ("occupation", "job", "profession"),
    "referral_source": (
        "referralsource",
        "referredby",
        "referral",
        "referrer",
        "howdidyouhearaboutus",
        "referringpractitioner",
        "referringdoctor",
    ),
}
# Parts of an address that systems keep in their own columns; joined after the street.
ADDRESS_PARTS = (
    "address2",
    "addressline2",
    "city",
    "suburb",
    "town",
    "state",
    "county",
    "region",
    "postcode",
    "postalcode",
    "zip",
    "zipcode",
    "country",
)
# Columns recognised but deliberately not imported, and why (shown on the preview).
NOT_IMPORTED = {
    ("notes", "note", "comments", "clientnotes", "patientnotes", "alerts", "medicalalerts"): (
        "Free-text notes from another system are not imported: they may hold clinical content, "
        "which the client's details (read by the front desk) must not carry. Bring clinical "
        "history in as the first visit's notes."
    ),
}
REQUIRED = ("first_name", "last_name", "date_of_birth")
LABELS = {
    "first_name": "First name",
    "last_name": "Last name",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "email": "Email",
    "phone": "Phone",
    "address": "Address",
    "emergency_contact_name": "Emergency contact",
    "emergency_contact_phone": "Emergency contact phone",
    "occupation": "Occupation",
    "referral_source": "Referral source",
}
SEXES = {
    "f": "F",
    "female": "F",
    "woman": "F",
    "w": "F",
    "m": "M",
    "male": "M",
    "man": "M",
    "x": "X",
    "intersex": "X",
    "other": "X",
    "nonbinary": "X",
    "intersexother": "X",
    "u": "U",
    "": "U",
    "unknown": "U",
    "undisclosed": "U",
    "prefernottosay": "U",
    "notstated": "U",
}
DAY_FIRST = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d-%b-%Y",
)
MONTH_FIRST = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%m.%d.%Y",
    "%m-%d-%Y",
    "%Y/%m/%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%B %d %Y",
    "%d-%b-%Y",
)


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why in plain words."""


@dataclass
class Row:
    line: int
    data: dict
    errors: list[str] = field(default_factory=list)
    duplicate: bool = False

    @property
    def ready(self) -> bool:
        return not self.errors and not self.duplicate

    @property
    def name(self) -> str:
        return (
            " ".join(p for p in (self.data.get("first_name"), self.data.get("last_name")) if p) or "(no name)"
        )

    @property
    def status(self) -> str:
        if self.errors:
            return "; ".join(self.errors)
        return (
            "Already in Kinetic Chart (same name and date of birth): skipped" if self.duplicate else "Ready"
        )


@dataclass
class Preview:
    encoding: str
    delimiter: str
    columns: dict[str, list[str]]  # field -> the file's column headers used for it
    ignored: list[str]  # headers not used
    notices: list[str]
    rows: list[Row]

    @property
    def ready(self) -> list[Row]:
        return [r for r in self.rows if r.ready]

    @property
    def duplicates(self) -> list[Row]:
        return [r for r in self.rows if r.duplicate and not r.errors]

    @property
    def refused(self) -> list[Row]:
        return [r for r in self.rows if r.errors]

    @property
    def mapping(self) -> list[tuple[str, str]]:
        return [(LABELS[f], ", ".join(cols)) for f, cols in self.columns.items()]


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def decode(raw: bytes) -> tuple[str, str]:
    """The file's text and a plain name of the encoding it was read in."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "UTF-8"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows Latin-1"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1"


def _delimiter(text: str) -> str:
    sample = text[:20_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        return max(",;\t", key=first.count)


def _map(headers: list[str]) -> tuple[dict[str, list[int]], list[int], list[str], list[str]]:
    """Column indexes per field, indexes of address parts, unused headers, notices."""
    columns: dict[str, list[int]] = {}
    parts: list[int] = []
    ignored: list[str] = []
    notices: list[str] = []
    aliases = {alias: name for name, names in FIELDS.items() for alias in names}
    for index, header in enumerate(headers):
        key = _key(header)
        if key in aliases and aliases[key] not in columns:
            columns[aliases[key]] = [index]
        elif key in ADDRESS_PARTS:
            parts.append(index)
        else:
            reason = next((why for keys, why in NOT_IMPORTED.items() if key in keys), None)
            if reason and reason not in notices:
                notices.append(reason)
            if header.strip():
                ignored.append(header.strip())
    return columns, parts, ignored, notices


def parse_date(value: str, *, month_first: bool = False) -> date:
    text = re.sub(r"\s+", " ", value.strip().replace(",", " ")).strip()
    for fmt in MONTH_FIRST if month_first else DAY_FIRST:
        try:
            parsed = date(*time.strptime(text, fmt)[:3])
        except ValueError:
            continue
        if "%Y" in fmt and parsed.year < 1000:
            continue
        return parsed
    raise ValueError(value)


def _clean(value: str) -> str:
    return value.replace("\x00", "").strip()


def _row(line: int, cells: list[str], columns, parts, *, month_first: bool, today: date) -> Row:
    def cell(index: int) -> str:
        return _clean(cells[index]) if index < len(cells) else ""

    data: dict = {}
    errors: list[str] = []
    for name, indexes in columns.items():
        data[name] = cell(indexes[0])
    if parts:
        extra = [cell(i) for i in parts if cell(i)]
        data["address"] = ", ".join(p for p in [data.get("address", ""), *extra] if p)
    for name in REQUIRED:
        if not data.get(name):
            errors.append(f"{LABELS[name]} is missing")
    raw_dob = data.get("date_of_birth", "")
    if raw_dob:
        try:
            dob = parse_date(raw_dob, month_first=month_first)
        except ValueError:
            errors.append(
                f"Date of birth “{raw_dob[:40]}” is not a date this import reads "
                "(use 1980-03-14 or 14/03/1980)"
            )
        else:
            if dob > today:
                errors.append(f"Date of birth {dob:%Y-%m-%d} is in the future")
            elif dob.year < 1900:
                errors.append(f"Date of birth {dob:%Y-%m-%d} is before 1900")
            else:
                data["date_of_birth"] = dob
    sex = _key(data.get("sex", ""))
    if sex in SEXES:
        data["sex"] = SEXES[sex]
    else:
        errors.append(f"Sex “{data['sex'][:40]}” is not one of female, male, intersex / other, or blank")
    if data.get("email"):
        try:
            validate_email(data["email"])
        except ValidationError:
            errors.append(f"Email “{data['email'][:60]}” is not an email address")
    for name, value in data.items():
        if isinstance(value, str):
            model_field = Client._meta.get_field(name)
            assert isinstance(model_field, models.Field)  # the imported columns are the client's own fields
            limit = model_field.max_length
            if limit and len(value) > limit:
                errors.append(f"{LABELS[name]} is longer than {limit} characters")
    return Row(line=line, data=data, errors=errors)


def read_client_csv(raw: bytes, *, month_first: bool = False, today: date | None = None) -> Preview:
    """The preview of a client CSV: raises ImportFileError when the file cannot be read at all."""
    limit = settings.KC_IMPORT_MAX_BYTES
    if len(raw) > limit:
        raise ImportFileError(f"The file is larger than the import limit ({limit // (1024 * 1024)} MB).")
    if not raw.strip():
        raise ImportFileError("The file is empty.")
    if b"\x00" in raw[:4096] and raw.count(b"\x00") > len(raw) // 10:
        raise ImportFileError("This is not a CSV file (it looks like a binary file).")
    text, encoding = decode(raw)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    csv.field_size_limit(MAX_CELL + 1)
    try:
        headers = next(reader, [])
        columns, parts, ignored, notices = _map(headers)
        missing = [LABELS[f] for f in REQUIRED if f not in columns]
        if missing:
            raise ImportFileError(
                "The file has no column for: " + ", ".join(missing) + ". The first row must name the "
                "columns, e.g. First name, Last name, Date of birth."
            )
        today = today or timezone.localdate()
        rows: list[Row] = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    f"The file has more than {MAX_ROWS:,} clients; split it into smaller files."
                )
            rows.append(_row(reader.line_num, cells, columns, parts, month_first=month_first, today=today))
    except csv.Error as exc:
        raise ImportFileError(
            f"The file cannot be read as CSV near line {reader.line_num}: a cell is longer than "
            f"{MAX_CELL:,} characters or a quote is not closed."
        ) from exc
    if not rows:
        raise ImportFileError("The file has column names but no clients.")
    _mark_duplicates(rows)
    return Preview(
        encoding=encoding,
        delimiter={",": "comma", ";": "semicolon", "\t": "tab"}.get(delimiter, delimiter),
        columns={name: [headers[i].strip() for i in idx] for name, idx in columns.items()}
        | ({"address": [headers[i].strip() for i in columns.get("address", []) + parts]} if parts else {}),
        ignored=ignored,
        notices=notices,
        rows=rows,
    )


def identity(first: str, last: str, dob: date) -> tuple[str, str, date]:
    return (first.strip().lower(), last.strip().lower(), dob)


def existing_identities(dobs: set[date]) -> set[tuple[str, str, date]]:
    found: set[tuple[str, str, date]] = set()
    ordered = sorted(dobs)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        qs = Client.objects.filter(date_of_birth__in=chunk).values_list(
            Lower("first_name"), Lower("last_name"), "date_of_birth"
        )
        found.update((f.strip(), ln.strip(), d) for f, ln, d in qs)
    return found


def _mark_duplicates(rows: list[Row]) -> None:
    """A row whose client is already held, or appears earlier in the file, is a duplicate."""
    candidates = [r for r in rows if not r.errors]
    seen = existing_identities({r.data["date_of_birth"] for r in candidates})
    for row in candidates:
        key = identity(row.data["first_name"], row.data["last_name"], row.data["date_of_birth"])
        row.duplicate = key in seen
        seen.add(key)
