"""Runs a component's ``main`` and turns any exception into one ERROR log line and exit 1.

KFP marks the task failed on a non-zero exit; the structured line (with the traceback as a
field) is what an operator finds in Cloud Logging, instead of an unparsed multi-line trace.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence

from .logs import get_logger


def run(component: str, main: Callable[[Sequence[str]], None], argv: Sequence[str] | None = None) -> None:
    log = get_logger(component)
    try:
        main(sys.argv[1:] if argv is None else argv)
    except SystemExit:
        raise
    except Exception as error:  # noqa: BLE001 - the last line of defence: log it, fail the task
        log.error(f"{component} failed: {error}", error_type=type(error).__name__, traceback=traceback.format_exc())
        sys.exit(1)
