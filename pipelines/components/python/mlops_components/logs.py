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


class Progress:
    """Logs a long loop's progress (trees, boosting rounds, epochs) at each tenth of the way and at the end.

    Eleven lines at most, however long the loop: enough to see it move and estimate when it ends,
    without flooding the job's log.
    """

    def __init__(self, logger: ComponentLogger, message: str, total: int, unit: str, steps: int = 10) -> None:
        self.logger, self.message, self.total, self.unit = logger, message, max(1, int(total)), unit
        self.every = max(1, -(-self.total // steps))  # ceil(total / steps)
        self.started = time.monotonic()
        self.logged = 0

    def update(self, done: int, **fields: Any) -> None:
        """Records ``done`` of ``total``; logs when a tenth (or the end) has been reached since the last line."""
        if done < self.total and done - self.logged < self.every:
            return
        self.finish(done, **fields)

    def finish(self, done: int, **fields: Any) -> None:
        """Logs where the loop ended (also when it stopped early); once per ``done`` value."""
        if done == self.logged:
            return
        self.logged = done
        elapsed = time.monotonic() - self.started
        remaining = elapsed / done * (self.total - done) if 0 < done < self.total else 0.0
        self.logger.info(self.message, done=done, total=self.total, unit=self.unit, percent=round(100.0 * done / self.total, 1),
                         elapsed_seconds=round(elapsed, 2), remaining_seconds=round(remaining, 2), **fields)
