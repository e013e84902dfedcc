"""The process's logging: one JSON object per line (production's default) or plain text, each line carrying
the id of the request it was written for (`bff.core.request_id`).

What the BFF logs is chosen where it is logged (ids, codes and kinds, never bodies, headers, tokens or card
data); this module only shapes the lines. Two libraries are held to WARNING because their INFO lines would
carry what we keep out: httpx logs every request's full URL, query string included.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

import orjson

from bff.core import request_id

# Attributes every LogRecord has: anything else on a record was passed in `extra=` and becomes a field.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "request_id",
    "color_message",  # uvicorn's ANSI-coloured copy of the message
    "taskName",
}
_QUIET = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "hpack": logging.WARNING}
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamps each record with the current request's id ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id.current() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", "pid", …extra fields, "exception"}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid and rid != "-":
            entry["request_id"] = rid
        entry["pid"] = record.process
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        try:
            return orjson.dumps(entry, default=str).decode()
        except TypeError:  # e.g. a dict with non-string keys passed as an extra field
            return orjson.dumps({k: str(v) for k, v in entry.items()}).decode()


def handler(log_format: str, stream: IO[str] | None = None) -> logging.Handler:
    """A handler writing `log_format` ("json" or "text") lines with the request id to `stream` (stdout)."""
    out = logging.StreamHandler(stream if stream is not None else sys.stdout)
    out.addFilter(RequestIdFilter())
    out.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    return out


def configure_logging(log_format: str, level: str) -> None:
    """Route every logger (uvicorn's included) through one handler on stdout; called once per process by
    the CLI and by each worker, never by the app itself (tests keep their own logging)."""
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler(log_format))
    root.setLevel(level)
    for name, quiet in _QUIET.items():
        logging.getLogger(name).setLevel(max(quiet, logging.getLevelName(level)))
    # uvicorn's own loggers propagate to the root handler instead of printing in their own format.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
