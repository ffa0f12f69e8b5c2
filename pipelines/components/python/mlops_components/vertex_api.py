"""A minimal Vertex AI REST client on urllib (no Google client library in this image).

Endpoint: ``https://{location}-aiplatform.googleapis.com/v1``, or ``http://$VERTEX_EMULATOR_HOST/v1``
when that variable is set (the project's local emulator, like the other ``*_EMULATOR_HOST``
conventions). Auth: on Vertex, an access token from the metadata server for the job's
service account (cached until shortly before it expires); against the emulator a fixed
bearer token, the same one the project's TypeScript clients send.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from typing import Any

from .logs import get_logger

log = get_logger("vertex_api")

METADATA_TOKEN_URL = "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token"
EMULATOR_TOKEN = "local-emulator-token"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class VertexApiError(RuntimeError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status


class TokenSource:
    """Metadata-server tokens, refreshed a minute before they expire."""

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


def emulator_host() -> str | None:
    host = os.environ.get("VERTEX_EMULATOR_HOST", "").strip()
    return host or None


def api_base_url(location: str) -> str:
    host = emulator_host()
    if host:
        return (host if host.startswith(("http://", "https://")) else f"http://{host}").rstrip("/") + "/v1"
    return f"https://{location}-aiplatform.googleapis.com/v1"


class VertexClient:
    def __init__(self, location: str, tokens: TokenSource | None = None, timeout: float = 60.0) -> None:
        self.base_url = api_base_url(location)
        self.tokens = tokens or TokenSource(EMULATOR_TOKEN if emulator_host() else None)
        self.timeout = timeout

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name.lstrip('/')}"

    def call(self, method: str, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One request; raises :class:`VertexApiError` with Google's error message on a non-2xx answer."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.url(name), data=data, method=method, headers={
            "Authorization": f"Bearer {self.tokens.token()}",
            "Content-Type": "application/json",
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", errors="replace")
            try:
                message = json.loads(text).get("error", {}).get("message", text)
            except (json.JSONDecodeError, AttributeError):
                message = text
            raise VertexApiError(error.code, message) from error
        return json.loads(raw) if raw else {}

    def call_with_retries(self, method: str, name: str, body: dict[str, Any] | None = None, attempts: int = 8) -> dict[str, Any]:
        """For idempotent calls (GET, cancel): retries throttling, 5xx and connection errors with backoff."""
        delay = 1.0
        for attempt in range(1, attempts + 1):
            try:
                return self.call(method, name, body)
            except VertexApiError as error:
                if error.status not in RETRYABLE_STATUS or attempt == attempts:
                    raise
                log.warning("retrying Vertex API call", method=method, name=name, status=error.status, attempt=attempt)
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                if attempt == attempts:
                    raise
                log.warning("retrying Vertex API call", method=method, name=name, error=str(error), attempt=attempt)
            time.sleep(delay)
            delay = min(delay * 2, 30.0)
        raise AssertionError("unreachable")
