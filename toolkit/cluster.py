"""The Dask engine: the same work on document shards, as a ``dask.bag`` on a ``dask.distributed`` cluster.

``extract``, ``validate`` and ``map_docs`` hand their shards here when asked
for ``engine="dask"``. Each shard is one partition of a bag; a bag is made
for each window of shards (four per worker), the next window runs while the
results of the last are taken in order, so memory and the size of each
graph stay bounded however many documents there are, and results are what a
serial run gives, in the same order. Each worker builds
its state (a spaCy pipeline) once, the first time a task needs it.

Without a ``client`` or a ``scheduler`` address a ``LocalCluster`` starts
(one thread per worker process, no dashboard) and stops when the work is
done. On a real cluster every path the work names (corpus, annotations,
the folder extract writes its parts to) must be visible to every worker:
a shared filesystem.

Dask is an extra: ``pip install 'standoff-toolkit[dask]'``.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from typing import Any, TypeVar

from .errors import ToolkitError

T = TypeVar("T")
R = TypeVar("R")
ENGINES = ("processes", "dask")
MISSING = "the dask engine needs Dask: pip install 'standoff-toolkit[dask]'"
CONNECT_TIMEOUT = "10s"  # to reach a scheduler given by address
_BUILT: dict[str, dict[str, Any]] = {}  # in a worker process: the state each setup built, by the setup's digest


def check_engine(engine: str, client: Any = None, scheduler: str | None = None) -> None:
    """Refuse an unknown engine, a client or scheduler without Dask, and Dask when it is not installed."""
    if engine not in ENGINES:
        raise ToolkitError(f"unknown engine {engine!r}; use {' or '.join(ENGINES)}")
    if engine != "dask" and (client is not None or scheduler is not None):
        raise ToolkitError("a client or a scheduler address needs engine='dask' (--engine dask)")
    if engine == "dask":
        try:
            import dask.bag  # noqa: F401
            import distributed  # noqa: F401
        except ImportError:
            raise ToolkitError(MISSING) from None


def map_on_dask(work: Callable[[T], R], items: Iterable[T], *, setup: Callable[[], dict[str, Any]] | None = None,
                client: Any = None, scheduler: str | None = None, n_workers: int = 2) -> Iterator[R]:
    """``work(item)`` for every item, one bag partition each, yielded in the items' order.

    ``work`` finds what ``setup`` built with :func:`worker_state`. ``client``
    is a ``distributed.Client``; ``scheduler`` an address to connect to
    (``tcp://host:8786``); with neither, a LocalCluster of ``n_workers``
    processes runs the work and is closed afterwards.
    """
    import dask.bag as db
    from distributed import Client, LocalCluster

    items = list(items)
    if not items:
        return
    key = hashlib.sha256(pickle.dumps(setup)).hexdigest() if setup is not None else ""
    with ExitStack() as stack:
        if client is None:
            if scheduler is None:
                cluster = stack.enter_context(LocalCluster(n_workers=n_workers, threads_per_worker=1,
                                                           processes=True, dashboard_address=None))
                client = stack.enter_context(Client(cluster))
            else:
                try:
                    client = stack.enter_context(Client(scheduler, timeout=CONNECT_TIMEOUT))
                except (OSError, TimeoutError) as e:
                    raise ToolkitError(f"cannot reach the Dask scheduler at {scheduler!r}: {e}") from None
        workers = len(client.scheduler_info().get("workers", {})) or n_workers
        window = 4 * max(1, workers)
        pending: deque[Any] = deque()
        try:
            for i in range(0, len(items), window):
                # A small bag per window of shards: each graph stays small, however many documents there are.
                chunk = items[i:i + window]
                bag = db.from_sequence(chunk, npartitions=len(chunk)).map(_run, work, setup, key)
                pending.extend(client.compute(bag.to_delayed()))
                while len(pending) > window:  # the next window runs while this one is taken in order
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _run(item: Any, work: Callable[[Any], Any], setup: Callable[[], dict[str, Any]] | None, key: str) -> Any:
    from .parallel import use_state

    if key not in _BUILT:
        _BUILT[key] = setup() if setup is not None else {}
    use_state(_BUILT[key])
    return work(item)
