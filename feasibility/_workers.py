"""What every worker process of the toolkit runs first."""

from __future__ import annotations

import signal


def ignore_sigint() -> None:
    """Ignore Ctrl-C in a worker process: only the parent handles it.

    A terminal sends SIGINT to the whole process group, workers included. A
    worker that raised KeyboardInterrupt would print its own traceback and
    break its pool; ignoring it lets the parent stop cleanly and end the
    workers itself (``Pool.terminate``, ``ProcessPoolExecutor.shutdown``).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
