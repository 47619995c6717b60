"""Run one function over many recordings in parallel, locally or on a Dask cluster.

``map_recordings(fn, paths)`` uses local worker processes by default; with
``dask_address="tcp://scheduler:8786"`` it submits the same calls to a running Dask
distributed scheduler instead (its workers need crampdetect installed and the paths
readable). ``fn`` must be picklable: a module-level function, or a ``functools.partial``
of one. Results come back in the order of ``paths``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Failure:
    """What ``errors="collect"`` returns in place of a result: the input and a one-line message."""

    path: str
    error: str


class _Guarded:
    """Picklable wrapper that turns an exception into a :class:`Failure`."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn

    def __call__(self, path: Any) -> Any:
        try:
            return self.fn(path)
        except Exception as exc:
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return Failure(str(path), f"{type(exc).__name__}: {msg}")


def _bar(total: int, progress: bool, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, disable=not progress, desc=desc, unit="rec", leave=False)


def map_recordings(
    fn: Callable[[Any], Any],
    paths: Iterable[Any],
    *,
    dask_address: str | None = None,
    n_workers: int | None = None,
    progress: bool = True,
    errors: str = "raise",
    desc: str = "recordings",
) -> list[Any]:
    """Apply ``fn`` to every path in parallel and return the results in input order.

    Parameters
    ----------
    fn : callable
        Picklable function of one recording path.
    paths : iterable
        Recording paths (or any picklable items).
    dask_address : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``); default local processes.
    n_workers : int, optional
        Local worker processes (default: CPU count; 1 runs in this process). Ignored with Dask.
    progress : bool
        Show a tqdm progress bar on stderr.
    errors : {"raise", "collect"}
        Re-raise the first error, or return a :class:`Failure` for each recording that failed.
    desc : str
        Progress-bar label.
    """
    items = list(paths)
    if errors not in ("raise", "collect"):
        raise ValueError(f"errors must be 'raise' or 'collect', got {errors!r}")
    call = _Guarded(fn) if errors == "collect" else fn
    if not items:
        return []
    if dask_address:
        return _map_dask(call, items, dask_address, progress, desc)
    workers = min(n_workers or os.cpu_count() or 1, len(items))
    if workers <= 1:
        out = []
        with _bar(len(items), progress, desc) as bar:
            for item in items:
                out.append(call(item))
                bar.update()
        return out
    return _map_processes(call, items, workers, progress, desc)


def _map_processes(
    call: Callable[[Any], Any], items: Sequence[Any], workers: int, progress: bool, desc: str
) -> list[Any]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    results: list[Any] = [None] * len(items)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {pool.submit(call, item): i for i, item in enumerate(items)}
        with _bar(len(items), progress, desc) as bar:
            try:
                for fut in as_completed(futures):
                    results[futures[fut]] = fut.result()
                    bar.update()
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    return results


def _map_dask(
    call: Callable[[Any], Any], items: Sequence[Any], address: str, progress: bool, desc: str
) -> list[Any]:
    from distributed import Client, as_completed

    logger.info("submitting %d recordings to Dask scheduler %s", len(items), address)
    with Client(address, set_as_default=False) as client:
        futures = client.map(call, items, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        with _bar(len(items), progress, desc) as bar:
            try:
                for fut in as_completed(futures, loop=client.loop):
                    results[index[fut.key]] = fut.result()
                    bar.update()
            finally:
                client.cancel([f for f in futures if not f.done()])
    return results
