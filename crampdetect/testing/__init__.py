"""Test kits: the stage conformance kit (here) and a fake BLE radio (:mod:`.ble`).

:mod:`crampdetect.testing.ble` is a bleak backend that plays a simulated board over a fake
radio, with the failures of a real link (for porting to a new board without hardware); it
imports bleak, so it loads only when imported.

Conformance kit for streaming stages: what every stateful stage must do, checked generically.

A stage is described by a :class:`StageCase`: how to make a fresh one, how to feed it one
chunk of a stream, and the stream. :func:`check_stage` then asserts the stage contract:

- **chunk invariance**: any split of the stream (empty chunks included) gives the output of
  the unsplit stream;
- **reset**: after :meth:`reset` the stage behaves exactly like a fresh instance;
- **input not mutated**: feeding never writes into the caller's arrays;
- **empty chunks**: a chunk of length 0 is accepted anywhere and produces nothing.

Streams are numpy arrays with time on the last axis, ``bytes``, lists, or tuples of those
(cut together). Outputs of consecutive chunks are joined (arrays along the last axis,
lists end to end, tuples and dicts item by item) unless the case gives its own ``join``.

>>> import numpy as np
>>> from crampdetect.filters.sos import SosFilter, bandpass_sos
>>> case = StageCase(
...     "bandpass",
...     make=lambda: SosFilter(bandpass_sos(1000.0), 1),
...     feed=lambda stage, x, start: stage.process(x),
...     stream=np.random.default_rng(0).normal(size=(1, 3000)),
... )
>>> check_stage(case, cuts=[0, 7, 7, 1500])
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class StageCase:
    """A stateful stage and a stream to check it on.

    Parameters
    ----------
    name : str
        Shown in failures.
    make : callable
        ``make() -> stage``: a fresh instance.
    feed : callable
        ``feed(stage, chunk, start) -> output``; ``start`` is the chunk's index in the stream.
    stream : array, bytes, list or tuple of those
        The whole input; time (or bytes, items) along the last axis.
    finish : callable, optional
        ``finish(stage) -> output`` at the end of the stream (e.g. close open events).
    join : callable, optional
        ``join(outputs) -> output`` of consecutive chunks; default :func:`join`.
    """

    name: str
    make: Callable[[], Any]
    feed: Callable[[Any, Any, int], Any]
    stream: Any
    finish: Callable[[Any], Any] | None = None
    join: Callable[[list[Any]], Any] | None = None

    def __repr__(self) -> str:  # pytest ids
        return self.name


def length(stream: Any) -> int:
    """Number of samples (bytes, items) in a stream."""
    if isinstance(stream, tuple):
        return length(stream[0])
    if isinstance(stream, np.ndarray):
        return stream.shape[-1]
    return len(stream)


def cut(stream: Any, a: int, b: int) -> Any:
    """Samples ``a:b`` of a stream (a tuple is cut item by item)."""
    if isinstance(stream, tuple):
        return tuple(cut(s, a, b) for s in stream)
    if isinstance(stream, np.ndarray):
        return stream[..., a:b]
    return stream[a:b]


def join(outputs: list[Any]) -> Any:
    """Outputs of consecutive chunks as one output."""
    if not outputs:
        return None
    first = outputs[0]
    if isinstance(first, np.ndarray):
        return np.concatenate(outputs, axis=-1)
    if isinstance(first, list):
        return list(itertools.chain.from_iterable(outputs))
    if isinstance(first, tuple):
        return tuple(join([o[i] for o in outputs]) for i in range(len(first)))
    if isinstance(first, dict):
        return {k: join([o[k] for o in outputs]) for k in first}
    if first is None:
        return None
    raise TypeError(f"no default join for {type(first).__name__}: give the case a join")


def same(a: Any, b: Any) -> bool:
    """Exact equality through arrays (NaN equal to NaN), dataclasses, lists, tuples, dicts."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(
            same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a)
        )
    if isinstance(a, list | tuple):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return bool(a == b)


def split(stream: Any, cuts: Sequence[int]) -> list[tuple[int, Any]]:
    """``(start, chunk)`` pieces of a stream cut at ``cuts`` (sorted, clipped; repeats give
    empty chunks)."""
    n = length(stream)
    bounds = [0, *sorted(min(max(int(c), 0), n) for c in cuts), n]
    return [(a, cut(stream, a, b)) for a, b in itertools.pairwise(bounds)]


def run(case: StageCase, cuts: Sequence[int] = (), stage: Any = None) -> Any:
    """Feed the case's stream cut at ``cuts`` to ``stage`` (default: a fresh one); the output."""
    stage = case.make() if stage is None else stage
    outputs = [case.feed(stage, chunk, start) for start, chunk in split(case.stream, cuts)]
    if case.finish is not None:
        outputs.append(case.finish(stage))
    return (case.join or join)(outputs)


def check_chunk_invariance(case: StageCase, cuts: Sequence[int]) -> None:
    """The stream cut at ``cuts`` gives the output of the whole stream."""
    assert same(run(case, cuts), run(case)), f"{case.name}: output depends on the cuts {cuts}"


def check_reset(case: StageCase, cuts: Sequence[int] = ()) -> None:
    """After a stream and :meth:`reset`, the stage gives what a fresh instance gives."""
    stage = case.make()
    run(case, cuts, stage)
    stage.reset()
    assert same(run(case, (), stage), run(case)), f"{case.name}: reset() is not a fresh start"


def check_input_not_mutated(case: StageCase, cuts: Sequence[int] = ()) -> None:
    """Feeding leaves the caller's stream as it was."""
    before = copy.deepcopy(case.stream)
    run(case, cuts)
    assert same(case.stream, before), f"{case.name}: the stage wrote into its input"


def check_empty_chunks(case: StageCase) -> None:
    """Empty chunks at the start, middle and end change nothing."""
    n = length(case.stream)
    check_chunk_invariance(case, [0, 0, n // 2, n // 2, n, n])


def check_stage(case: StageCase, cuts: Sequence[int] = ()) -> None:
    """Every check of the stage contract, with the stream cut at ``cuts``."""
    check_chunk_invariance(case, cuts)
    check_reset(case, cuts)
    check_input_not_mutated(case, cuts)
    check_empty_chunks(case)
