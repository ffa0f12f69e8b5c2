"""One JSON object per line on stderr: Cloud Logging keeps ``severity`` and every other key as fields."""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def log(severity: str, message: str, **fields: Any) -> None:
    record = {"severity": severity, "message": message, "component": "model_server",
              "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z", **fields}
    sys.stderr.write(json.dumps(record, default=str) + "\n")
    sys.stderr.flush()
