"""Structured logging: one JSON object per line on stderr.

Cloud Logging parses JSON lines written by a container, maps ``severity`` to the log level
and keeps every other key as a queryable ``jsonPayload`` field, so a component's counts and
decisions can be filtered on without regexes.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


class ComponentLogger:
    """Writes ``{"severity", "message", "component", ...fields}`` lines to stderr."""

    def __init__(self, component: str) -> None:
        self.component = component

    def _emit(self, severity: str, message: str, fields: dict[str, Any]) -> None:
        record: dict[str, Any] = {
            "severity": severity,
            "message": message,
            "component": self.component,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z",
        }
        record.update(fields)
        sys.stderr.write(json.dumps(record, default=str) + "\n")
        sys.stderr.flush()

    def debug(self, message: str, **fields: Any) -> None:
        self._emit("DEBUG", message, fields)

    def info(self, message: str, **fields: Any) -> None:
        self._emit("INFO", message, fields)

    def warning(self, message: str, **fields: Any) -> None:
        self._emit("WARNING", message, fields)

    def error(self, message: str, **fields: Any) -> None:
        self._emit("ERROR", message, fields)


def get_logger(component: str) -> ComponentLogger:
    return ComponentLogger(component)
