"""Where this replica sits in a multi-replica Vertex CustomJob, from ``CLUSTER_SPEC``.

Vertex gives every replica the same ``cluster`` (worker pool → ``host:port`` list) and its own
``task`` (``{"type": "workerpool1", "index": 2}``). For data-parallel training the
participants are workerpool0 (the chief, one replica) and workerpool1 (the workers);
workerpool2 runs reduction servers and workerpool3 evaluators, which don't join the process
group. Ranks: workerpool0 replicas first (the chief, index 0, is rank 0), then workerpool1
index i → rank len(workerpool0) + i (= 1 + i with one chief). The rendezvous address is the
chief's ``host:port``.

Without ``CLUSTER_SPEC``, the torchrun/prebuilt-container variables (``RANK``, ``WORLD_SIZE``,
``MASTER_ADDR``, ``MASTER_PORT``) are honoured; with neither, training is single-process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PARTICIPANT_POOLS = ("workerpool0", "workerpool1")


@dataclass(frozen=True)
class Topology:
    rank: int
    world_size: int
    master_addr: str
    master_port: int
    task_type: str
    task_index: int

    @property
    def is_chief(self) -> bool:
        return self.rank == 0

    @property
    def participates(self) -> bool:
        return self.task_type in PARTICIPANT_POOLS


def _split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"cluster address {address!r} is not host:port")
    return host.strip("[]"), int(port)


def from_cluster_spec(spec: Mapping[str, Any]) -> Topology:
    cluster = spec.get("cluster") or {}
    task = spec.get("task") or {}
    chiefs = list(cluster.get("workerpool0") or [])
    workers = list(cluster.get("workerpool1") or [])
    if not chiefs:
        raise ValueError("CLUSTER_SPEC has no workerpool0 (the chief)")
    task_type = str(task.get("type", "workerpool0"))
    task_index = int(task.get("index", 0))
    if task_type == "workerpool0":
        rank = task_index
    elif task_type == "workerpool1":
        rank = len(chiefs) + task_index
    else:
        rank = -1  # not a data-parallel participant
    master_addr, master_port = _split_address(chiefs[0])
    return Topology(rank, len(chiefs) + len(workers), master_addr, master_port, task_type, task_index)


def detect(environ: Mapping[str, str] | None = None) -> Topology:
    env = os.environ if environ is None else environ
    if env.get("CLUSTER_SPEC"):
        return from_cluster_spec(json.loads(env["CLUSTER_SPEC"]))
    if env.get("WORLD_SIZE") and env.get("MASTER_ADDR"):
        return Topology(int(env.get("RANK", "0")), int(env["WORLD_SIZE"]), env["MASTER_ADDR"],
                        int(env.get("MASTER_PORT", "29500")), "workerpool0" if env.get("RANK", "0") == "0" else "workerpool1",
                        int(env.get("RANK", "0")))
    return Topology(0, 1, "127.0.0.1", 0, "workerpool0", 0)
