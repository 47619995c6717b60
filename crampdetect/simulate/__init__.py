"""Simulated calf surface EMG with ground-truth labels (``crampdetect simulate``).

>>> from crampdetect.simulate import simulate
>>> session = simulate("night-short", seed=3, duration_s=60.0)
>>> session.labels["format"]
'crampdetect-labels/1'
"""

from __future__ import annotations

from crampdetect.simulate.builder import SceneOptions
from crampdetect.simulate.evalset import make_evaluation_set
from crampdetect.simulate.scenes import SCENARIOS
from crampdetect.simulate.session import Session, simulate, write_session

__all__ = [
    "SCENARIOS",
    "SceneOptions",
    "Session",
    "make_evaluation_set",
    "simulate",
    "write_session",
]
