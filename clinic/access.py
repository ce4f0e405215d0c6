"""Access functions: the only way a view reaches a protected object.

Each returns the object when the user may see it and raises Http404 otherwise,
so a record outside the user's scope is indistinguishable from one that does
not exist. Views never call ``.get(pk=...)`` on user input.

The 404 they raise is ``OutOfScope``: it carries the kind of record and the id
asked for, so the refusal is written to the audit log as a security event
(``trust.middleware.DenialAuditMiddleware``) without another query.

A page that shows, prints or downloads client data reaches its record and writes
its audit row in one call: ``client_for_reading`` here, and ``note_for_reading``,
``version_for_reading`` and the like in each app's access module, all built on
``read_recorded``. Every access function ends in ``scoped_get``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, Model, OuterRef, QuerySet
from django.http import Http404

from audit.log import audit_record
from clinic.models import Client, ClientDocument, ClientImport, EmergencyAccess, User
from core.compiled import lookups

T = TypeVar("T")
M = TypeVar("M", bound=Model)


class OutOfScope(Http404):
    """Not found for this user: outside their scope, or no such record."""

    def __init__(self, message: str, *, model: type, pk):
        super().__init__(message)
        self.model = model
        self.pk = pk


_MAX_ID = 2**63 - 1  # the largest bigint: a longer id would overflow the database driver


def _as_int(pk) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such record") from None
    if not 0 < value <= _MAX_ID:
        raise Http404("No such record")
    return value


def scoped_get(qs: QuerySet[M], pk, message: str) -> M:
    """The row of ``qs`` (already scoped to what the user may see) with id ``pk``, or
    ``OutOfScope`` with ``message``: every access function ends here."""
    try:
        return qs.get(pk=_as_int(pk))
    except ObjectDoesNotExist:  # the model's DoesNotExist
        raise OutOfScope(message, model=qs.model, pk=pk) from None


def get_client_for_user(user, pk, *, for_write: bool = False, with_clinical: bool = False) -> Client:
    """A client's demographic record. Admins see every client; therapists see the
    clients on whose care team they are. Writing demographics is for admins and
    care-team therapists alike.

    ``with_clinical``: the same query also answers whether the user reads the client's
    clinical content (``client.clinical``, as ``can_read_clinical``), so a chart pays
    one query for both."""
    qs = Client.objects.visible_to(user).select_related("primary_therapist")
    implied = _clinical_implied(user) if with_clinical else None
    if with_clinical and implied is None:
        qs = qs.annotate(clinical=Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("pk"))))
    client = scoped_get(qs, pk, "No such client")
    if implied is not None:
        client.clinical = implied
    return client


def _clinical_implied(user) -> bool | None:
    """Whether every client the user sees is one whose clinical content they read, or
    none is, known from the user alone; None when it differs by client (an admin who
    also treats: every client's details, the clinical content of their own).

    A therapist who is not an admin sees exactly the clients of their clinical scope
    (``visible_to`` and ``clinical_for`` are the same scope); a user who does not
    treat reads no clinical content."""
    if not getattr(user, "is_therapist", False):
        return False
    if not getattr(user, "is_clinic_admin", False):
        return True
    return None


@dataclass(frozen=True)
class Stamp:
    """What a cached page needs of a record before it knows whether it must render:
    the record's id, its client's id and record version (the cache key), and whether
    the reader reads that client's clinical content. An access function's answer in
    one narrow query; the page reaches the whole record through the same access
    function only when it renders."""

    model: type
    pk: int
    client_id: int
    record_version: int
    clinical: bool = True

    @property
    def versions(self) -> tuple[int, int]:
        return (self.client_id, self.record_version)

    def target(self) -> Model:
        """The record as the audit row names it (kind and id), without loading it."""
        return self.model(pk=self.pk)


def reader_shape(user) -> tuple:
    """Everything about a reader that decides the shape of their scope's SQL (not its
    values): the key of a compiled lookup (``core.compiled``)."""
    return (
        bool(user.is_authenticated),
        bool(getattr(user, "is_active", False)),
        bool(getattr(user, "is_clinic_admin", False)),
        bool(getattr(user, "is_therapist", False)),
        bool(getattr(user, "may_break_glass", False)),
    )


def stand_in_reader(user, pk: int) -> User:
    """A reader with ``user``'s roles and the id ``pk``: what a compiled lookup's
    QuerySet is built for (``core.compiled``)."""
    if not user.is_authenticated:
        return user
    return User(
        pk=pk,
        is_active=user.is_active,
        is_clinic_admin=user.is_clinic_admin,
        is_therapist=user.is_therapist,
        may_break_glass=user.may_break_glass,
    )


def stamp_get(user, pk, *, lookup: str, model, scope, client_field: str, message: str) -> Stamp:
    """``scoped_get`` for a stamp: the id, the client's id and its record version of the
    row with id ``pk`` among ``scope(reader)`` (the access function's own scope), or
    ``OutOfScope``. Run from SQL compiled once per ``lookup`` (a name unique to this
    scope: two scopes of one model never share a statement) and reader shape
    (``core.compiled``)."""
    prefix = f"{client_field}__" if client_field else ""
    columns = ("pk", f"{client_field}_id" if client_field else "pk", f"{prefix}record_version")

    def build(user_pk: int, row_pk: int) -> QuerySet:
        return scope(stand_in_reader(user, user_pk)).filter(pk=row_pk).order_by().values_list(*columns)

    row = lookups.first((lookup, *reader_shape(user)), build, user.pk or 0, _as_int(pk))
    if row is None:
        raise OutOfScope(message, model=model, pk=pk)
    return Stamp(model, *row)


def clinical_client_stamp_for_user(user, pk) -> Stamp:
    """``get_clinical_client_for_user`` as a stamp (one narrow query): for the program
    page, which loads the client only when its cached page is missing."""
    return stamp_get(
        user,
        pk,
        lookup="clinical-client",
        model=Client,
        scope=lambda reader: Client.objects.clinical_for(reader),
        client_field="",
        message="No such client",
    )


def client_stamp_for_user(user, pk) -> Stamp:
    """``get_client_for_user(..., with_clinical=True)`` as a stamp (one query): for the
    chart, which renders only when its cached page is missing."""
    implied = _clinical_implied(user)
    if implied is None:
        qs = Client.objects.visible_to(user).annotate(
            clinical=Exists(Client.objects.clinical_for(user).filter(pk=OuterRef("pk")))
        )
        row = qs.filter(pk=_as_int(pk)).values_list("pk", "pk", "record_version", "clinical").first()
        if row is None:
            raise OutOfScope("No such client", model=Client, pk=pk)
        return Stamp(Client, *row)
    stamp = stamp_get(
        user,
        pk,
        lookup="visible-client",
        model=Client,
        scope=lambda reader: Client.objects.visible_to(reader),
        client_field="",
        message="No such client",
    )
    return Stamp(Client, stamp.pk, stamp.client_id, stamp.record_version, implied)


def read_recorded(
    request, target: T, *, client=None, action: str = "view", detail: dict | None = None, record: bool = True
) -> T:
    """Write the audit row of a page that shows, prints or downloads ``target``, which
    the user has already reached through its access function, and return it. ``client``
    (a Client or its id) defaults to the target itself when it is a client; ``target``
    may be None for a page that names only the client. ``record=False`` writes nothing
    (a form page records the read on GET only).

    Every ``*_for_reading`` access function is built on this, so a page that reads
    client data checks access and writes its audit row in one call."""
    if record:
        if client is None and isinstance(target, Client):
            client = target
        audit_record(
            actor=request.user,
            action=action,
            request=request,
            client=client,
            target=target,  # type: ignore[arg-type]
            detail=detail,
        )
    return target


def client_for_reading(
    request,
    pk,
    *,
    clinical: bool = True,
    action: str = "view",
    detail: dict | None = None,
    record: bool = True,
) -> Client:
    """The client (``get_clinical_client_for_user``, or ``get_client_for_user`` when
    ``clinical`` is False), with the audit row of the page that reads it."""
    reach = get_clinical_client_for_user if clinical else get_client_for_user
    return read_recorded(request, reach(request.user, pk), action=action, detail=detail, record=record)


def get_clinical_client_for_user(user, pk) -> Client:
    """A client whose clinical content (intake screen, notes, assessments,
    programs) the user may read and write: care-team therapists only."""
    qs = Client.objects.clinical_for(user).select_related("primary_therapist")
    return scoped_get(qs, pk, "No such client")


def get_document_for_user(user, pk) -> ClientDocument:
    """A document attached to a client: for the therapists who read that client's
    clinical content. The front desk may attach a referral letter or a consent form
    but never reads a document back (404)."""
    qs = ClientDocument.objects.filter(client__in=Client.objects.clinical_for(user)).select_related(
        "client", "attached_by", "in_error_by"
    )
    return scoped_get(qs, pk, "No such document")


def get_user_for_admin(user, pk) -> User:
    """A staff account, for user management: admins only."""
    if not (user.is_authenticated and user.is_active and user.is_clinic_admin):
        raise OutOfScope("No such user", model=User, pk=pk)
    return scoped_get(User.objects.all(), pk, "No such user")


def can_read_clinical(user, client: Client) -> bool:
    """Used by composition pages to decide whether to include clinical sections."""
    return Client.objects.clinical_for(user).filter(pk=client.pk).exists()


def may_export_records(user) -> bool:
    """The complete record is clinical content: therapists export their care team's
    clients; a records officer (named by an admin) exports any client's record."""
    return bool(user.is_authenticated and user.is_active and (user.is_therapist or user.is_records_officer))


def get_client_for_export(user, pk) -> Client:
    """A client whose complete record the user may export: any client for a records
    officer, the care team's clients for a therapist, nobody else (a front-desk admin
    does not read clinical notes, so may not download them either)."""
    if not may_export_records(user):
        raise OutOfScope("No such client", model=Client, pk=pk)
    qs = Client.objects.all() if user.is_records_officer else Client.objects.clinical_for(user)
    return scoped_get(qs, pk, "No such client")


def can_export_client(user, client: Client, *, clinical: bool) -> bool:
    """Whether the chart offers the export buttons; ``clinical`` is the user's
    clinical access to this client, already known to the chart."""
    return may_export_records(user) and (user.is_records_officer or clinical)


def may_break_glass(user) -> bool:
    """Emergency access is pre-provisioned per therapist by an admin, off by default."""
    return bool(user.is_authenticated and user.is_active and user.is_therapist and user.may_break_glass)


def get_client_for_emergency(user, pk) -> Client:
    """Any active client, for a therapist allowed to open emergency access: the
    one case where a therapist reaches a client outside their care team (and
    then only its name and date of birth until a grant is open)."""
    if not may_break_glass(user):
        raise OutOfScope("No such client", model=Client, pk=pk)
    return scoped_get(Client.objects.active(), pk, "No such client")


def get_emergency_grant_for_user(user, pk) -> EmergencyAccess:
    """A grant, for ending it: its holder's own grants, or any grant for an admin."""
    if not (user.is_authenticated and user.is_active):
        raise OutOfScope("No such grant", model=EmergencyAccess, pk=pk)
    qs = EmergencyAccess.objects.select_related("user", "client")
    if not user.is_clinic_admin:
        if not may_break_glass(user):
            raise OutOfScope("No such grant", model=EmergencyAccess, pk=pk)
        qs = qs.filter(user=user)
    return scoped_get(qs, pk, "No such grant")


def get_emergency_grant_for_admin(user, pk) -> EmergencyAccess:
    """A grant, for review: admins only."""
    if not (user.is_authenticated and user.is_active and user.is_clinic_admin):
        raise OutOfScope("No such grant", model=EmergencyAccess, pk=pk)
    qs = EmergencyAccess.objects.select_related("user", "client", "ended_by", "reviewed_by")
    return scoped_get(qs, pk, "No such grant")


def get_import_for_admin(user, pk) -> ClientImport:
    """An uploaded client list, for its preview and import: admins only."""
    if not (user.is_authenticated and user.is_active and user.is_clinic_admin):
        raise OutOfScope("No such import", model=ClientImport, pk=pk)
    return scoped_get(
        ClientImport.objects.select_related("primary_therapist", "uploaded_by"), pk, "No such import"
    )
