"""Reporting a tuning metric to Vertex AI Vizier, the way the ``cloudml-hypertune`` package does.

Vertex reads the trial's measurements from the file named by ``CLOUD_ML_HP_METRIC_FILE``
(default ``/tmp/hypertune/output.metrics``): one JSON object per line, all values but the
timestamp as strings, the whole file rewritten on every report (the latest 100 reports kept).
Intermediate reports (``global_step`` increasing) are what median/decay-curve early stopping
compares trials on; the last line is the trial's final measurement.
"""

from __future__ import annotations

import collections
import json
import os
import time
from pathlib import Path

DEFAULT_METRIC_FILE = "/tmp/hypertune/output.metrics"
MAX_REPORTS_KEPT = 100


def tuning_requested(metric_flag: str | None) -> bool:
    """A Vertex trial sets these variables; ``--hypertune-metric`` asks for reports explicitly."""
    return bool(metric_flag) or "CLOUD_ML_HP_METRIC_FILE" in os.environ or "CLOUD_ML_TRIAL_ID" in os.environ


class HyperTune:
    def __init__(self, metric_file: str | None = None) -> None:
        self.metric_path = Path(metric_file or os.environ.get("CLOUD_ML_HP_METRIC_FILE", DEFAULT_METRIC_FILE))
        self.trial_id = os.environ.get("CLOUD_ML_TRIAL_ID", "0")
        self._reports: collections.deque[dict[str, object]] = collections.deque(maxlen=MAX_REPORTS_KEPT)

    def report(self, metric_id: str, value: float, global_step: int | None = None, checkpoint_path: str = "") -> None:
        self._reports.append({
            "timestamp": time.time(),
            "trial": str(self.trial_id),
            metric_id: str(float(value)),
            "global_step": str(int(global_step) if global_step else 0),
            "checkpoint_path": checkpoint_path,
        })
        self.metric_path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole and renamed into place, so a reader never sees half a line.
        partial = self.metric_path.with_name(self.metric_path.name + ".tmp")
        partial.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in self._reports), encoding="utf-8")
        partial.replace(self.metric_path)
