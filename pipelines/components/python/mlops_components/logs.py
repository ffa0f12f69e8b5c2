"""The one structured logger of the Python side (components, jobs, the model server).

Cloud Logging JSON lines on stderr — ``severity``, ``message``, ``component``, ``time`` and every
other key as a queryable ``jsonPayload`` field — or readable lines when stderr is a terminal, as
``logging/log.ts`` writes them on the TypeScript side. ``LOG_FORMAT=json|text`` and ``LOG_LEVEL``
(DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL; default INFO) override, read at every call.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

SEVERITIES = ("DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL")
# ANSI colours of the text format, the same as logging/log.ts's.
_COLORS = {"DEBUG": "90", "INFO": "32", "NOTICE": "36", "WARNING": "33", "ERROR": "31", "CRITICAL": "1;31"}


class ComponentLogger:
    """Writes one record per call; ``stream`` and ``env`` default to ``sys.stderr`` and ``os.environ`` at each call."""

    def __init__(self, component: str, stream: TextIO | None = None, env: Mapping[str, str] | None = None) -> None:
        self.component = component
        self._stream = stream
        self._env = env
        self._reported: set[str] = set()  # each bad LOG_* value is reported once, not on every line

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stderr

    @property
    def env(self) -> Mapping[str, str]:
        return self._env if self._env is not None else os.environ

    def level(self) -> str:
        raw = self.env.get("LOG_LEVEL", "")
        if raw == "":
            return "INFO"
        if raw.upper() in SEVERITIES:
            return raw.upper()
        self._report_bad_env("LOG_LEVEL", raw, ", ".join(SEVERITIES))
        return "INFO"

    def format(self) -> str:
        raw = self.env.get("LOG_FORMAT", "")
        if raw != "":
            if raw.lower() in ("json", "text"):
                return raw.lower()
            self._report_bad_env("LOG_FORMAT", raw, "json, text")
        return "text" if _is_tty(self.stream) else "json"

    def log(self, severity: str, message: str, /, **fields: Any) -> None:
        if SEVERITIES.index(severity) < SEVERITIES.index(self.level()):
            return
        line = self._json_line(severity, message, fields) if self.format() == "json" else self._text_line(severity, message, fields)
        self.stream.write(line)
        self.stream.flush()

    def debug(self, message: str, /, **fields: Any) -> None:
        self.log("DEBUG", message, **fields)

    def info(self, message: str, /, **fields: Any) -> None:
        self.log("INFO", message, **fields)

    def warning(self, message: str, /, **fields: Any) -> None:
        self.log("WARNING", message, **fields)

    def error(self, message: str, /, **fields: Any) -> None:
        self.log("ERROR", message, **fields)

    def _json_line(self, severity: str, message: str, fields: Mapping[str, Any]) -> str:
        record: dict[str, Any] = {"severity": severity, "message": message, "component": self.component,
                                  "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z"}
        # ``severity`` and ``message`` are Cloud Logging's special fields: fields never overwrite them.
        record.update((key, value) for key, value in fields.items() if key not in ("severity", "message"))
        return json.dumps(record, default=str) + "\n"

    def _text_line(self, severity: str, message: str, fields: Mapping[str, Any]) -> str:
        color = self._colors()
        def paint(code: str, text: str) -> str:
            return f"\x1b[{code}m{text}\x1b[0m" if color else text
        now = time.time()
        stamp = time.strftime("%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}"
        pairs: list[str] = []
        multi_line: list[str] = []
        for key, value in {"component": self.component, **fields}.items():
            if key in ("severity", "message"):
                continue
            if isinstance(value, str) and "\n" in value:
                indented = "\n".join("    " + line for line in value.rstrip("\n").split("\n"))
                multi_line.append(f"  {key}:\n{indented}")
            else:
                pairs.append(f"{key}={_text_value(value)}")
        head = f"{paint('90', stamp)} {paint(_COLORS[severity], severity.ljust(7))} {message}"
        tail = f" {paint('2', ' '.join(pairs))}" if pairs else ""
        rest = "\n" + "\n".join(multi_line) if multi_line else ""
        return f"{head}{tail}{rest}\n"

    def _colors(self) -> bool:
        if self.env.get("NO_COLOR", "") != "":
            return False
        if self.env.get("FORCE_COLOR", "") != "":
            return self.env["FORCE_COLOR"] != "0"
        return _is_tty(self.stream)

    def _report_bad_env(self, name: str, value: str, allowed: str) -> None:
        if f"{name}={value}" in self._reported:
            return
        self._reported.add(f"{name}={value}")
        self.stream.write(self._json_line("WARNING", f"{name} must be one of {allowed}; ignoring '{value}'", {}))


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or file-like streams
        return False


def _text_value(value: Any) -> str:
    if isinstance(value, str):
        return value if value != "" and not any(c.isspace() or c in '"=' for c in value) else json.dumps(value)
    return json.dumps(value, default=str)


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
