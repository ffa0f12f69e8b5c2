"""A minimal Vertex AI REST client on urllib (no Google client library in this image).

Endpoint: ``https://{location}-aiplatform.googleapis.com/v1``, or ``http://$VERTEX_EMULATOR_HOST/v1``
when that variable is set (the project's local emulator, like the other ``*_EMULATOR_HOST``
conventions). Auth: on Vertex, an access token from the metadata server for the job's
service account (cached until shortly before it expires); against the emulator a fixed
bearer token, the same one the project's TypeScript clients send. Requests, errors and retries
are :mod:`google_rest`'s.
"""

from __future__ import annotations

from typing import Any

from .google_rest import TokenSource, call_json, emulator_base_url, with_retries

EMULATOR_TOKEN = "local-emulator-token"


def api_base_url(location: str) -> str:
    emulator = emulator_base_url("VERTEX_EMULATOR_HOST")
    return f"{emulator}/v1" if emulator else f"https://{location}-aiplatform.googleapis.com/v1"


class VertexClient:
    def __init__(self, location: str, tokens: TokenSource | None = None, timeout: float = 60.0) -> None:
        self.base_url = api_base_url(location)
        self.tokens = tokens or TokenSource(EMULATOR_TOKEN if emulator_base_url("VERTEX_EMULATOR_HOST") else None)
        self.timeout = timeout

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name.lstrip('/')}"

    def call(self, method: str, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One request; raises :class:`google_rest.GoogleApiError` with Google's error message on a non-2xx answer."""
        return call_json(method, self.url(name), body, self.tokens.token(), self.timeout)

    def call_with_retries(self, method: str, name: str, body: dict[str, Any] | None = None, attempts: int = 8) -> dict[str, Any]:
        """For idempotent calls (GET, cancel): retries throttling, 5xx and connection errors with backoff."""
        return with_retries(lambda: self.call(method, name, body), attempts=attempts, what={"method": method, "name": name})
