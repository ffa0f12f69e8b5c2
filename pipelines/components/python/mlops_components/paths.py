"""Cloud Storage URIs as local paths.

Vertex mounts every bucket under ``/gcs/<bucket>`` with Cloud Storage FUSE, and KFP hands
artifact paths in that form. URIs that arrive as ``gs://`` (artifact ``.uri`` placeholders,
``AIP_MODEL_DIR``) are mapped onto the same mount so components only ever do file I/O.
"""

from __future__ import annotations

import os
from pathlib import Path


def _mount_root() -> Path:
    """Where buckets are mounted: ``/gcs`` on Vertex; the local Vertex emulator sets ``LOCAL_GCS_ROOT``."""
    return Path(os.environ.get("LOCAL_GCS_ROOT") or "/gcs")


def local_path(uri: str) -> Path:
    """``gs://bucket/a/b`` → ``<mount>/bucket/a/b``; ``/gcs/...`` follows the mount; anything else is local."""
    if uri.startswith("gs://"):
        return _mount_root() / uri[len("gs://"):]
    if uri.startswith("/gcs/"):
        return _mount_root() / uri[len("/gcs/"):]
    return Path(uri)


def ensure_parent(path: str | Path) -> Path:
    """Output artifacts' parent folders don't exist yet locally (FUSE creates them lazily)."""
    target = local_path(str(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    return target


def ensure_dir(path: str | Path) -> Path:
    target = local_path(str(path))
    target.mkdir(parents=True, exist_ok=True)
    return target
