"""Keeps client-link tokens out of the server log.

A client link's address holds its token (``/c/<token>/...``); Django logs the path of
every 4xx and 5xx answer ("Not Found: /c/..."). This filter, on the console handler,
replaces the token with an ellipsis in the message and its arguments."""

from __future__ import annotations

import logging
import re

TOKEN_PATH = re.compile(r"/c/[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    return TOKEN_PATH.sub("/c/…", text)


class RedactClientLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True
