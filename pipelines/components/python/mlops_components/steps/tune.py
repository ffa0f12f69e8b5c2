"""tune: runs a Vertex AI HyperparameterTuningJob from a pipeline step and returns its best trial.

It creates the job (``POST .../hyperparameterTuningJobs``), writes ``gcp_resources`` at once
(so the pipeline UI links the job and a cancelled pipeline can cancel it), then polls
``GET .../hyperparameterTuningJobs/{id}`` until the job reaches a terminal state — waiting is
this component's job. A SIGTERM (pipeline cancelled) cancels the tuning job before exiting.

Outputs: ``best_hyperparameters`` (a JSON object; INTEGER parameters as ints), the best
trial's ``best_metric_value``, ``trials`` (every trial's parameters by study id, its model type
and unprefixed hyperparameters, state, final metric and, where known, whether it was stopped
early), and ``gcp_resources`` in Google Cloud Pipeline Components' form.
``best_hyperparameters`` is keyed by study parameter id: across model types that includes
``model_type`` and prefixed ids (split them with :mod:`mlops_components.study`). A job that doesn't succeed,
or succeeds without a trial reporting the metric, fails the step (after writing the trials).

CLI (as tuning-component.ts passes it)::

    python3 -m mlops_components.steps.tune --project P --location L --train-data URI
        --validation-data URI --feature-schema URI --target-column COL --task-type T
        --model-type M --study-spec-parameters '[...]' --metric-id rmse --metric-goal MINIMIZE
        --algorithm RANDOM_SEARCH --max-trial-count 12 --parallel-trial-count 2
        --max-failed-trial-count 3 --trial-machine-type n1-standard-4 --trial-image IMAGE
        --base-output-directory gs://... --best-hyperparameters OUT --best-metric-value OUT
        --trials OUT --gcp-resources OUT [--poll-interval-seconds 30] [--display-name NAME]
        [--early-stopping median|decay_curve|none] [--labels '{"tuning_run": "abc"}']
        [--random-seed 42] [--service-account SA_EMAIL]

With labels, a restarted step first lists the jobs carrying them and waits on the one it created
(running or succeeded) instead of creating a second HyperparameterTuningJob.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any
from urllib.parse import urlencode

from .. import cli
from ..entrypoint import run
from ..hyperparameters import MODEL_TYPES, TASK_TYPES
from ..logs import get_logger
from ..outputs import write_json, write_parameter
from ..study import has_model_type_parameter
from ..tuning import (EARLY_STOPPING, TERMINAL_STATES, TuningSpec, best_trial, build_job, final_metric, labels_filter, reusable_job,
                      summarize_trials, trial_parameters)
from ..vertex_api import VertexClient

log = get_logger("tune")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tune", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--project", required=True)
    parser.add_argument("--location", required=True)
    parser.add_argument("--train-data", required=True)
    parser.add_argument("--validation-data", required=True)
    parser.add_argument("--feature-schema", required=True)
    parser.add_argument("--target-column", required=True)
    parser.add_argument("--task-type", choices=TASK_TYPES, default="regression")
    parser.add_argument("--model-type", choices=MODEL_TYPES, default="random_forest")
    parser.add_argument("--study-spec-parameters", type=cli.json_list, required=True)
    parser.add_argument("--metric-id", required=True)
    parser.add_argument("--metric-goal", required=True)
    parser.add_argument("--algorithm", default="RANDOM_SEARCH")
    parser.add_argument("--max-trial-count", type=int, default=12)
    parser.add_argument("--parallel-trial-count", type=int, default=2)
    parser.add_argument("--max-failed-trial-count", type=int, default=3)
    parser.add_argument("--trial-machine-type", default="n1-standard-4")
    parser.add_argument("--trial-image", required=True)
    parser.add_argument("--base-output-directory", required=True)
    parser.add_argument("--best-hyperparameters", required=True)
    parser.add_argument("--best-metric-value", required=True)
    parser.add_argument("--trials", required=True)
    parser.add_argument("--gcp-resources", required=True)
    parser.add_argument("--poll-interval-seconds", type=float, default=30.0)
    parser.add_argument("--display-name", default=None)
    # '': median stopping for staged models only, as before the flag existed.
    parser.add_argument("--early-stopping", choices=("", *EARLY_STOPPING), default="")
    parser.add_argument("--labels", type=cli.json_object, default={})
    parser.add_argument("--random-seed", type=int, default=42)
    parser.add_argument("--service-account", default="")
    return parser.parse_args(argv)


def spec_from_args(args: argparse.Namespace) -> TuningSpec:
    searched = "model-types" if has_model_type_parameter(args.study_spec_parameters) else args.model_type
    return TuningSpec(
        display_name=args.display_name or f"tune-{searched}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}",
        train_data=args.train_data, validation_data=args.validation_data, feature_schema=args.feature_schema,
        target_column=args.target_column, task_type=args.task_type, model_type=args.model_type,
        parameters=args.study_spec_parameters, metric_id=args.metric_id, metric_goal=args.metric_goal,
        algorithm=args.algorithm, max_trial_count=args.max_trial_count, parallel_trial_count=args.parallel_trial_count,
        max_failed_trial_count=args.max_failed_trial_count, machine_type=args.trial_machine_type,
        image=args.trial_image, base_output_directory=args.base_output_directory,
        early_stopping=args.early_stopping, labels=args.labels, random_seed=args.random_seed,
        service_account=args.service_account,
    )


def gcp_resources(client: VertexClient, job_name: str) -> str:
    return json.dumps({"resources": [{"resourceType": "HyperparameterTuningJob", "resourceUri": client.url(job_name)}]})


def cancel_on_sigterm(client: VertexClient, job_name: str) -> None:
    def handler(signum: int, _frame: FrameType | None) -> None:
        log.warning("termination requested: cancelling the tuning job", job=job_name, signal=signum)
        try:
            client.call_with_retries("POST", f"{job_name}:cancel", {}, attempts=3)
        finally:
            sys.exit(1)

    signal.signal(signal.SIGTERM, handler)


def wait_for(client: VertexClient, job_name: str, interval: float) -> dict[str, Any]:
    last_state = None
    while True:
        job = client.call_with_retries("GET", job_name)
        state = job.get("state", "JOB_STATE_UNSPECIFIED")
        if state != last_state:
            done = sum(1 for t in job.get("trials", []) if t.get("state") in ("SUCCEEDED", "INFEASIBLE"))
            log.info("tuning job state", job=job_name, state=state, trials_finished=done)
            last_state = state
        if state in TERMINAL_STATES:
            return job
        time.sleep(interval)


def find_existing(client: VertexClient, parent: str, job_body: dict[str, Any], display_name_given: bool) -> dict[str, Any] | None:
    """The job a previous start of this step created (same labels), when the step has labels to find it by."""
    labels = job_body.get("labels")
    if not labels:
        return None
    jobs: list[dict[str, Any]] = []
    token = ""
    while True:
        query = {"filter": labels_filter(labels), "pageSize": "100", **({"pageToken": token} if token else {})}
        page = client.call_with_retries("GET", f"{parent}/hyperparameterTuningJobs?{urlencode(query)}")
        jobs.extend(page.get("hyperparameterTuningJobs", []))
        token = page.get("nextPageToken", "")
        if not token:
            return reusable_job(jobs, job_body, display_name_given)


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    spec = spec_from_args(args)
    job_body = build_job(spec)
    client = VertexClient(args.location)
    parent = f"projects/{args.project}/locations/{args.location}"
    existing = find_existing(client, parent, job_body, args.display_name is not None)
    if existing is not None:
        job_name = existing["name"]
        log.info("tuning job reused: this step created it before restarting", job=job_name, state=existing.get("state"))
    else:
        created = client.call("POST", f"{parent}/hyperparameterTuningJobs", job_body)
        job_name = created.get("name")
        if not job_name:
            raise RuntimeError(f"create returned no job name: {created}")
        log.info("tuning job created", job=job_name, url=client.url(job_name), max_trials=spec.max_trial_count)
    write_parameter(args.gcp_resources, gcp_resources(client, job_name))
    cancel_on_sigterm(client, job_name)

    job = wait_for(client, job_name, args.poll_interval_seconds)
    trials = job.get("trials", [])
    best = best_trial(trials, spec.metric_id, spec.metric_goal)
    write_json(args.trials, {
        "job": job_name,
        "state": job.get("state"),
        "metric": {"id": spec.metric_id, "goal": spec.metric_goal.upper()},
        "best_trial_id": best.get("id") if best else None,
        "trials": summarize_trials(trials, spec),
    })
    if job.get("state") != "JOB_STATE_SUCCEEDED":
        message = job.get("error", {}).get("message", "")
        raise RuntimeError(f"tuning job {job_name} ended {job.get('state')}: {message}")
    if best is None:
        raise RuntimeError(f"no succeeded trial reported metric {spec.metric_id!r}")
    parameters = trial_parameters(best, spec.parameters)
    value = final_metric(best, spec.metric_id)
    write_parameter(args.best_hyperparameters, parameters)
    write_parameter(args.best_metric_value, value)
    log.info("best trial", trial=best.get("id"), metric_id=spec.metric_id, value=value, hyperparameters=parameters,
             trials=len(trials))


if __name__ == "__main__":
    run("tune", main)
