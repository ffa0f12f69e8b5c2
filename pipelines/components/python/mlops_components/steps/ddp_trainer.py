"""ddp_trainer: a PyTorch MLP regressor trained with DistributedDataParallel across CustomJob replicas.

Each replica finds its rank and the rendezvous address from ``CLUSTER_SPEC`` (see
:mod:`mlops_components.cluster`), joins a process group (``nccl`` on GPU, ``gloo`` on CPU),
trains on its shard of the data (``DistributedSampler``), and the chief (rank 0) writes the
model to ``--model-dir`` / ``AIP_MODEL_DIR`` (``gs://b/p`` is written through the ``/gcs/b/p``
mount). Losses are averaged over all ranks each epoch, and logged with the rank.

Data: ``--data`` CSV (numeric columns other than ``--target-column`` are the features; nulls
get the train mean), or synthetic data when omitted. Features and target are standardised
with train-split statistics; 20% (``--validation-fraction``) is held out for ``rmse``.

Model directory (chief only): ``model.pt`` (state dict of the MLP), ``model_scripted.pt``
(TorchScript taking raw feature rows and returning predictions in target units: the
standardisation is inside), ``model_config.json`` (feature names, layer sizes, scaling,
final metrics, world size).

Tuning: ``--hypertune-metric rmse|loss`` (or Vertex's trial variables) reports the metric per
epoch from the chief, in the Vertex hypertune file format.

CLI::

    python3 -m mlops_components.steps.ddp_trainer [--data CSV --target-column COL] [--epochs 5]
        [--batch-size 32] [--learning-rate 0.01] [--hidden-units 32,16] [--model-dir DIR]
        [--hypertune-metric rmse] [--backend auto|gloo|nccl] [--init-timeout-seconds 600]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, RandomSampler, TensorDataset

from .. import cluster
from ..data import read_table
from ..entrypoint import run
from ..hypertune import HyperTune, tuning_requested
from ..logs import get_logger
from ..paths import ensure_dir

log = get_logger("ddp_trainer")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ddp_trainer", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=None, help="CSV path or gs:// URI; synthetic data when omitted")
    parser.add_argument("--target-column", default="target")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    parser.add_argument("--hidden-units", default="32,16")
    parser.add_argument("--validation-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--synthetic-rows", type=int, default=1024)
    parser.add_argument("--synthetic-features", type=int, default=8)
    parser.add_argument("--model-dir", default=None, help="defaults to $AIP_MODEL_DIR")
    parser.add_argument("--hypertune-metric", default=None)
    parser.add_argument("--backend", choices=("auto", "gloo", "nccl"), default="auto")
    parser.add_argument("--init-timeout-seconds", type=float, default=600.0)
    args, extra = parser.parse_known_args(argv)
    # Tuning trials append --<param>=<value>; the ones this trainer knows are applied.
    for token in extra:
        name, _, value = token.lstrip("-").partition("=")
        name = name.replace("-", "_")
        if name in ("learning_rate", "batch_size", "epochs") and value:
            setattr(args, name, float(value) if name == "learning_rate" else int(float(value)))
        else:
            parser.error(f"unrecognized argument {token!r}")
    args.model_dir = args.model_dir or os.environ.get("AIP_MODEL_DIR")
    if not args.model_dir:
        parser.error("--model-dir is required when AIP_MODEL_DIR is not set")
    return args


@dataclass
class Tables:
    train_x: np.ndarray
    train_y: np.ndarray
    valid_x: np.ndarray
    valid_y: np.ndarray
    feature_names: list[str]


def load_tables(args: argparse.Namespace) -> Tables:
    """Every rank loads the same rows and split (same seed), so scaling statistics agree everywhere."""
    if args.data:
        frame = read_table(args.data)
        if args.target_column not in frame.columns:
            raise ValueError(f"target column {args.target_column!r} is not in {args.data}")
        frame = frame.loc[frame[args.target_column].notna()]
        numeric = [c for c in frame.columns if c != args.target_column and pd.api.types.is_numeric_dtype(frame[c])]
        skipped = [c for c in frame.columns if c != args.target_column and c not in numeric]
        if skipped:
            log.info("non-numeric columns are not features of the MLP", columns=skipped)
        if not numeric:
            raise ValueError("the data has no numeric feature columns")
        x = frame[numeric].to_numpy(dtype=np.float64)
        y = frame[args.target_column].to_numpy(dtype=np.float64)
        names = numeric
    else:
        rng = np.random.default_rng(args.seed)
        x = rng.normal(size=(args.synthetic_rows, args.synthetic_features))
        weights = np.linspace(-1.0, 1.0, args.synthetic_features)
        y = x @ weights + 0.5 * np.sin(2 * x[:, 0]) + rng.normal(scale=0.1, size=args.synthetic_rows)
        names = [f"x{i}" for i in range(args.synthetic_features)]
    order = np.random.default_rng(args.seed).permutation(len(y))
    held_out = max(1, int(round(len(y) * args.validation_fraction)))
    valid, train = order[:held_out], order[held_out:]
    return Tables(x[train], y[train], x[valid], y[valid], names)


class Regressor(nn.Module):
    def __init__(self, inputs: int, hidden: Sequence[int]) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = inputs
        for units in hidden:
            layers += [nn.Linear(width, units), nn.ReLU()]
            width = units
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


class Scaled(nn.Module):
    """The served form: raw features in, target units out (the scaling travels with the model)."""

    def __init__(self, model: Regressor, x_mean: torch.Tensor, x_std: torch.Tensor, y_mean: float, y_std: float) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("x_mean", x_mean)
        self.register_buffer("x_std", x_std)
        self.y_mean = y_mean
        self.y_std = y_std

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model((x - self.x_mean) / self.x_std) * self.y_std + self.y_mean


@dataclass
class Scaling:
    x_mean: np.ndarray
    x_std: np.ndarray
    y_mean: float
    y_std: float

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray) -> Scaling:
        x_mean = np.nanmean(x, axis=0)
        x_std = np.nanstd(x, axis=0)
        x_std[~np.isfinite(x_std) | (x_std == 0)] = 1.0
        y_std = float(np.std(y)) or 1.0
        return cls(np.nan_to_num(x_mean), x_std, float(np.mean(y)), y_std)

    def features(self, x: np.ndarray) -> torch.Tensor:
        filled = np.where(np.isnan(x), self.x_mean, x)
        return torch.tensor((filled - self.x_mean) / self.x_std, dtype=torch.float32)

    def target(self, y: np.ndarray) -> torch.Tensor:
        return torch.tensor((y - self.y_mean) / self.y_std, dtype=torch.float32)


def choose_backend(requested: str) -> tuple[str, torch.device]:
    cuda = torch.cuda.is_available()
    backend = requested if requested != "auto" else ("nccl" if cuda else "gloo")
    # One process per replica on Vertex, so the local GPU is always device 0.
    return backend, torch.device("cuda", 0) if cuda and backend == "nccl" else torch.device("cpu")


def write_model(directory: str, model: Regressor, scaling: Scaling, tables: Tables, hidden: list[int],
                metrics: dict[str, float], world_size: int) -> None:
    root = ensure_dir(directory)
    cpu_model = Regressor(len(tables.feature_names), hidden)
    cpu_model.load_state_dict({k: v.cpu() for k, v in model.state_dict().items()})
    cpu_model.eval()
    torch.save(cpu_model.state_dict(), root / "model.pt")
    served = Scaled(cpu_model, torch.tensor(scaling.x_mean, dtype=torch.float32), torch.tensor(scaling.x_std, dtype=torch.float32),
                    scaling.y_mean, scaling.y_std)
    torch.jit.script(served).save(str(root / "model_scripted.pt"))
    config = {
        "feature_names": tables.feature_names,
        "hidden_units": hidden,
        "scaling": {"x_mean": scaling.x_mean.tolist(), "x_std": scaling.x_std.tolist(), "y_mean": scaling.y_mean, "y_std": scaling.y_std},
        "metrics": metrics,
        "world_size": world_size,
        "torch_version": torch.__version__,
        "files": ["model.pt", "model_scripted.pt", "model_config.json"],
    }
    (root / "model_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    torch.set_num_threads(1)
    topology = cluster.detect()
    if not topology.participates:
        log.info("this replica's pool takes no part in data-parallel training", task_type=topology.task_type)
        return
    distributed = topology.world_size > 1
    backend, device = choose_backend(args.backend)
    context = {"rank": topology.rank, "world_size": topology.world_size}
    if distributed:
        os.environ["MASTER_ADDR"], os.environ["MASTER_PORT"] = topology.master_addr, str(topology.master_port)
        log.info("joining process group", backend=backend, master=f"{topology.master_addr}:{topology.master_port}", **context)
        dist.init_process_group(backend, init_method=f"tcp://{topology.master_addr}:{topology.master_port}",
                                rank=topology.rank, world_size=topology.world_size,
                                timeout=datetime.timedelta(seconds=args.init_timeout_seconds))

    tables = load_tables(args)
    scaling = Scaling.fit(tables.train_x, tables.train_y)
    dataset = TensorDataset(scaling.features(tables.train_x), scaling.target(tables.train_y))
    valid_x, valid_y = scaling.features(tables.valid_x).to(device), tables.valid_y
    hidden = [int(u) for u in str(args.hidden_units).split(",") if u.strip()]

    torch.manual_seed(args.seed)  # identical initial weights; DDP also broadcasts rank 0's
    model = Regressor(len(tables.feature_names), hidden).to(device)
    trained: nn.Module = DistributedDataParallel(model, device_ids=[0] if device.type == "cuda" else None) if distributed else model
    if distributed:
        sampler: DistributedSampler[tuple[torch.Tensor, ...]] | RandomSampler = DistributedSampler(
            dataset, num_replicas=topology.world_size, rank=topology.rank, shuffle=True, seed=args.seed)
    else:
        sampler = RandomSampler(dataset, generator=torch.Generator().manual_seed(args.seed))
    loader = DataLoader(dataset, batch_size=args.batch_size, sampler=sampler)
    optimizer = torch.optim.Adam(trained.parameters(), lr=args.learning_rate)
    loss_fn = nn.MSELoss(reduction="sum")
    reporter = HyperTune() if topology.is_chief and tuning_requested(args.hypertune_metric) else None
    metric_id = args.hypertune_metric or os.environ.get("CLOUD_ML_HP_METRIC_TAG") or "rmse"
    metrics: dict[str, float] = {}

    for epoch in range(args.epochs):
        if isinstance(sampler, DistributedSampler):
            sampler.set_epoch(epoch)  # a different shuffle per epoch, the same on every rank
        trained.train()
        totals = torch.zeros(2, dtype=torch.float64, device=device)
        for features, target in loader:
            features, target = features.to(device), target.to(device)
            optimizer.zero_grad()
            loss = loss_fn(trained(features), target)
            (loss / len(target)).backward()
            optimizer.step()
            totals += torch.tensor([loss.item(), len(target)], dtype=torch.float64, device=device)
        local_loss = float(totals[0] / max(totals[1], 1))
        if distributed:
            dist.all_reduce(totals, op=dist.ReduceOp.SUM)
        global_loss = float(totals[0] / max(totals[1], 1))
        model.eval()
        with torch.no_grad():
            predictions = model(valid_x).cpu().numpy() * scaling.y_std + scaling.y_mean
        rmse = float(np.sqrt(np.mean((predictions - valid_y) ** 2)))
        metrics = {"loss": global_loss, "rmse": rmse, "mse": rmse ** 2}
        log.info("epoch finished", epoch=epoch + 1, local_loss=local_loss, loss=global_loss, rmse=rmse,
                 rows=int(totals[1]), **context)
        if reporter is not None:
            if metric_id not in metrics:
                raise ValueError(f"tuning metric {metric_id!r} is not one of {sorted(metrics)}")
            reporter.report(metric_id, metrics[metric_id], epoch + 1)

    if topology.is_chief:
        write_model(args.model_dir, model, scaling, tables, hidden, metrics, topology.world_size)
        log.info("model written", model_dir=args.model_dir, **metrics, **context)
    if distributed:
        dist.barrier()  # workers stay until the chief has written the model
        dist.destroy_process_group()
    log.info("training finished", **context)


if __name__ == "__main__":
    run("ddp_trainer", main)
