"""A Ctrl-C that a library swallowed still stops the command.

Python turns SIGINT into ``KeyboardInterrupt`` at the next bytecode it runs.
When that bytecode belongs to a Python callback of a compiled library, and the
library drops the callback's exception, the interrupt is lost and the command
carries on. It happens in pydantic-core's serializer (``model_dump``) when the
interrupt is raised in a union's discriminator or in ``ABCMeta.__instancecheck__``:
the report command then wrote both reports and exited 0 after the user's Ctrl-C.

So inside :func:`interruptible` the SIGINT handler also records the interrupt,
and :func:`checkpoint` raises it again: before a file takes its name, between
the Monte Carlo's chunks, and when a command returns. A lost Ctrl-C costs at
most the time to the next checkpoint, and never writes a file.
"""

from __future__ import annotations

import signal
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_interrupted = False


def _record_and_raise(signum: int, frame: FrameType | None) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


@contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, a Ctrl-C is recorded as well as raised.

    Warnings are not shown after the Ctrl-C: pydantic-core, having dropped
    the interrupt raised in a union's discriminator, warns that it could not
    serialize the union by its tag; the user asked to stop, and is told only
    that the command was interrupted.

    Only Python's own handler is replaced, in the main thread: a process
    started in the background (SIGINT ignored) or a host with its own handler
    keeps what it had. The previous handler is restored on leaving.
    """
    global _interrupted
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    _interrupted = False
    previous = signal.signal(signal.SIGINT, _record_and_raise)
    show = warnings.showwarning

    def show_unless_interrupted(*args: Any, **kwargs: Any) -> None:
        if not _interrupted:  # a library that swallowed the interrupt may warn about it: only "interrupted" is said
            show(*args, **kwargs)

    warnings.showwarning = show_unless_interrupted
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        warnings.showwarning = show
        _interrupted = False


def checkpoint() -> None:
    """Raise ``KeyboardInterrupt`` if a Ctrl-C came that nobody acted on.

    Raises
    ------
    KeyboardInterrupt
        When the user pressed Ctrl-C inside :func:`interruptible` and the
        exception it raised was swallowed on the way.
    """
    if _interrupted:
        raise KeyboardInterrupt
