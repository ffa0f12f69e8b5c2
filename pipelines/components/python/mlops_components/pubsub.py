"""Publishing to a Pub/Sub topic over its REST API (``POST /v1/{topic}:publish``).

Endpoint: ``https://pubsub.googleapis.com`` with a metadata-server token for the job's service
account, or ``http://$PUBSUB_EMULATOR_HOST`` without auth when that variable is set (Google's
emulator, as the client libraries do).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from .google_rest import TokenSource, call_json, emulator_base_url, with_retries

PUBSUB_URL = "https://pubsub.googleapis.com"
TOPIC_NAME = re.compile(r"^projects/[^/]+/topics/[^/]+$")


def require_topic(topic: str) -> str:
    if not TOPIC_NAME.match(topic):
        raise ValueError(f"events_topic: {topic!r} is not a topic name of the form projects/{{project}}/topics/{{topic}}")
    return topic


class Publisher:
    def __init__(self, tokens: TokenSource | None = None, timeout: float = 30.0) -> None:
        emulator = emulator_base_url("PUBSUB_EMULATOR_HOST")
        self.base_url = emulator or PUBSUB_URL
        # The emulator takes no credentials; Google's endpoint takes the service account's token.
        self.tokens = None if emulator else (tokens or TokenSource())
        self.timeout = timeout

    def publish(self, topic: str, data: dict[str, Any], attributes: dict[str, str], attempts: int = 5, first_delay: float = 1.0) -> str:
        """Publishes one message with JSON ``data``; returns its message id. 429/5xx and connection errors are
        retried (a retry after a lost answer can publish twice: subscribers must be idempotent, as Pub/Sub's are)."""
        require_topic(topic)
        body = {"messages": [{"data": base64.b64encode(json.dumps(data).encode("utf-8")).decode("ascii"), "attributes": attributes}]}
        url = f"{self.base_url}/v1/{topic}:publish"

        def call() -> dict[str, Any]:
            return call_json("POST", url, body, self.tokens.token() if self.tokens else None, self.timeout)

        answer = with_retries(call, attempts=attempts, first_delay=first_delay, what={"topic": topic})
        ids = answer.get("messageIds")
        if not isinstance(ids, list) or len(ids) != 1:
            raise RuntimeError(f"publishing to {topic} answered without one message id: {answer}")
        return str(ids[0])
