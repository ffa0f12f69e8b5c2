#!/usr/bin/env python3
"""A Vertex AI prediction server: the contract of Vertex's custom and prebuilt serving containers.

Environment (what Vertex sets in a serving container):

- ``AIP_HTTP_PORT`` (default 8080): the port to listen on;
- ``AIP_HEALTH_ROUTE`` (default ``/health``): ``GET`` answers 200 once the model is loaded;
- ``AIP_PREDICT_ROUTE`` (default ``/predict``): ``POST {"instances": [...], "parameters": {...}}``
  answers ``{"predictions": [...]}``; ``parameters.return_probabilities`` makes each
  classification prediction ``{"predicted_class", "classes", "probabilities"}``;
- ``AIP_STORAGE_URI`` (else ``AIP_MODEL_DIR``): the model directory, ``gs://bucket/path`` read
  through the Cloud Storage mount (``GCS_LOCAL_ROOT``/``LOCAL_GCS_ROOT``, default ``/gcs``) or
  a local path. See ``model_loader`` for the files it loads.

A deliberately bad server, for testing canary analysis, set through the container's environment
(``containerSpec.env`` of the Model), each checked at start (a bad value ends the process with a
message naming the variable):

- ``MODEL_SERVER_ADDED_LATENCY_MS``: milliseconds (>= 0) added to every predict request;
- ``MODEL_SERVER_ERROR_RATE``: fraction in [0, 1] of predict requests answered 500;
- ``MODEL_SERVER_FAULT_SEED``: an integer seeding which requests fail (default: unseeded).

Errors answer ``{"error": "..."}`` (400 for bad requests). Logs are ``mlops_components.logs``'s JSON
lines on stderr. The model loads before the port opens, so a broken model directory ends the
process at once.
"""

from __future__ import annotations

import os

# One BLAS/OpenMP thread: request threads give the parallelism, and several servers share the host.
for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_name] = "1"

import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

# The project's package holds the one structured logger, and pickled pipelines may name its modules.
sys.path.append(str(Path(__file__).resolve().parent.parent))

from instances import BadRequest  # noqa: E402
from model_loader import load_predictor, local_model_dir  # noqa: E402
from predictors import Predictor  # noqa: E402
from mlops_components.logs import get_logger  # noqa: E402

log = get_logger("model_server").log

MAX_BODY_BYTES = 32 * 1024 * 1024


class FaultConfigError(ValueError):
    """A fault variable with a value the server cannot use."""


class Faults:
    """Added latency and a failure rate, read from the environment; thread-safe draws."""

    def __init__(self, added_latency_ms: float = 0.0, error_rate: float = 0.0, seed: int | None = None) -> None:
        self.added_latency_ms = added_latency_ms
        self.error_rate = error_rate
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls, env: dict[str, str] | os._Environ[str]) -> "Faults":
        latency = _number(env, "MODEL_SERVER_ADDED_LATENCY_MS", 0.0)
        if latency < 0:
            raise FaultConfigError(f"MODEL_SERVER_ADDED_LATENCY_MS must be a number of milliseconds >= 0, got {env['MODEL_SERVER_ADDED_LATENCY_MS']!r}")
        rate = _number(env, "MODEL_SERVER_ERROR_RATE", 0.0)
        if not 0.0 <= rate <= 1.0:
            raise FaultConfigError(f"MODEL_SERVER_ERROR_RATE must be a fraction between 0 and 1, got {env['MODEL_SERVER_ERROR_RATE']!r}")
        raw_seed = env.get("MODEL_SERVER_FAULT_SEED", "").strip()
        try:
            seed = int(raw_seed) if raw_seed else None
        except ValueError:
            raise FaultConfigError(f"MODEL_SERVER_FAULT_SEED must be an integer, got {raw_seed!r}") from None
        return cls(latency, rate, seed)

    @property
    def active(self) -> bool:
        return self.added_latency_ms > 0 or self.error_rate > 0

    def delay(self) -> None:
        if self.added_latency_ms > 0:
            time.sleep(self.added_latency_ms / 1000)

    def should_fail(self) -> bool:
        if self.error_rate <= 0:
            return False
        with self._lock:
            return self._random.random() < self.error_rate


