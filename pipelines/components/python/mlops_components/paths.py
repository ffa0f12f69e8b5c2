"""Cloud Storage URIs as local paths.

Vertex mounts every bucket under ``/gcs/<bucket>`` with Cloud Storage FUSE, and KFP hands
artifact paths in that form. URIs that arrive as ``gs://`` (artifact ``.uri`` placeholders,
``AIP_MODEL_DIR``) are mapped onto the same mount so components only ever do file I/O.
"""

from __future__ import annotations

from pathlib import Path


def local_path(uri: str) -> Path:
    """``gs://bucket/a/b`` → ``/gcs/bucket/a/b``; anything else is already a local path."""
    if uri.startswith("gs://"):
        return Path("/gcs") / uri[len("gs://"):]
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
