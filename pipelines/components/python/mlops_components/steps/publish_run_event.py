"""publish_run_event: the training pipeline's exit task; tells the control plane that the run ended.

``--status`` is the PipelineTaskFinalStatus Vertex (or KFP) hands an exit task, as JSON:
``{"state": "SUCCEEDED"|"FAILED"|"CANCELLED", "error": {"code", "message"},
"pipelineJobResourceName": "projects/…/pipelineJobs/…", "pipelineTaskName": "…"}`` (KFP's older
snake_case field names are read too). One message goes to ``--events-topic``:

- data (JSON): ``{"pipelineJob": <resource name>, "state": <final state>, "model": <model name>,
  "requestId": <request id>}``;
- attributes: ``model``, ``requestId``, ``state`` (an empty value is left out: Pub/Sub
  subscribers filter on attributes that are present).

An empty ``--events-topic`` publishes nothing. Publishing retries 429/5xx and connection errors
with backoff (:mod:`mlops_components.pubsub`); a final failure fails this task, and with it the
PipelineJob, whose body already ended in the state reported. ``--message-id`` is the published
message's id ('' when nothing was published).

CLI::

    python3 -m mlops_components.steps.publish_run_event --status JSON --events-topic projects/p/topics/t
        --model-name flight-delay --request-id r-123 --message-id PATH
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from .. import cli
from ..entrypoint import run
from ..logs import get_logger
from ..outputs import write_parameter
from ..pubsub import Publisher, require_topic

log = get_logger("publish_run_event")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="publish_run_event", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--status", type=cli.json_object, required=True)
    parser.add_argument("--events-topic", default="")
    parser.add_argument("--model-name", default="")
    parser.add_argument("--request-id", default="")
    parser.add_argument("--message-id", required=True)
    args = parser.parse_args(argv)
    if args.events_topic:
        try:
            require_topic(args.events_topic)
        except ValueError as error:
            parser.error(f"argument --events-topic: {error}")
    return args


def field(status: dict[str, Any], camel: str, snake: str) -> str:
    value = status.get(camel, status.get(snake))
    if not isinstance(value, str) or not value:
        raise ValueError(f"the task final status has no {camel}: {status}")
    return value


def run_event(status: dict[str, Any], model_name: str, request_id: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The message's data and attributes."""
    state = field(status, "state", "state")
    data = {"pipelineJob": field(status, "pipelineJobResourceName", "pipeline_job_resource_name"), "state": state,
            "model": model_name, "requestId": request_id}
    attributes = {key: value for key, value in (("model", model_name), ("requestId", request_id), ("state", state)) if value}
    return data, attributes


def main(argv: Sequence[str]) -> None:
    args = parse_args(argv)
    data, attributes = run_event(args.status, args.model_name, args.request_id)
    error = args.status.get("error")
    if isinstance(error, dict) and error.get("message"):
        log.info("the pipeline ended with an error", state=data["state"], error_code=error.get("code"), error_message=error["message"])
    if not args.events_topic:
        log.info("no events topic: the run's end is not published", **data)
        write_parameter(args.message_id, "")
        return
    message_id = Publisher().publish(args.events_topic, data, attributes)
    write_parameter(args.message_id, message_id)
    log.info("run event published", topic=args.events_topic, message_id=message_id, **data)


if __name__ == "__main__":
    run("publish_run_event", main)
