"""Writing component outputs the way the KFP executor reads them back.

An output *parameter* placeholder resolves to a file path; KFP reads the file's text and
parses it by the parameter's type: strings raw, numbers and booleans as JSON scalars, structs
and lists as JSON. Artifact outputs are plain files at their ``.path``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from .paths import ensure_parent, local_path


def json_safe(value: Any) -> Any:
    """NaN and infinities aren't JSON: undefined metrics (e.g. AUC on one class) become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item) and not isinstance(value, (str, bytes)):
        try:
            return json_safe(item())
        except (TypeError, ValueError):
            return value
    return value


def format_parameter(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(json_safe(value), allow_nan=False)


def write_parameter(path: str | Path, value: Any) -> None:
    ensure_parent(path).write_text(format_parameter(value), encoding="utf-8")


def write_json(path: str | Path, value: Any) -> Path:
    target = ensure_parent(path)
    target.write_text(json.dumps(json_safe(value), indent=2, allow_nan=False) + "\n", encoding="utf-8")
    return target


def write_text(path: str | Path, text: str) -> Path:
    target = ensure_parent(path)
    target.write_text(text, encoding="utf-8")
    return target


def read_json(path: str | Path) -> Any:
    return json.loads(local_path(str(path)).read_text(encoding="utf-8"))