def _number(env: dict[str, str] | os._Environ[str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise FaultConfigError(f"{name} must be a number, got {raw!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise FaultConfigError(f"{name} must be a finite number, got {raw!r}")
    return value


class PredictionHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the emulator sends many small requests
    server_version = "local-vertex-model-server"
    timeout = 60  # idle keep-alive connections end eventually
    # Headers and body in one buffered write, sent at once: otherwise Nagle's algorithm and the
    # client's delayed ACK hold every keep-alive response back for ~40 ms.
    wbufsize = -1
    disable_nagle_algorithm = True
    predictor: Predictor
    faults: Faults = Faults()
    predict_route: str
    health_route: str

    def do_GET(self) -> None:
        if self.route() == self.health_route:
            self.reply(200, {"status": "ready", "model": self.predictor.description})
        else:
            self.reply(404, {"error": f"no route GET {self.route()}"})

    def do_POST(self) -> None:
        if self.route() != self.predict_route:
            self.discard_body()
            self.reply(404, {"error": f"no route POST {self.route()}"})
            return
        started = time.perf_counter()
        self.faults.delay()
        try:
            body = self.read_json()
            if self.faults.should_fail():
                self.fail(500, f"injected fault: MODEL_SERVER_ERROR_RATE={self.faults.error_rate}")
                return
            instances = body.get("instances")
            parameters = body.get("parameters") or {}
            if not isinstance(parameters, dict):
                raise BadRequest("'parameters' must be an object")
            predictions = self.predictor.predict(instances, bool(parameters.get("return_probabilities")))
        except BadRequest as error:
            self.fail(400, str(error))
            return
        except (ValueError, TypeError, KeyError, IndexError) as error:
            # The model rejected the values (wrong types, shapes or categories).
            self.fail(400, f"prediction failed: {type(error).__name__}: {error}")
            return
        except Exception as error:  # noqa: BLE001 - answer 500 rather than drop the connection
            log("ERROR", "prediction failed", error=str(error), traceback=traceback.format_exc())
            self.fail(500, f"internal error: {type(error).__name__}: {error}")
            return
        latency = (time.perf_counter() - started) * 1000
        log("INFO", "predict", instances=len(predictions), latency_ms=round(latency, 3))
        self.reply(200, {"predictions": predictions})

    def route(self) -> str:
        return self.path.split("?", 1)[0]

    def read_json(self) -> dict[str, Any]:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit() or int(length) > MAX_BODY_BYTES:
            self.close_connection = True  # the unread body would be taken for the next request
            raise BadRequest(f"the request needs a Content-Length of at most {MAX_BODY_BYTES} bytes")
        raw = self.rfile.read(int(length))
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise BadRequest(f"the request body is not JSON: {error}") from None
        if not isinstance(body, dict):
            raise BadRequest('the request body must be an object {"instances": [...]}')
        return body

    def discard_body(self) -> None:
        length = self.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) <= MAX_BODY_BYTES:
            self.rfile.read(int(length))
        else:
            self.close_connection = True

    def fail(self, status: int, message: str) -> None:
        if status < 500:
            log("WARNING", "bad prediction request", status=status, error=message)
        self.reply(status, {"error": message})

    def reply(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, allow_nan=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # access lines would be unstructured; predict logs its own JSON line


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a request thread must not keep a stopping server alive


def main() -> None:
    uri = os.environ.get("AIP_STORAGE_URI") or os.environ.get("AIP_MODEL_DIR")
    if not uri:
        log("ERROR", "AIP_STORAGE_URI is not set: nothing to serve")
        sys.exit(2)
    port = int(os.environ.get("AIP_HTTP_PORT", "8080"))
    host = os.environ.get("MODEL_SERVER_HOST", "127.0.0.1")
    try:
        faults = Faults.from_env(os.environ)
    except FaultConfigError as error:
        log("ERROR", f"bad model server configuration: {error}")
        sys.exit(2)
    if faults.active:
        log("WARNING", "serving with injected faults", added_latency_ms=faults.added_latency_ms, error_rate=faults.error_rate)
    PredictionHandler.faults = faults
    started = time.perf_counter()
    try:
        predictor = load_predictor(local_model_dir(uri))
    except Exception as error:  # noqa: BLE001 - one structured line, then a failed container
        log("ERROR", f"cannot load the model from {uri}: {error}", error_type=type(error).__name__, traceback=traceback.format_exc())
        sys.exit(1)
    PredictionHandler.predictor = predictor
    PredictionHandler.predict_route = os.environ.get("AIP_PREDICT_ROUTE", "/predict")
    PredictionHandler.health_route = os.environ.get("AIP_HEALTH_ROUTE", "/health")
    try:
        server = Server((host, port), PredictionHandler)
    except OSError as error:
        log("ERROR", f"cannot listen on {host}:{port}: {error}", error_type=type(error).__name__)
        sys.exit(1)
    log("INFO", "serving", storage_uri=uri, port=port, predict_route=PredictionHandler.predict_route,
        health_route=PredictionHandler.health_route, load_seconds=round(time.perf_counter() - started, 3), **predictor.description)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
