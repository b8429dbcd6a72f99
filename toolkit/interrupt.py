"""Signals that stop a command leave no debris: every ``with`` block unwinds.

Python turns SIGINT into KeyboardInterrupt, but SIGTERM and SIGHUP kill it
outright: no ``finally``, no ``__exit__``, so half-written temp files, temp
folders and worker processes would stay behind. This module holds the few
pieces that the CLI, the atomic writers and the worker pools share:

- :func:`signals_raise` (used by ``toolkit.cli.main``) makes SIGINT, SIGTERM
  and SIGHUP raise :class:`Interrupted` in the main process, so that cleanup
  runs and the CLI can exit with ``128 + signum``;
- :func:`deferred` holds those signals back during a short commit (renames
  that must happen all together or not at all);
- :func:`setup_worker` (a pool initializer calls it) makes a worker process
  leave stopping to its parent, and die with it.

>>> with deferred():
...     pass  # renames here are not cut short by a signal
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(BaseException):
    """A stop signal arrived. A BaseException, like KeyboardInterrupt, so ``except Exception`` lets it pass.

    Not a KeyboardInterrupt subclass: click turns those into "Aborted!" and exit 1.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Raise:
    """The handler: raise Interrupted once in the process that installed it; later signals wait for cleanup."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.fired = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if os.getpid() != self.pid:
            # A pool worker forked before its initializer ran: act as a worker will (see setup_worker).
            if signum == getattr(signal, "SIGTERM", None):
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
            return
        if self.fired:
            return  # a second Ctrl-C must not cut the cleanup of the first short
        self.fired = True
        raise Interrupted(signum)


@contextmanager
def signals_raise() -> Iterator[None]:
    """While inside, SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted`; the previous handlers come back after.

    A signal that was ignored (``nohup``, a background job) or given its own
    handler is left alone. Outside the main thread nothing changes (Python
    only lets the main thread set handlers).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = _Raise()
    previous: dict[int, Any] = {}
    try:
        for signum in SIGNALS:
            current = signal.getsignal(signum)
            if current in (signal.SIG_DFL, signal.default_int_handler):
                previous[signum] = current
                signal.signal(signum, handler)
        yield
    finally:
        _restore(previous)


@contextmanager
def blocked() -> Iterator[None]:
    """Block SIGINT, SIGTERM and SIGHUP in this thread while inside; what came meanwhile acts on leaving.

    For forking workers: a child inherits the mask, so a signal sent to it
    before it has set up its own handlers waits instead of being lost (Python
    discards a signal that arrives between fork and its after-fork reset), and
    :func:`setup_worker` unblocks it with the default action in place. Threads
    started inside inherit the mask too, which keeps the parent's signals
    for its main thread.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back while inside; a signal that came meanwhile acts on leaving.

    Keep the block short (a few renames): nothing can stop it. The handlers
    are swapped for one that only takes note, because blocking the signals
    (``pthread_sigmask``) holds them back from one thread only: the kernel
    hands a process's signal to any other thread, and Python then runs the
    handler in the main thread all the same. Outside the main thread this
    does nothing (and signals do not interrupt that thread anyway).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous: dict[int, Any] = {}
    try:
        for signum in SIGNALS:
            if signal.getsignal(signum) not in (signal.SIG_IGN, None):  # None: set outside Python, not restorable
                # signal.signal first runs the handlers of signals already arrived, then swaps.
                previous[signum] = signal.signal(signum, note)
        yield
    finally:
        _restore(previous)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)  # now to the real handler, or the default action


def _restore(previous: dict[int, Any]) -> None:
    """Put every handler back, even if a signal arriving meanwhile makes an already restored one raise."""
    interrupted: BaseException | None = None
    for signum, handler in previous.items():
        try:
            signal.signal(signum, handler)  # runs the handlers of signals already arrived, then swaps
        except BaseException as e:
            interrupted = interrupted or e
            signal.signal(signum, handler)
    if interrupted is not None:
        raise interrupted


def setup_worker() -> None:
    """Make this pool worker leave stopping to its parent, and die with it.

    Ctrl-C and a hangup reach the whole process group: workers ignore them,
    and the parent tears the pool down (with SIGTERM, which must keep its
    default action so that a worker dies at once, without a traceback). On
    Linux a worker also gets SIGTERM when its parent dies, even by SIGKILL.
    """
    for name in ("SIGINT", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        # The mask is inherited: a worker of a parent that blocks SIGTERM could not be stopped by the pool.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
    if sys.platform.startswith("linux"):
        _die_with_parent()


def _die_with_parent() -> None:
    import ctypes

    pr_set_pdeathsig = 1
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(pr_set_pdeathsig, int(signal.SIGTERM), 0, 0, 0) != 0:
            return
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)  # the parent died before prctl took effect
