"""The one family of errors a domain rule raises when it refuses an action.

Each carries the HTTP status a view answers with and a plain message for the person who
tried, so a view catches ``DomainError`` once and answers ``exc.status`` with
``exc.message``, and one that does not catch it still answers properly
(``core.http.DomainErrorMiddleware``), never with a 500.

    DomainError (400)
      Forbidden (403)   e.g. NotTheAuthor: only the author writes, signs or amends
      Conflict (409)    e.g. RecordLocked, and every "saved elsewhere since you opened it"
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    message = "That could not be done."

    def __init__(self, message: str | None = None):
        if message:
            self.message = message
        super().__init__(self.message)


class Forbidden(DomainError):
    """The action is not this user's to take; they may still read what it concerns."""

    status = 403


class Conflict(DomainError):
    """The record's state refuses the action: signed and locked, or changed elsewhere."""

    status = 409
