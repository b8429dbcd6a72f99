"""The one parallel map: work on shards of whole documents in worker processes, results in order.

``extract``, ``validate`` and ``map_docs`` run on it (:func:`map_shards`),
in worker processes here or on Dask (:mod:`toolkit.cluster`). Each worker
builds its state once (a spaCy pipeline, say) with ``setup``; work functions
find it with :func:`worker_state`, whichever engine runs them. Ctrl-C and
termination reach the workers too (see :mod:`toolkit.interrupt`): the parent
alone stops the pool, and workers die with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from .errors import ToolkitError

T = TypeVar("T")
R = TypeVar("R")
_STATE: dict[str, Any] = {}
_WORK = "toolkit.parallel.work"


def map_in_workers(work: Callable[[T], R], items: Iterable[T], n_process: int, *,
                   setup: Callable[[], dict[str, Any]] | None = None) -> Iterator[R]:
    """``work(item)`` for every item, in ``n_process`` worker processes, yielded in the items' order.

    ``work`` and ``setup`` must be picklable (module-level functions or
    partials of them); they travel to each worker once, at its start, not
    with every item. Items are handed out one at a time as workers free up.
    """
    if n_process < 1:
        raise ToolkitError("n_process must be at least 1")
    import multiprocessing

    from .interrupt import blocked

    with blocked():  # workers, and the pool's thread that forks replacements, start with signals held back
        pool = multiprocessing.Pool(n_process, initializer=_init_worker, initargs=(work, setup))
    with pool:
        yield from pool.imap(_run, items)


def worker_state() -> dict[str, Any]:
    """What ``setup`` built in this worker."""
    return _STATE


def use_state(state: dict[str, Any]) -> None:
    """Make ``state`` what :func:`worker_state` returns in this process (the Dask engine's workers)."""
    if _STATE is not state:
        _STATE.clear()
        _STATE.update(state)


def map_shards(work: Callable[[T], R], items: Iterable[T], n_process: int, *,
               setup: Callable[[], dict[str, Any]] | None = None, engine: str = "processes", client: Any = None,
               scheduler: str | None = None) -> Iterator[R]:
    """``work(item)`` for every item, in order: in worker processes, or on Dask (:mod:`toolkit.cluster`)."""
    if engine == "dask":
        from .cluster import map_on_dask

        return map_on_dask(work, items, setup=setup, client=client, scheduler=scheduler, n_workers=n_process)
    return map_in_workers(work, items, n_process, setup=setup)


def _init_worker(work: Callable[[Any], Any], setup: Callable[[], dict[str, Any]] | None) -> None:
    from .interrupt import setup_worker

    setup_worker()
    _STATE.clear()
    if setup is not None:
        _STATE.update(setup())
    _STATE[_WORK] = work


def _run(item: Any) -> Any:
    return _STATE[_WORK](item)
