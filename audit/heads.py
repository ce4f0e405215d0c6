"""The audit log's published heads: its newest event, signed, kept outside the database.

Deleting the newest audit rows leaves a shorter chain that is still intact, so the
chain alone cannot show it. ``manage.py audit_publish_head`` (every 15 minutes) and
every backup append the current head (time, event id, hash, key id) as one line to the
head file (``KC_AUDIT_HEAD_FILE``, best on another host or write-once storage) and to
the log (logger ``clinic.audit``); ``audit_record`` logs the line every 1,000 rows too.
Each line carries its own HMAC with the audit key, so an edited line is detected.
``manage.py audit_verify`` reads the head file and fails when a published head is
missing from the database or differs from it, or when the database ends before it.

A line looks like::

    2026-03-01T02:30:00Z audit-head id=1234 hash=<64 hex> key=<key id> mac=<key id>:<64 hex>

``key`` is the key that signed event ``id``; ``mac`` the key that signed the line.
A restore appends an ``audit-restore`` line naming the head the log was restored to:
heads published before it with a higher id belong to the history the restore
replaced, and are no longer checked.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from audit.log import (
    HEAD,
    HEAD_LINE_LABEL,
    NO_KEY,
    RESTORE,
    head_line,
    key_by_id,
    logger,
    verify_chain,
)
from audit.models import AuditEvent
from core.files import PrivateFolderError, default_backup_dir, private_folder

HEAD_FILE_NAME = "audit-heads.log"


class HeadFileError(Exception):
    pass


class LogFailsVerification(HeadFileError):
    """The events since the last published head fail verification: no head is published."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"the audit log fails verification since the last published head ({len(problems)} "
            f"problem(s), first: {problems[0]}): not publishing; run manage.py audit_verify"
        )


@dataclass(frozen=True)
class PublishedHead:
    kind: str
    at: str
    event_id: int
    hash: str
    key_id: str
    line_no: int

    def describe(self) -> str:
        return f"published head {self.event_id} (line {self.line_no}, {self.at})"


@dataclass
class HeadCheck:
    """What comparing the database with the head file found."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    heads_checked: int = 0
    newest: PublishedHead | None = None


def head_file() -> Path:
    return settings.KC_AUDIT_HEAD_FILE or default_backup_dir() / HEAD_FILE_NAME


def current_head() -> tuple[int, str, str] | None:
    """The newest event's (id, hash, key id), or None for an empty log."""
    return AuditEvent.objects.order_by("-id").values_list("id", "hash", "key_id").first()


