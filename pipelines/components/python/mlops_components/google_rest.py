"""Calling Google REST APIs from a component with urllib (no Google client library in this image).

Shared by :mod:`vertex_api` and :mod:`pubsub`: access tokens from the metadata server, one JSON
request with Google's error message surfaced, retries with backoff, and the ``*_EMULATOR_HOST``
convention that points a client at a local emulator instead.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TypeVar

from .logs import get_logger

log = get_logger("google_rest")

METADATA_TOKEN_URL = "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token"
# Throttling and server errors; anything else (400, 403, 404, 409) will not improve by asking again.
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})

T = TypeVar("T")


class GoogleApiError(RuntimeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


class TokenSource:
    """Metadata-server tokens for the job's service account, refreshed a minute before they expire;
    or a fixed token (emulators)."""

    def __init__(self, static_token: str | None = None) -> None:
        self._token = static_token
        self._expires_at = float("inf") if static_token else 0.0

    def token(self) -> str:
        if self._token is None or time.time() >= self._expires_at - 60:
            request = urllib.request.Request(METADATA_TOKEN_URL, headers={"Metadata-Flavor": "Google"})
            with urllib.request.urlopen(request, timeout=10) as response:
                body = json.loads(response.read())
            self._token = str(body["access_token"])
            self._expires_at = time.time() + float(body.get("expires_in", 300))
        return self._token


def emulator_base_url(variable: str) -> str | None:
    """``http://<host:port>`` from ``$variable`` (a scheme given there is kept); None when unset or empty."""
    host = os.environ.get(variable, "").strip()
    if not host:
        return None
    return (host if host.startswith(("http://", "https://")) else f"http://{host}").rstrip("/")


def call_json(method: str, url: str, body: dict[str, Any] | None, token: str | None, timeout: float) -> dict[str, Any]:
    """One request; raises :class:`GoogleApiError` with Google's error message on a non-2xx answer."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", errors="replace")
        try:
            message = json.loads(text).get("error", {}).get("message", text)
        except (json.JSONDecodeError, AttributeError):
            message = text
        raise GoogleApiError(error.code, message) from error
    return json.loads(raw) if raw else {}


def with_retries(call: Callable[[], T], *, attempts: int, what: dict[str, Any], first_delay: float = 1.0, max_delay: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """``call()``, again after 429, 5xx and connection errors, with doubling delays; the last error is raised.

    Only for calls that may be repeated: an idempotent one, or one whose repeat a reader tolerates.
    """
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except GoogleApiError as error:
            if error.status not in RETRYABLE_STATUS or attempt == attempts:
                raise
            log.warning("retrying a Google API call", **what, status=error.status, attempt=attempt)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            if attempt == attempts:
                raise
            log.warning("retrying a Google API call", **what, error=str(error), attempt=attempt)
        sleep(delay)
        delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")
