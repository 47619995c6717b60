"""Run one function over many recordings in parallel, locally or on a Dask cluster.

``map_recordings(fn, paths)`` uses local worker processes by default; with
``dask_address="tcp://scheduler:8786"`` it submits the same calls to a running Dask
distributed scheduler instead (its workers need crampdetect installed and the paths
readable). ``fn`` must be picklable: a module-level function, or a ``functools.partial``
of one. Results come back in the order of ``paths``.

``imap_recordings(fn, paths)`` is the lazy one (local processes only): it yields the results
in the order of ``paths`` as they are done, with a bounded look-ahead (``ahead`` recordings
submitted or done and not yet taken, default twice the workers), so the first result comes
before the last file is scored and a long list is never held whole
(:func:`crampdetect.detect_many` uses it).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
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


def imap_recordings(
    fn: Callable[[Any], Any],
    paths: Iterable[Any],
    *,
    n_workers: int | None = None,
    progress: bool = True,
    errors: str = "raise",
    desc: str = "recordings",
    ahead: int | None = None,
) -> Iterator[Any]:
    """Apply ``fn`` to every path in local worker processes and yield the results lazily, in
    input order, each as soon as it and those before it are done.

    At most ``ahead`` calls (default ``2 * n_workers``) are submitted or done and waiting to
    be taken: the pool stays busy while the caller works on a result, and a long list is
    never held whole. Stopping early (``close()`` or leaving a ``for`` loop) cancels the calls
    not yet started. Parameters as :func:`map_recordings` (no Dask); with one worker, each
    call runs in this process when its result is taken.
    """
    if errors not in ("raise", "collect"):
        raise ValueError(f"errors must be 'raise' or 'collect', got {errors!r}")
    return _imap(_Guarded(fn) if errors == "collect" else fn, list(paths), n_workers, progress,
                 desc, ahead)  # fmt: skip


def _imap(
    call: Callable[[Any], Any],
    items: list[Any],
    n_workers: int | None,
    progress: bool,
    desc: str,
    ahead: int | None,
) -> Iterator[Any]:
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    workers = min(n_workers or os.cpu_count() or 1, max(len(items), 1))
    with _bar(len(items), progress, desc) as bar:
        if workers <= 1:
            for item in items:
                result = call(item)
                bar.update()
                yield result
            return
        window = max(int(ahead or 2 * workers), 1)
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            todo = iter(items)
            pending: deque[Future[Any]] = deque()
            try:
                for item in todo:
                    pending.append(pool.submit(call, item))
                    if len(pending) >= window:
                        break
                while pending:
                    result = pending.popleft().result()
                    bar.update()
                    for item in todo:  # one more in, before the caller takes this one
                        pending.append(pool.submit(call, item))
                        break
                    yield result
            finally:
                for fut in pending:
                    fut.cancel()


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