def append_line(line: str, path: Path | None = None) -> Path:
    """Append one line to the head file, creating it (0600, in a 0700 folder when the
    folder is new; the default backup folder is always made private) if need be."""
    path = path or head_file()
    try:
        if path.parent == default_backup_dir():
            private_folder(path.parent)
        else:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # O_APPEND: one write of one short line, so concurrent publishers never interleave.
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (line + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except (OSError, PrivateFolderError) as exc:
        raise HeadFileError(f"cannot write the audit head file {path}: {exc}") from exc
    return path


def publish_head() -> str | None:
    """Check the events since the last published head, then append the current head
    to the head file and the log. Returns the line, or None for an empty log. Raises
    HeadFileError when the events since the last head fail verification (a head is
    never published over a tampered log) or the file cannot be written."""
    head = current_head()
    if head is None:
        return None
    problems = _check_since_last_head()
    if problems:
        raise LogFailsVerification(problems)
    line = head_line(*head)
    logger.info(line)
    append_line(line)
    return line


def _check_since_last_head() -> list[str]:
    """The published head in force must still be in the database, unchanged, and the
    events after it must chain to it: only the new events are walked."""
    heads, problems = read_heads()
    if problems:
        return problems
    in_force = heads_in_force(heads)
    if not in_force:
        return []
    last = max(in_force, key=lambda h: h.event_id)
    found = AuditEvent.objects.filter(pk=last.event_id).values_list("hash", flat=True).first()
    if found is None:
        return [f"{last.describe()}: the event is missing from the database (the log was truncated)"]
    if found != last.hash:
        return [f"{last.describe()}: the event differs from the published one (rewritten)"]
    return verify_chain(after=(last.event_id, last.hash))


def parse_line(line: str, line_no: int) -> tuple[PublishedHead | None, str | None]:
    """A head line and the problem with it (None when its signature checks out)."""
    try:
        body, mac_part = line.rsplit(" mac=", 1)
        mac_key, mac = mac_part.split(":", 1)
        stamp, kind, *pairs = body.split(" ")
        values = dict(pair.split("=", 1) for pair in pairs)
        head = PublishedHead(
            kind=kind,
            at=stamp,
            event_id=int(values["id"]),
            hash=values["hash"],
            key_id="" if values["key"] == NO_KEY else values["key"],
            line_no=line_no,
        )
        if kind not in (HEAD, RESTORE):
            raise ValueError(kind)
    except (ValueError, KeyError):
        return None, f"head file line {line_no}: not a published head (the line was edited or damaged)"
    key = key_by_id(mac_key)
    if key is None:
        return None, (
            f"head file line {line_no}: signed with a key this server does not hold (key id {mac_key}); "
            "put that key back on a retired line of KC_AUDIT_KEY_FILE"
        )
    if not key.verify(HEAD_LINE_LABEL + body.encode(), mac.strip()):
        return None, f"head file line {line_no}: its signature does not match (the line was edited)"
    return head, None


def read_heads(path: Path | None = None) -> tuple[list[PublishedHead], list[str]]:
    """Every head in the head file, in file order, and the problems with its lines.
    A missing file holds no heads."""
    path = path or head_file()
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [f"cannot read the audit head file {path}: {exc}"]
    heads, problems = [], []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        head, problem = parse_line(line.strip(), line_no)
        if problem:
            problems.append(problem)
        elif head is not None:
            heads.append(head)
    return heads, problems


def heads_in_force(heads: list[PublishedHead]) -> list[PublishedHead]:
    """The heads still to be found in the database: a restore line drops the heads
    published before it above the id the log was restored to."""
    kept: list[PublishedHead] = []
    for head in heads:
        if head.kind == RESTORE:
            kept = [h for h in kept if h.event_id <= head.event_id]
        kept.append(head)
    return kept


def check_heads(*, within: bool = False, path: Path | None = None) -> HeadCheck:
    """Compare the database with the published heads. ``within``: the database is a
    copy restored from a backup, so only the heads up to its newest event are checked."""
    path = path or head_file()
    result = HeadCheck()
    heads, result.problems = read_heads(path)
    if not heads and not result.problems:
        result.warnings.append(
            f"no published audit heads ({path} does not exist or is empty): deleting the newest "
            "audit events cannot be detected; schedule manage.py audit_publish_head"
        )
        return result
    in_force = heads_in_force(heads)
    newest_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    if within:
        in_force = [h for h in in_force if h.event_id <= newest_id]
    found: dict[int, tuple[str, str]] = {}
    ids = sorted({h.event_id for h in in_force})
    for start in range(0, len(ids), 500):
        rows = AuditEvent.objects.filter(pk__in=ids[start : start + 500]).values_list("id", "hash", "key_id")
        found.update({pk: (digest, key_id) for pk, digest, key_id in rows})
    for head in in_force:
        row = found.get(head.event_id)
        if row is None:
            result.problems.append(
                f"{head.describe()}: the event is missing from the database (the log was truncated)"
            )
        elif row != (head.hash, head.key_id):
            result.problems.append(f"{head.describe()}: the event differs from the published one (rewritten)")
    result.heads_checked = len(in_force)
    if in_force:
        result.newest = max(in_force, key=lambda h: h.event_id)
        if not within and newest_id < result.newest.event_id:
            result.problems.append(
                f"the newest event is {newest_id}, but head {result.newest.event_id} was published at "
                f"{result.newest.at}: the newest events were deleted"
            )
    return result


def record_restore(event_id: int, event_hash: str, key_id: str) -> str:
    """After a restore: a signed line saying the log now ends at this event, so the
    heads of the history it replaced are no longer looked for."""
    line = head_line(event_id, event_hash, key_id, kind=RESTORE)
    logger.info(line)
    append_line(line)
    return line
