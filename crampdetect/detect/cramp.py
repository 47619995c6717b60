"""The cramp detector: a per-channel state machine over feature frames.

States: ``idle`` (at rest), ``suspect`` (continuous activation, not yet a cramp), ``cramp``
(alert raised, waiting for sustained relaxation), ``recovery`` (idle, but within the
recurrence watch after a cramp, with more sensitive thresholds).

A cramp is told from voluntary effort and movement by what the physiology says differs
(domain notes §1, §2.4, §6.4): it starts from rest, it does not relax (no relaxation gaps,
unlike gait or repetitions), it waxes and wanes irregularly (unlike a steady voluntary hold),
it is usually on one leg (turning over involves both), it lasts longer than movements, and it
is not motion artefact. Two paths raise the alert:

- fast: after ``fast_s`` of continuous activation that is irregular, has no deep dips, is not
  bilateral and has no artefact in the window;
- slow: after ``slow_s`` of continuous strong activation, whatever its shape;
- settle (training, when ``settle_s`` > 0): after gait, a contraction that stays up for
  ``settle_s`` without the stride rhythm and without a dip, on one leg;
- held (training, when ``held_s`` > 0; exert): a contraction held on one leg for longer than
  a voluntary hold without relaxing and without the stride rhythm, however low it stands over
  a resting baseline that standing has raised;
- weak (when ``weak_s`` > 0): a contraction too weak for the others that has not returned
  to the resting floor for ``weak_s`` since it rose from rest, on one leg.

All per-frame statistics are computed vectorised over a block; Python only steps through
alerts and ends, which are rare. Output does not depend on block boundaries.
"""

from __future__ import annotations

import copy
import enum
import itertools
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from crampdetect.detect.confidence import (
    CONTEXT_FEATURES,
    MOVE_CAP_S,
    alert_context,
    load_confidence,
    rise_context,
)
from crampdetect.detect.onset import place_onset
from crampdetect.detect.settings import GAP_STRIDES, DetectorSettings
from crampdetect.features.context import (
    LazyStats,
    count_in_run,
    elevation,
    fell_after_up,
    held_at,
    settled_after_gait,
    stride_rhythm,
    swing_at,
    trailing_stats,
)
from crampdetect.features.flags import FrameFlags
from crampdetect.features.windows import windows

#: ``ndarray.any()`` over all axes without its Python-level wrapper (live frames: tiny arrays).
_any = np.logical_or.reduce

_NEVER = -(10**12)
#: (indnight) Separate returns to the resting floor within ``end_s`` that end an event by
#: ``end_rest_share`` (a motor unit firing at rest: several a second; a cramp rising out of one
#: dip after its precursor: one).
REST_RETURNS = 2
#: The fewest frames of the window statistics' window (``window_s``): its median and dip need
#: a few frames at any frame rate.
WINDOW_MIN_FRAMES = 3
#: The confidence of a cramp resumed after a long gap (``resume``): it was alerted and rated
#: before the gap; the gap leaves no new evidence to rate.
RESUMED_CONFIDENCE = 0.9
#: The low and high percentiles (%) of a span's spread: its troughs and peaks, read robustly
#: against single frames (gait's troughs, standing's steps, the level before a run).
TROUGH_PCT, PEAK_PCT = 10, 90

#: Features of an unsure alert candidate, in the order given to a learned gate.
CANDIDATE_FEATURES = (
    "elapsed_s",  # s of continuous activation so far
    "irregularity",  # std of detrended log 250 ms envelope over window_s
    "dip",  # lowest 100 ms envelope / mean over window_s
    "log_level_rest",  # log(level / resting baseline)
    "log_rise",  # log(level / median level in the 5 s before the run)
    "bilateral",  # share of the run during which another leg rose too
    "log_level_reference",  # log(level / strongest recent activity or calibrated maximum)
    "recurrence",  # 1 within the recurrence watch after a cramp
    "path_irregular",  # 1 when the irregular (fast) rule holds
    "path_quiet",  # 1 when the quiet-rest rule holds
)
#: What an alert's confidence is judged from (part conf): the candidate's features and context.
ALERT_FEATURES = CANDIDATE_FEATURES + CONTEXT_FEATURES
#: (nightmiss2) Where the level and the elapsed time sit among CANDIDATE_FEATURES.
_LEVEL_FEATURES = [
    CANDIDATE_FEATURES.index(f) for f in ("log_level_rest", "log_rise", "log_level_reference")
]
_ELAPSED = CANDIDATE_FEATURES.index("elapsed_s")
HISTORY_S = 30.0
#: fastfa: the standing spans before a step are tried every STAND_LAG_S (s) back and sampled
#: every STAND_STRIDE_S (s).
STAND_LAG_S = 1.0
STAND_STRIDE_S = 0.05
#: The level before a run is taken over ``pre_run_s`` up to PRE_RUN_GAP_S before it (s), when
#: at least PRE_RUN_MIN_S of it is known.
PRE_RUN_GAP_S, PRE_RUN_MIN_S = 0.5, 1.0
#: Motor-unit activity at an onset stands this many times above the median TKEO before the run.
TKEO_ONSET_FACTOR = 4.0
#: (replead) The rise of a run after an effort is timed from ``RISE_LOW`` to ``RISE_HIGH`` of
#: its median level over ``fast_s``, on the 100 ms envelope averaged over ``RISE_SMOOTH_S``.
RISE_LOW, RISE_HIGH, RISE_SMOOTH_S = 0.2, 0.8, 0.2
#: Stride periods (s) of the settle path's rhythm test: running 0.6-0.8 s, walking 1-1.25 s.
STRIDE_LAGS_S = (0.5, 1.3)
#: (miss) Rest before a weak cramp: a spell of REST_SPELL_S (s) with at least REST_SPELL_SHARE
#: of its 100 ms frames below ``weak_floor``.
REST_SPELL_S, REST_SPELL_SHARE = 1.0, 0.8
#: prodrome (session 22): the end of a raised span read for where a creep had got to (its last
#: third: a cramp alerted within 10 s of its onset fills at most the last 2 s of a 12-s span
#: ending 8 s before the alert, under half of it, so the end's median is still the prodrome's).
PRODROME_END_SHARE = 1 / 3
#: (night) The hold test smooths the 100 ms envelope over HOLD_SMOOTH_S (s) and compares its
#: lowest point with its median over the last HOLD_CONTEXT_S (s) of the run (a cramp that a
#: turnover ran into is judged on its own level, not the turnover's).
HOLD_SMOOTH_S, HOLD_CONTEXT_S = 0.2, 4.0


class State(enum.Enum):
    """What a channel is doing, as the detector sees it."""

    IDLE = "idle"  # at rest
    SUSPECT = "suspect"  # a continuous activation, not (yet) a cramp
    CRAMP = "cramp"  # alert raised; waiting for sustained relaxation
    RECOVERY = "recovery"  # at rest within the recurrence watch after a cramp


class Transition(enum.Enum):
    """The named changes of :class:`State`; :data:`TRANSITIONS` says from where to where."""

    ACTIVATE = "activate"  # a continuous activation begins
    CALM = "calm"  # it broke off (a relaxation gap) without an alert
    CALM_IN_WATCH = "calm_in_watch"  # the same, within the recurrence watch
    ALERT = "alert"  # the activation is judged a cramp
    RELAX = "relax"  # the cramp relaxed for end_s: it is over, the watch begins
    GIVE_UP = "give_up"  # the cramp lasted max_cramp_s: closed, the channel re-examined
    WATCH = "watch"  # the recurrence watch was asked for from outside (alert policy)
    WATCH_OVER = "watch_over"  # the recurrence watch expired
    INTERRUPT = "interrupt"  # a long gap or the end of the stream: everything is forgotten
    RESUME = "resume"  # a cramp interrupted by a long gap is still going on after it


S = State
#: Transition -> (states it may leave, state it enters).
TRANSITIONS: dict[Transition, tuple[frozenset[State], State]] = {
    Transition.ACTIVATE: (frozenset({S.IDLE, S.RECOVERY}), S.SUSPECT),
    Transition.CALM: (frozenset({S.SUSPECT}), S.IDLE),
    Transition.CALM_IN_WATCH: (frozenset({S.SUSPECT}), S.RECOVERY),
    Transition.ALERT: (frozenset({S.SUSPECT}), S.CRAMP),
    Transition.RELAX: (frozenset({S.CRAMP}), S.RECOVERY),
    Transition.GIVE_UP: (frozenset({S.CRAMP}), S.RECOVERY),
    Transition.WATCH: (frozenset({S.IDLE}), S.RECOVERY),
    Transition.WATCH_OVER: (frozenset({S.RECOVERY}), S.IDLE),
    Transition.INTERRUPT: (frozenset(State), S.IDLE),
    Transition.RESUME: (frozenset({S.IDLE, S.SUSPECT, S.RECOVERY}), S.CRAMP),
}
del S


@dataclass(slots=True)
class FrameEvent:
    """An event in frame units (converted to seconds by the pipeline)."""

    kind: str
    channel: int
    onset_frame: int
    alert_frame: int
    end_frame: int | None
    confidence: float
    id: int
    detail: dict[str, float | str | bool] = field(default_factory=dict)


@dataclass(slots=True)
class _Channel:
    index: int
    state: State = State.IDLE  # changed only by CrampDetector._go
    hyst: bool = False
    last_on: int = _NEVER
    run_start: int = -1
    run_strong: int = 0  # frames of the current run at a strong level
    cramp: FrameEvent | None = None
    cramp_base: float = 0.0
    end_base: float = 0.0  # heldend: the end level read besides end_fraction (µV)
    low: int = 0
    # indnight: frames in a row the open event's leg has been at its resting floor, and the
    # frame at which its last dip there of escalate_rest_s or more ended
    rest_low: int = 0
    dip_end: int = _NEVER
    recurrence_until: int = _NEVER
    cramp_level: float = 0.0  # median envelope (µV) when the alert was raised
    # End frame of the last activation run of >= 0.5 s. Rest is only known once it has been
    # seen: the start of the stream (or of the data after a long gap) counts as a movement
    # until quiet_start_s of rest has been seen after it (move_seen False).
    last_move_end: int = 0
    move_seen: bool = False  # last_move_end is a movement seen, not the stream start
    # nightmove (session 10): (start, end) frames of this leg's movements within ``series_s``
    # of the current frame or run start (a periodic series), oldest first; a tuple, rebound
    # (never changed in place: snapshots share it)
    moves: tuple[tuple[int, int], ...] = ()
    # nightweak2 (session 20): frames in a row the leg has stood over weak_low_move x its
    # baseline, and the last frames of such stretches of movement_min_s or more (a weak leg
    # movement for the weak path's lower tier), oldest first; a tuple, rebound
    low_up: int = 0
    low_moves: tuple[int, ...] = ()
    bilateral: int = 0  # frames of the current run during which another leg rose too
    # standmem: ... not counting another leg back at its own standing level (the slow path)
    bilateral_stand: int = 0
    context: _RunContext | None = None  # the current run's context, taken when it started
    last_co: int = _NEVER  # (miss) last frame at which another leg rose with this one
    # nightmiss2: frames in a row the open event stood escalate_ratio x over its alert level,
    # whether it may still escalate, and what its alert was judged on (path context)
    esc: int = 0
    escalatable: bool = False
    alert_info: _AlertInfo | None = None
    # escshape: the leg has held (or fallen back to) its alerted level since the alert
    held: bool = False
    # escpeak: the highest escalate_s mean since the alert (or the last dip to rest), µV
    esc_peak: float = 0.0
    # rehold (session 20): whether the open event may still be raised again by the held test
    reholdable: bool = False

    # trainend: until this frame, after an event ended as the leg strode again, an alert
    # needs the leg strode_rise x over the level that event was alerted at (µV)
    strode_until: int = _NEVER
    strode_level: float = 0.0
    # nightmove: the recurrence watch after an event that lasted series_cramp_s (a cramp)
    cramped_until: int = _NEVER
    # indeffort: the end frame of this leg's last event (an alerted contraction that ended
    # was an effort of the leg, like a movement's run)
    event_end: int = _NEVER


@dataclass(slots=True, frozen=True)
class _AlertInfo:
    """What an open event's alert was judged on: the run's context, the candidate features
    (``ALERT_FEATURES`` order) and whether it came within a recurrence watch."""

    context: _RunContext
    features: np.ndarray
    recurrent: bool


@dataclass(slots=True)
class _RunContext:
    """What came before runs, taken when each run starts (so later blocks need no history).

    Arrays hold one entry per run start: ``pre`` (n_channels, k) the median 250 ms level (µV)
    of every channel over the 5 s before the run (0 if less than 1 s is known); ``tk_floor`` the
    TKEO level (µV²) an onset's motor-unit activity stands above (NaN: none known);
    ``ref_before`` the strongest recent activity (µV) just before the run; ``stand``
    (n_channels, k) the level (µV) every channel last stood at before the run (standmem,
    :meth:`CrampDetector._standing_memory`; NaN: none seen).
    """

    pre: np.ndarray
    tk_floor: np.ndarray
    ref_before: np.ndarray
    stand: np.ndarray

    def take(self, k: np.ndarray | int) -> _RunContext:
        return _RunContext(self.pre[:, k], self.tk_floor[k], self.ref_before[k], self.stand[:, k])


@dataclass(slots=True)
class _Runs:
    """One channel's runs over a block, per frame (:meth:`CrampDetector._runs`): the frame
    numbers, the last active frame, whether in a run, where runs start (mask), the run's
    first frame (-1: none), frames since it (elapsed), its clearly active frames so far;
    the run start before each frame (``prev_rs``), the block indices where a run ended as a
    movement (``ended``) and their frames (``move_ends``); the 250 ms level (µV)."""

    frames: np.ndarray
    last_on: np.ndarray
    in_run: np.ndarray
    starts: np.ndarray
    run_start: np.ndarray
    elapsed: np.ndarray
    run_strong: np.ndarray
    prev_rs: np.ndarray
    ended: np.ndarray
    move_ends: np.ndarray
    level: np.ndarray


@dataclass(slots=True)
class _Beside:
    """The other legs beside one channel's runs over a block (:meth:`CrampDetector._beside`):
    each frame's run context and this leg's level before its run (µV, ``pre``); the frames
    of the run another leg was up too (all of them, ``bil_count``, and above its standing
    level, ``stand_count``) and their shares of the run (``bil``, ``bil_stand``); the last
    such frame and whether the other legs have been still since for bilateral_clear_s
    (``alone``); the shares over the last bilateral_recent_s (``recent_bil``,
    ``recent_stand``)."""

    ctx: _RunContext
    pre: np.ndarray
    bil_count: np.ndarray
    stand_count: np.ndarray
    last_co: np.ndarray
    alone: np.ndarray
    recent_bil: np.ndarray
    recent_stand: np.ndarray
    bil: np.ndarray
    bil_stand: np.ndarray


@dataclass(slots=True)
class _Paths:
    """Per frame of a block, the candidates of each alert path (docs/detection.md), narrowed
    by their vetoes in place; ``after_effort`` frames are on the slow path too; ``rec``:
    within a recurrence watch; ``weak_low``: the frames only the weak path's lower tier
    (``weak_low_uv``, nightweak session 20) took, or None where none did."""

    fast: np.ndarray
    quiet: np.ndarray
    slow: np.ndarray
    settle: np.ndarray
    weak: np.ndarray
    held_up: np.ndarray
    after_effort: np.ndarray
    rec: np.ndarray
    weak_low: np.ndarray | None


@dataclass(slots=True)
class _Run:
    """One run's candidate frames (block indices ``mine``) of channel ``c`` in the block
    starting at frame ``start``, with the run's first frame ``rs`` and the block's per-frame
    figures, runs, other legs and paths: what each of :meth:`CrampDetector._confirm`'s tests
    reads."""

    c: int
    start: int
    st: dict[str, np.ndarray]
    runs: _Runs
    beside: _Beside
    paths: _Paths
    rs: int
    mine: np.ndarray


def _frames(a: np.ndarray | FrameFlags | Callable | None, lo: int, hi: int):
    """(rebase) Frames ``lo .. hi - 1`` of an update's array (flags and a TKEO given as a
    function are kept by frame)."""
    return a if a is None or isinstance(a, FrameFlags) or callable(a) else a[:, lo:hi]


# rebase: what the detector knows of a cramp it raised, for the channel's resting baseline and
# for the other legs (see CrampDetector.update).
@dataclass(slots=True)
class _CrampHold:
    """A cramp raised on ``channel`` at frame ``alert`` and seen to end at frame ``ended``.

    Its resting baseline ``rest`` (µV, the baseline at the alert) stays the channel's
    reference, as an upper bound, while it cramps and after it until the baseline is back at
    or below it, ``rest_hold_s`` have passed, or a lead-off ends it (``released``).
    """

    channel: int
    rest: float
    alert: int
    ended: int | None = None
    released: bool = False


def _dips_over(rest: np.ndarray, carried: int, k: int) -> tuple[np.ndarray, int]:
    """(indnight) Where a dip ended: indices that are not ``rest`` right after ``k`` or more
    ``rest`` frames in a row (``carried`` of them before index 0), and the count of ``rest``
    frames in a row carried on past the last index."""
    idx = np.arange(rest.shape[0])
    last_break = np.maximum.accumulate(np.where(~rest, idx, -1))
    count = np.where(last_break >= 0, idx - last_break, carried + idx + 1)
    prev = np.concatenate([[carried], count[:-1]])
    return ~rest & (prev >= k), int(count[-1]) if count.size else carried


def _relaxations(win: np.ndarray, relax: float) -> np.ndarray:
    """cases (session 23): per row of ``win`` (100 ms envelope over the baseline, the frames
    of a window oldest first), how many separate dips to ``relax`` x the baseline or below
    it holds (a dip under way at the window's first frame counts; unknown frames, NaN, are
    no dip)."""
    with np.errstate(invalid="ignore"):
        down = win <= relax
    starts = down[:, 1:] & ~down[:, :-1]
    return starts.sum(axis=1) + down[:, 0]


def _windows_ending(x: np.ndarray, end: np.ndarray, k: int) -> np.ndarray:
    """(rows, m, k): the ``k``-frame windows of ``x`` (rows, T) ending before each exclusive
    index of ``end`` (m,), NaN where a window reaches back before ``x`` begins."""
    pad = max(0, k - int(end.min()))
    if pad:
        x = np.concatenate([np.full((x.shape[0], pad), np.nan), x], axis=1)
    return windows(x, k)[:, end + pad - k]


class CrampDetector:
    """Detect cramps on each channel from envelope levels and their baseline.

    Parameters
    ----------
    n_channels : int
        Number of channels.
    hop_s : float
        Frame spacing in s.
    settings : DetectorSettings
        Thresholds (see :func:`~crampdetect.detect.settings.profile_settings`).
    """

    def __init__(
        self,
        n_channels: int,
        hop_s: float,
        settings: DetectorSettings,
        gate: Callable[[np.ndarray], np.ndarray] | None = None,
    ) -> None:
        self.n_channels = n_channels
        self.hop_s = hop_s
        self.settings = settings
        #: Optional learned gate: rows of CANDIDATE_FEATURES -> accept (bool) per row, asked
        #: where the rules are unsure (fast and quiet paths, before the slow path).
        self.gate = gate
        #: When a list, every unsure candidate is appended as (channel, frame, features).
        self.candidate_log: list[tuple[int, int, np.ndarray]] | None = None
        #: When a list, every alert is appended as (channel, frame, ALERT_FEATURES row).
        self.alert_log: list[tuple[int, int, np.ndarray]] | None = None
        #: Probability that an alert is a cramp, from its ALERT_FEATURES by name.
        self.confidence = load_confidence()
        s = settings
        fr = 1.0 / hop_s
        self._w = max(WINDOW_MIN_FRAMES, round(s.window_s * fr))
        self._persist = max(1, round(s.persist_s * fr))
        self._relax_w = max(2, round(s.relax_window_s * fr))
        self._gap = max(1, round(s.gap_s * fr))
        self._end = max(1, round(s.end_s * fr))
        self._hist_len = round(HISTORY_S * fr)
        self._settle_n = max(1, round(s.settle_s * fr))
        self._settle_gait_n = max(2, round(s.settle_gait_s * fr))
        self._held_n = max(2, round(s.held_s * fr))  # exert
        self._held_pre_n = max(1, round(s.pre_run_s * fr))  # exert: the span before it
        self._held_start_n = round(s.held_start_s * fr)  # exert
        self._settle_start_n = round(s.settle_start_s * fr)  # startfa
        self._held_s: np.ndarray | None = None  # rebase2: see update
        self._own_effort_n = round(s.own_effort_s * fr)  # startfa
        self._stand_effort_n = round(s.stand_effort_s * fr)  # demofa
        # exert2: the shorter held span straight out of gait, and where the gait may have ended
        self._held_gait_n = max(2, round(s.held_gait_s * fr))
        self._held_rest_gait_n = round(s.held_rest_gait_s * fr)  # heldrest (session 25)
        self._stop_n = max(2, round(s.stop_s * fr))  # gaitrun (session 17)
        self._stop_after_n = round(s.stop_after_s * fr)
        self._stop_pre_n = round(s.stop_pre_s * fr)
        self._settle_after_n = round(s.settle_after_s * fr)
        # gaitcramp: a stride's window, how long gaps stay closed, and how far back to look
        self._gap_w = max(2, round(s.settle_gap_stride_s * fr))
        self._gap_n = max(1, round(s.settle_gap_s * fr))
        self._gap_look = self._settle_n + self._settle_after_n
        self._gap_stride_n = max(2, round(GAP_STRIDES * s.settle_gap_stride_s * fr))
        self._swing_w = max(2, round(s.fast_s * fr))  # night: the plateau test's window
        self._hold_w = max(2, round(s.hold_s * fr))  # night: the hold test's window
        self._hold_k = min(self._hold_w, max(1, round(HOLD_SMOOTH_S * fr)))
        self._hold_ctx = round(HOLD_CONTEXT_S * fr)
        # nightfa: a burst that ended: one of a movement's length (a twitch is shorter)
        self._turn_w = max(2, round(s.turn_other_s * fr))
        self._move_k = min(self._turn_w, max(1, round(s.movement_min_s * fr)))
        lo, hi = (round(x * fr) for x in STRIDE_LAGS_S)
        self._stride_lags = np.arange(max(1, lo), min(hi, self._settle_gait_n - 1) + 1)
        # indgait: running's strides only (a leg's stride period at most held_gait_stride_s)
        run_hi = min(hi, round(s.held_gait_stride_s * fr), self._settle_gait_n - 1)
        self._run_lags = np.arange(max(1, lo), max(max(1, lo), run_hi) + 1)
        # trainfa: the fast and slow paths' gait test
        self._gait_w = max(2, round(s.gait_window_s * fr))
        self._gait_lags = np.arange(max(1, lo), min(hi, self._gait_w - 1) + 1)
        #: The context of no run (before anything was seen).
        self._no_context = _RunContext(
            np.zeros((n_channels, 1)),
            np.full(1, np.nan),
            np.zeros(1),
            np.full((n_channels, 1), np.nan),
        )
        self.reset()

    def reset(self) -> None:
        c = self.n_channels
        self._ch = [_Channel(k) for k in range(c)]
        self._next_id = 1
        self._frame = 0
        self.interrupted: dict[int, tuple[float, float]] = {}
        self._h_level = np.zeros((c, 0))  # 250 ms level history (window stats)
        self._h_fast = np.zeros((c, 0))  # 100 ms level history (onset backtracking)
        self._h_base = np.zeros((c, 0))
        self._h_ref = np.zeros((c, 0))
        self._h_tkeo = np.zeros((c, 0))
        self._art = FrameFlags(c, self._hist_len)  # artefact flags given as arrays
        self._art_now = self._art  # those of the current update
        self._h_blk = np.zeros((c, 0), dtype=bool)  # (miss) lead-off frames
        self._holds: list[_CrampHold] = []  # rebase
        self._cramping = np.zeros((c, 0), dtype=bool)  # rebase: of the current part
        self._part_start = 0  # rebase
        # standmem: the level (µV) each leg last stood at (both legs at a standing level), and
        # per frame of the current part (column 0: the frame before it)
        self._stand_mem = np.full(c, np.nan)
        self._stand_at = np.full((c, 1), np.nan)
        # restref: each leg's rest floor as min(log baseline - g x frame), g = hop / tau
        self._rest_m = np.full(c, np.inf)
        self._rest_at = np.full((c, 0), np.nan)  # per frame of the current part (µV)
        # standslow: the frames (and each leg's level there) at which both legs stood, the
        # last learned_stand_s + learned_stand_lag_s of them; _ls_fx, _ls_vx: the current part's too
        self._ls_f = np.zeros(0, dtype=np.int64)
        self._ls_v = np.zeros((c, 0))
        self._ls_fx, self._ls_vx = self._ls_f, self._ls_v

    # -- public -------------------------------------------------------------------------------
    def state(self, channel: int) -> str:
        """The channel's :class:`State` name after the frames seen so far."""
        return self._ch[channel].state.value

    def watch_recurrence(self, channel: int, until_frame: int) -> None:
        """Make ``channel`` more sensitive until ``until_frame`` (recurrence watch)."""
        ch = self._ch[channel]
        ch.recurrence_until = max(ch.recurrence_until, until_frame)
        ch.cramped_until = max(ch.cramped_until, until_frame)  # a cramp reported from outside
        self._settle(ch)

    #: Every transition taken, as (channel, frame, Transition), when a list (for tests).
    transition_log: list[tuple[int, int, Transition]] | None = None

    def update(
        self,
        start: int,
        level_fast: np.ndarray,
        level: np.ndarray,
        base: np.ndarray,
        blocked: np.ndarray,
        artefact: np.ndarray | FrameFlags,
        reference: np.ndarray | None = None,
        tkeo: np.ndarray | Callable[[int, int], np.ndarray] | None = None,
        untrusted: np.ndarray | None = None,
        interrupted: np.ndarray | None = None,
        held: np.ndarray | None = None,
    ) -> list[FrameEvent]:
        """Process frames ``start .. start + n``; all arrays (n_channels, n).

        ``level_fast``/``level`` are 100/250 ms envelopes (µV), ``base`` the resting baseline
        (µV, NaN while unknown), ``blocked`` frames with lead-off, ``artefact`` frames with
        pops, wander or a motion-artefact spectrum (or :class:`FrameFlags` holding them from
        ``HISTORY_S`` before ``start`` on, read where needed), ``reference`` the strongest
        recent activity (µV) or the calibrated maximum, ``tkeo`` the mean Teager-Kaiser energy per
        frame (µV², raw EMG only; or ``tkeo(lo, hi)`` giving those of frames ``lo .. hi - 1``
        from ``HISTORY_S`` before ``start`` on, called only where read) used to place onsets,
        ``untrusted`` frames under a quality flag (no alert is raised from them),
        ``interrupted`` frames under a lasting flag (activity there starts or continues no run),
        ``held`` (rebase2) the length (s) of a stretch of activity whose re-base the baseline
        tracker holds (``rebase_swing``; 0 elsewhere): the weak path's late ``long`` candidates.

        (rebase) A channel's resting baseline is
        held at its value at the alert while it cramps (a cramp of minutes is not a new
        rest: the baseline tracker would re-base to it), and the other legs know it cramps.
        Both follow from the frames' own alerts and ends: the frames are processed in parts
        cut where what a part assumed of them turns out different (an alert, an end), so the
        result does not depend on block boundaries.
        """
        args = [
            *(level_fast, level, base, blocked, artefact, reference, tkeo, untrusted),
            *(interrupted, held),
        ]
        s = self.settings
        if s.rest_hold_s <= 0 and s.other_cramp_s <= 0:
            return self._update_part(start, args)
        n = level.shape[1]
        events: list[FrameEvent] = []
        done = 0
        while done < n:
            part = [_frames(a, done, n) for a in args] if done else args
            # a part can differ only after its first frame: one frame (live) needs no snapshot
            snap = self._snapshot() if n - done > 1 else None
            held = bool(self._holds)
            used, cramping = self._cramp_view(start + done, part[2], part[3])
            self._cramping = cramping
            alerted = self._alerted(start + done + np.arange(n - done)) if held else None  # turnfa
            part_events = self._update_part(start + done, [*part[:2], used, *part[3:]])
            if not held and not self._holds:  # no hold before the part nor after it: no view
                events.extend(part_events)  # can differ, none to release (the usual frame)
                break
            if alerted is None:
                alerted = np.zeros((self.n_channels, n - done), dtype=bool)
            true, true_cramping = self._cramp_view(start + done, part[2], part[3])
            differ = (true != used) & ~(np.isnan(true) & np.isnan(used))
            differ = (differ | (true_cramping != cramping)).any(axis=0)
            # turnfa: an alert or end seen within the part changes what later frames see
            differ |= (self._alerted(start + done + np.arange(n - done)) != alerted).any(axis=0)
            if not differ.any():
                self._release(start + done, part[2], part[3])
                events.extend(part_events)
                break
            k = int(np.argmax(differ))  # an alert or end changes only later frames
            if k == 0 or snap is None:
                raise RuntimeError("a cramp hold changed the frame it was taken at")
            self._restore(snap)
            part = [_frames(a, 0, k) for a in part]
            used, self._cramping = self._cramp_view(start + done, part[2], part[3])
            events.extend(self._update_part(start + done, [*part[:2], used, *part[3:]]))
            self._release(start + done, part[2], part[3])
            done += k
        return events

    # -- rebase: the cramp-aware resting baseline -----------------------------------------------
    def _cramp_view(
        self, start: int, base: np.ndarray, blocked: np.ndarray, released: list | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """For frames ``start ..`` of ``base`` (µV, (n_channels, n)): the resting baseline
        with every held cramp rest applied, and where each channel cramps, from the known
        holds. Appends to ``released`` the holds whose rest is released within the frames."""
        if not self._holds:
            return base, np.zeros(base.shape, dtype=bool)
        n = base.shape[1]
        frames = start + np.arange(n)
        eff = base.copy()
        cramping = np.zeros(base.shape, dtype=bool)
        after = round(self.settings.rest_hold_s / self.hop_s)
        join = round(self.settings.other_cramp_after_s / self.hop_s)
        for h in self._holds:
            c = h.channel
            cramping[c] |= (frames > h.alert + join) & (
                frames <= (h.ended if h.ended is not None else frames[-1])
            )
            if h.released:
                continue
            if self.settings.rest_hold_s <= 0:  # no hold: only what the other legs know
                if released is not None:
                    released.append(h)
                continue
            live = frames >= h.alert
            stop = blocked[c] & live  # a lead-off: a new contact, a new rest
            if h.ended is not None:  # over: back at its old rest, or a new one after rest_hold_s
                gone = frames >= h.ended
                stop |= gone & ((base[c] <= h.rest) | (frames >= h.ended + after))
            first = int(np.argmax(stop)) if stop.any() else n
            eff[c, :first] = np.where(
                live[:first], np.minimum(eff[c, :first], h.rest), eff[c, :first]
            )
            if first < n and released is not None:
                released.append(h)
        return eff, cramping

    # turnfa: a leg in a cramp is not turning over
    def _alerted(self, frames: np.ndarray) -> np.ndarray:
        """(n_channels, len(frames)): each channel is in a cramp the detector raised (after
        its alert frame, up to ``turn_decay_s`` after its end)."""
        out = np.zeros((self.n_channels, frames.shape[0]), dtype=bool)
        decay = self._decay_frames  # nightmove: ... and while it relaxes after its end
        for h in self._holds:
            end = frames[-1] if h.ended is None else h.ended + decay
            out[h.channel] |= (frames > h.alert) & (frames <= end)
        return out

    # nightmove: a cramp's own relaxation after its end is not turning over
    @property
    def _decay_frames(self) -> int:
        """Frames after a raised cramp's end during which its leg still counts as in it
        for the turnover test (``turn_decay_s``)."""
        return round(self.settings.turn_decay_s / self.hop_s)

    def _other_cramping(self, c: int, frames: np.ndarray) -> np.ndarray:
        """At ``frames`` (of the current part): another leg than ``c`` is in a cramp the
        detector raised and still contracted (250 ms envelope >= ``off_ratio`` x its rest)."""
        k = frames - self._ext_start
        cramps = self._cramping[:, frames - self._part_start]
        with np.errstate(invalid="ignore"):
            up = self._ext_level[:, k] >= self.settings.off_ratio * self._ext_base[:, k]
        cramps[c] = False
        return (cramps & up).any(axis=0)

    def _release(self, start: int, base: np.ndarray, blocked: np.ndarray) -> None:
        """After a part: mark the holds released within it; forget those over and released."""
        released: list[_CrampHold] = []
        self._cramp_view(start, base, blocked, released)
        for h in released:
            h.released = True
        end = start + base.shape[1] - self._decay_frames  # nightmove: kept while it relaxes
        self._holds = [
            h for h in self._holds if not (h.released and h.ended is not None and h.ended < end)
        ]

    def _snapshot(self) -> tuple:
        """The state :meth:`_update_part` changes, for :meth:`_restore`."""
        logs = (self.transition_log, self.candidate_log, self.alert_log)
        return (
            [copy.copy(ch) for ch in self._ch],
            [None if ch.cramp is None else ch.cramp.end_frame for ch in self._ch],
            [copy.copy(h) for h in self._holds],
            self._next_id,
            self._frame,
            (self._h_level, self._h_fast, self._h_base, self._h_ref),
            (self._h_tkeo, copy.copy(self._art), self._h_blk, self._stand_mem.copy()),
            (self._rest_m.copy(), self._ls_f, self._ls_v),
            [None if x is None else len(x) for x in logs],
        )

    def _restore(self, snap: tuple) -> None:
        chs, ends, holds, self._next_id, self._frame, h1, h2, rest, lens = snap
        self._rest_m, self._ls_f, self._ls_v = rest
        for ch, end in zip(chs, ends, strict=True):
            if ch.cramp is not None:
                ch.cramp.end_frame = end
        self._ch, self._holds = chs, holds
        self._h_level, self._h_fast, self._h_base, self._h_ref = h1
        self._h_tkeo, self._art, self._h_blk, self._stand_mem = h2  # (FrameFlags.extend rebinds)
        for log, k in zip(
            (self.transition_log, self.candidate_log, self.alert_log), lens, strict=True
        ):
            if log is not None and k is not None:
                del log[k:]

    def _update_part(self, start: int, arrays: list) -> list[FrameEvent]:
        """Process frames ``start .. start + n``: :meth:`update` for one part, with
        ``arrays`` its arrays in order (the baseline with the cramp holds applied)."""
        level_fast, level, base, blocked, artefact, reference, tkeo, untrusted = arrays[:8]
        interrupted = arrays[8]
        self._held_s = arrays[9] if len(arrays) > 9 else None  # rebase2
        n = level.shape[1]
        self._frame = start + n
        self._part_start = start  # rebase
        if n == 0:
            return []
        s = self.settings
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.where(np.isnan(base), 0.0, level_fast / base)
        if s.ref_fraction > 0 and reference is not None:
            # Training: activity below a fraction of the strongest recent activity (standing
            # against gait bursts) is posture, not a contraction to watch.
            ratio = np.where(level_fast >= s.ref_fraction * reference, ratio, 0.0)
        on = self._hysteresis(ratio, blocked if interrupted is None else blocked | interrupted)
        if not isinstance(artefact, FrameFlags):
            self._art.extend(start, artefact)
            artefact = self._art
        self._art_now = artefact
        stats = LazyStats(
            lambda lo, hi: self._window_stats(start, level, level_fast, base, artefact, lo, hi), n
        )
        stats["base"] = base
        stats["ref"] = np.zeros_like(level) if reference is None else reference
        stats["untrusted"] = np.zeros(level.shape, bool) if untrusted is None else untrusted
        self._ext_fast = np.concatenate([self._h_fast, level_fast], axis=1)
        self._ext_level = np.concatenate([self._h_level, level], axis=1)
        self._ext_base = np.concatenate([self._h_base, base], axis=1)
        self._ext_ref = np.concatenate([self._h_ref, stats["ref"]], axis=1)
        self._tkeo_at = tkeo if callable(tkeo) else None
        if self._tkeo_at is None:
            tk = np.zeros_like(level) if tkeo is None else tkeo
            self._ext_tk = np.concatenate([self._h_tkeo, tk], axis=1)
        else:
            self._ext_tk = None  # asked for where read (_ext_tkeo)
        self._ext_blk = np.concatenate([self._h_blk, blocked], axis=1)
        self._ext_start = start - self._h_fast.shape[1]
        self._stand_at = self._standing_memory(n)  # standmem
        if s.rest_floor_tau_s > 0:  # restref (training)
            self._rest_at = self._rest_floor(start, base)
            if s.learned_stand_s > 0:  # standslow (training)
                self._learn_standing(start, n)
        stats["settle"] = self._settled(n, base, stats["ref"])
        stats["held"] = self._held(n, base, stats["ref"])  # exert
        if s.stop_s > 0 and s.rest_floor_tau_s > 0:  # gaitrun: kept up out of running
            stats["stop"] = self._stopped(n, stats["ref"])
            stats["held"] = stats["held"] | stats["stop"]
        if s.weak_low_uv > 0 and s.weak_low_move > 0 and s.series_wait_s > 0:
            self._low_moves_scan(start, n)  # nightweak2
        events: list[FrameEvent] = []
        first_id = self._next_id
        for c in range(self.n_channels):
            events.extend(self._channel(c, start, on[c], level_fast[c], base[c], blocked[c], stats))
            self._settle(self._ch[c])
        self._keep_history(level, level_fast, base)
        if s.learned_stand_s > 0 and s.rest_floor_tau_s > 0:  # standslow: keep what is needed
            keep = round((s.learned_stand_s + s.learned_stand_lag_s) / self.hop_s)
            self._ls_f, self._ls_v = self._ls_fx[-keep:], self._ls_vx[:, -keep:]
        self._number_in_time_order(events, first_id)
        return events

    def _settled(self, n: int, base: np.ndarray, ref: np.ndarray) -> np.ndarray:
        """Frames (n_channels, n) at which the settle path's contraction test holds: after
        gait, ``settle_s`` above ``settle_floor`` x the activity reference, strong over rest,
        and on one leg (see :class:`~crampdetect.detect.settings.DetectorSettings`)."""
        s = self.settings
        if s.settle_s <= 0:
            return np.zeros((self.n_channels, n), dtype=bool)
        before, now, lowest, median = settled_after_gait(
            self._ext_fast,
            n,
            self._settle_n,
            self._settle_gait_n,
            self._stride_lags,
            round(s.settle_after_s / self.hop_s),
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            up = (
                (before >= s.settle_rhythm)
                & (ref > 0)
                & (lowest >= s.settle_floor * ref)
                & (median >= s.strong_ratio * base)
                # train: the gait is over on every leg (no stride rhythm since), and the
                # contraction did not relax relative to its own level
                & (now.max(axis=0) < s.settle_rhythm_now)
                & (lowest >= s.settle_relax * median)
            )
            rel = np.where(ref > 0, median / ref, 0.0)
        up &= self._one_leg(rel)
        if s.settle_start_s > 0:
            # startfa: as on the held path, the activity reference must first have seen the
            # session's exertion, not only the walking (or one leg's raises) it opened on.
            up &= (self._frame - n + np.arange(n) >= self._settle_start_n)[None, :]
        return up

    def _one_leg(self, rel: np.ndarray, factor: float | None = None) -> np.ndarray:
        """Where each leg's relative level (n_channels, n) stands ``factor`` (default
        ``settle_one_leg``) x over every other leg's (all True with one channel)."""
        if self.n_channels < 2:
            return np.ones(rel.shape, dtype=bool)
        order = np.sort(rel, axis=0)
        # every other leg's maximum: the top one, or the second for the top leg itself
        top, second = order[-1], order[-2]
        others = np.where(rel == top, second, top)
        return rel >= (self.settings.settle_one_leg if factor is None else factor) * others

    # exert: a contraction held on one leg without relaxing or stride rhythm
    def _held(self, n: int, base: np.ndarray, ref: np.ndarray) -> np.ndarray:
        """Frames (n_channels, n) at which the ``held`` path's test holds: over the last
        ``held_s`` the 100 ms envelope stayed above ``held_floor`` x the activity reference
        and ``held_relax`` x its own mean (both above the resting offset, ``rest_offset``),
        which stood ``off_ratio`` x over rest, and had been below that in the ``pre_run_s``
        before; without the stride rhythm on any leg, on one of two or more legs (see
        :class:`~crampdetect.detect.settings.DetectorSettings`). (exert2) Straight out of
        gait the same test over the shorter ``held_gait_s`` will do; (indgait) straight out
        of running's strides, a lower but steadier level on one leg too."""
        s = self.settings
        up = np.zeros((self.n_channels, n), dtype=bool)
        if s.held_s <= 0 or self.n_channels < 2:  # one leg only: its other leg is unknown
            return up
        up = self._held_over(n, base, ref, self._held_n, rest=True)
        if s.held_gait_s > 0:  # exert2: a runner stopped by a cramp, not a hold ramped up
            short = self._held_over(n, base, ref, self._held_gait_n)
            cand = np.flatnonzero(short.any(axis=0))
            if cand.size:
                short[:, cand] &= self._after_gait(n, self._held_gait_n)[:, cand]
            up |= short
        if s.held_gait_s > 0 and s.held_gait_level > 0:
            # indgait: or a weaker cramp standing steadily at a third of its leg's bursts
            # straight out of running (after walking, standing may stand that high)
            steady = self._held_over(n, base, ref, self._held_gait_n, steady=True)
            cand = np.flatnonzero(steady.any(axis=0))
            if cand.size:
                ran = self._after_gait(n, self._held_gait_n, self._run_lags)
                steady[:, cand] &= ran[:, cand]
            up |= steady
        return up

    # gaitrun (session 17): after a long run the resting baseline learned it (no run opens
    # after the stop); the rest floor did not. A cramp that stops a runner keeps its leg up
    # over that floor while the other leg drops to standing or rest.
    def _stopped(self, n: int, ref: np.ndarray) -> np.ndarray:
        """Frames (n_channels, n) at which a leg stayed up over the last ``stop_s`` straight
        out of running on two or more legs, judged over its rest floor and on the activity
        reference's scale, on one leg (``stop_*``, see
        :class:`~crampdetect.detect.settings.DetectorSettings`)."""
        s = self.settings
        if s.held_s <= 0 or self.n_channels < 2:  # as the held path: one leg only
            return np.zeros((self.n_channels, n), dtype=bool)
        k, g = self._stop_n, self._settle_gait_n
        x = self._ext_fast[:, -(n + g + k - 1) :]
        if x.shape[1] < n + g + k - 1:  # history not reaching back: not up (yet)
            pad = np.full((x.shape[0], n + g + k - 1 - x.shape[1]), np.nan)
            x = np.concatenate([pad, x], axis=1)
        w = windows(x[:, g:], k)  # (C, n, k): the span
        rest = self._rest_at  # (C, n); NaN while no baseline was seen
        floor = s.rest_offset * np.nan_to_num(rest)
        above, top = w.mean(axis=2) - floor, ref - floor
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(top > 0, above / top, 0.0)
            up = (top > 0) & (rel >= s.stop_level) & (above >= s.stop_rest * rest)
        up &= self._one_leg(rel, s.stop_one_leg)
        up &= (self._frame - n + np.arange(n) >= self._held_start_n)[None, :]
        cand = np.flatnonzero(up.any(axis=0))
        if not cand.size:
            return up
        # rare: the rest only where the level tests hold. The lowest frame over the span and
        # the stop_pre_s before it (the last strides' gaps had closed); each leg's mean over
        # the settle_gait_s before the span (the running) against its mean over the span.
        p, f = self._stop_pre_n, floor[:, cand]
        lowest = windows(x[:, g - p :], k + p)[:, cand].min(axis=2) - f
        before = windows(x[:, : n + g - 1], g)[:, cand].mean(axis=2) - f
        a = above[:, cand]
        with np.errstate(invalid="ignore"):
            kept = (lowest >= s.stop_relax * a) & (a >= s.stop_stay * before)  # stayed up
            dropped = a <= s.stop_drop * before  # ... the other legs dropped
        others = np.stack([np.delete(dropped, c, axis=0).all(axis=0) for c in range(len(up))])
        ran = self._after_gait(n, k, self._run_lags, self._stop_after_n)[:, cand]
        rhythm = stride_rhythm(w[:, cand], self._stride_lags)
        with np.errstate(invalid="ignore"):
            active = a >= s.gait_other_fraction * top[:, cand]
        up[:, cand] &= kept & others & ran & (ran.sum(axis=0) >= 2)[None, :]
        up[:, cand] &= ~self._rhythm_is_gait(rhythm, active)
        return up

    def _held_over(
        self,
        n: int,
        base: np.ndarray,
        ref: np.ndarray,
        k: int,
        steady: bool = False,
        rest: bool = False,
    ) -> np.ndarray:
        """The ``held`` test (see :meth:`_held`) over the last ``k`` frames; with ``steady``
        (indgait) its level and one-leg tests pass the lower, steadier way instead
        (``held_gait_level``, ``held_gait_relax``, ``held_gait_one_leg``); with ``rest``
        (trainmiss, heldrest) the floor beside legs at rest, straight after striding
        (``held_rest_floor``, ``held_rest_even``, ``held_rest_gait_s``)."""
        s = self.settings
        pre = self._held_pre_n
        x = self._ext_fast[:, -(n + pre + k - 1) :]
        if x.shape[1] < n + pre + k - 1:  # history not reaching back: not held (yet)
            pad = np.full((x.shape[0], n + pre + k - 1 - x.shape[1]), np.nan)
            x = np.concatenate([pad, x], axis=1)
        w = windows(x[:, pre:], k)  # (C, n, k): the held span
        before = windows(x[:, : n + pre - 1], pre)  # (C, n, pre): the span before it
        # Judged on what stands above the resting offset (ENV rests on one; raw EMG: 0).
        floor = s.rest_offset * np.nan_to_num(base)
        lowest, mean = w.min(axis=2) - floor, w.mean(axis=2)
        above, top = mean - floor, ref - floor
        with np.errstate(invalid="ignore", divide="ignore"):
            up = (top > 0) & (
                # it rose within view: the leg was lower (gait's troughs, rest, the pause
                # after a hold) just before; a recording may start inside a contraction
                before.min(axis=2) - floor < s.held_relax * above
            )
            rel = np.where(top > 0, above / top, 0.0)
            if steady:  # indgait: a third of its gait bursts, never below ~half of it, judged
                # against the reference alone (the gait has raised the resting baseline)
                held = (above >= s.held_gait_level * top) & (lowest >= s.held_gait_relax * above)
                held &= self._one_leg(rel, s.held_gait_one_leg)
            else:
                floored = lowest >= s.held_floor * top
                if rest and s.held_rest_floor > 0:
                    floored |= self._held_rest(n, k, w, before, floor, base, top, floored)
                held = floored & (lowest >= s.held_relax * above)
                held &= (mean >= s.off_ratio * base) & self._one_leg(rel)
        up &= held
        # the activity reference has had time to see the session's exertion, not just the
        # posture (or the one leg's hold) the stream opened on
        up &= (self._frame - n + np.arange(n) >= self._held_start_n)[None, :]
        cand = np.flatnonzero(up.any(axis=0))
        if cand.size:  # rare: the stride rhythm only where the level test holds
            rhythm = stride_rhythm(w[:, cand], self._stride_lags)  # (C, m)
            if s.gait_other_fraction > 0:  # gaitcramp: one leg's rhythm alone is no gait
                with np.errstate(invalid="ignore"):
                    active = above[:, cand] >= s.gait_other_fraction * top[:, cand]
                up[:, cand] &= ~self._rhythm_is_gait(rhythm, active)
            else:
                up[:, cand] &= (rhythm.max(axis=0) < s.settle_rhythm_now)[None, :]
        return up

    # trainmiss (session 24), heldrest (session 25): a cramp kept up on one leg beside a leg
    # at rest waxes and wanes down to 0.13-0.2 of its reference, under held_floor
    def _held_rest(self, n, k, w, before, floor, base, top, floored) -> np.ndarray:
        """Per leg and new frame (C, n): where the ``held`` span of ``k`` frames (``w``, C, n, k;
        the ``pre_run_s`` before it ``before``; levels over the resting offset ``floor``, the
        activity reference over it ``top``) passes the lower floor ``held_rest_floor`` x that
        reference where ``floored`` did not: every other leg stayed at rest (mean under
        ``off_ratio`` x its baseline), the span's two halves stand even (``held_rest_even``),
        with ``held_rest_gait_s`` the leg had the stride rhythm within that long before the
        span (``_after_gait``), and with ``held_rest_quiet`` it rose out of rest: its mean over
        the ``pre_run_s`` before the span stood under that fraction of its mean over the span
        (standing straight out of running does not: its last strides are in that span)."""
        s = self.settings
        mean = w.mean(axis=2)
        above = mean - floor
        at_rest = mean < s.off_ratio * base
        others_rest = at_rest.sum(axis=0)[None, :] - at_rest >= self.n_channels - 1
        with np.errstate(invalid="ignore"):
            low = others_rest & ~floored & (w.min(axis=2) - floor >= s.held_rest_floor * top)
            if s.held_rest_quiet > 0:
                low &= before.mean(axis=2) - floor < s.held_rest_quiet * above
        if not low.any():
            return low
        # a contraction as high over the span's first half as over its second (a hold
        # stepped up out of standing is not)
        h = k // 2
        a, b = w[:, :, :h].mean(axis=2) - floor, w[:, :, h:].mean(axis=2) - floor
        with np.errstate(invalid="ignore"):
            low &= np.minimum(a, b) >= s.held_rest_even * np.maximum(a, b)
        cand = np.flatnonzero(low.any(axis=0))
        if s.held_rest_gait_s > 0 and cand.size:  # rare: the gait only where the rest holds
            low[:, cand] &= self._after_gait(n, k, after=self._held_rest_gait_n)[:, cand]
        return low

    # gaitcramp (session 13): a cramp in gait closes the gaps between that leg's strides
    def _gaps_closed(self, c: int, idx: np.ndarray) -> np.ndarray:
        """Per frame ``idx`` (indices into the extended arrays): whether, within the
        ``settle_s`` + ``settle_after_s`` up to it, leg ``c``'s lowest 100 ms level over
        every ``settle_gap_stride_s`` window stood at ``settle_gap_ratio`` x its highest
        there for ``settle_gap_s``, while another leg strode: over ``GAP_STRIDES`` such
        windows' span each window had its gap below that ratio and reached
        ``ref_fraction`` x the leg's activity reference (strides, not standing's sway);
        and leg ``c`` itself strode so before (a hold begun from standing has no gaps to
        lose; a single step up leaves one window span of low ratios, not two)."""
        s = self.settings
        w, k, j, look = self._gap_w, self._gap_n, self._gap_stride_n, self._gap_look
        k0 = max(k, j)
        span = look + k0 + w - 2  # frames before each one that the test reads
        out = np.zeros(idx.size, dtype=bool)
        ok = np.flatnonzero(idx >= span)  # history reaching back far enough
        if ok.size == 0 or self.n_channels < 2:
            return out
        at = idx[ok][:, None] + np.arange(-span, 1)[None, :]  # (m, span + 1)
        x = self._ext_fast[:, at]  # (C, m, span + 1)
        m = at.shape[0]
        g = windows(x.reshape(-1, span + 1), w)  # (C m, look + k0 - 1, w)
        with np.errstate(invalid="ignore", divide="ignore"):
            top = g.max(axis=2).reshape(self.n_channels, m, -1)
            ratio = np.nan_to_num(g.min(axis=2).reshape(self.n_channels, m, -1) / top)
            flat = (ratio < s.settle_gap_ratio) & (
                top >= s.ref_fraction * self._ext_ref[:, at][:, :, w - 1 :]
            )
        striding = windows(flat.reshape(-1, flat.shape[2]), j).all(axis=2)
        striding = striding.reshape(self.n_channels, m, -1)[:, :, k0 - j :]  # (C, m, look)
        closed = windows(ratio[c], k).min(axis=2)[:, k0 - k :] >= s.settle_gap_ratio
        strode = np.maximum.accumulate(striding[c], axis=1)  # leg c strode first
        others = np.delete(striding, c, axis=0).any(axis=0)
        out[ok] = (closed & strode & others).any(axis=1)
        return out

    # gaitcramp: a leg is striding when its rhythm is a stride's and another leg strides too
    def _rhythm_is_gait(self, rhythm: np.ndarray, active: np.ndarray) -> np.ndarray:
        """Per leg and frame (C, m): gait, for the ``held`` path, from each leg's stride
        rhythm over the span (C, m) and whether its mean level there reached
        ``gait_other_fraction`` x its activity reference (``active``, C, m): some other leg
        has the rhythm (>= ``settle_rhythm_now``), or this one has and another active leg
        strides too (rhythm >= ``gait_other_rhythm``)."""
        s = self.settings
        striding = (rhythm >= s.gait_other_rhythm) & active
        rhythmic = rhythm >= s.settle_rhythm_now
        out = np.zeros(rhythm.shape, dtype=bool)
        for c in range(rhythm.shape[0]):
            others = np.arange(rhythm.shape[0]) != c
            out[c] = rhythmic[others].any(axis=0) | (rhythmic[c] & striding[others].any(axis=0))
        return out

    # exert2: when a cramp stops a runner, the cramped leg stays up straight out of its last
    # strides while the other leg drops to standing; a voluntary hold is ramped up from rest
    # or standing. So a held span that began at the end of that leg's gait needs no
    # voluntary hold's length.
    def _after_gait(
        self, n: int, k: int, lags: np.ndarray | None = None, after: int | None = None
    ) -> np.ndarray:
        """Per leg and new frame (n_channels, n): whether a ``settle_gait_s`` span ending up
        to ``settle_after_s`` before the ``k``-frame span that ends there had the stride
        rhythm (``settle_rhythm``; at ``lags``, frames, default every stride lag) on that
        leg, with its mean level over the span at least ``ref_fraction`` x its activity
        reference (gait bursts, not standing's postural sway, whose small swings can be
        rhythmic too); levels above the resting offset, ``rest_offset``. (gaitrun) ``after``
        (frames) in place of ``settle_after_s``."""
        s = self.settings
        g, a = self._settle_gait_n, self._settle_after_n if after is None else after
        m = n + a  # gait spans ending at the first frames of the held spans, and up to a before
        last = self._ext_fast.shape[1] - k + 1  # one past the last held span's first frame
        first = last - (m + g - 1)
        lo = max(first, 0)
        fast, base, ref = (
            np.pad(h[:, lo:last], ((0, 0), (lo - first, 0)), constant_values=np.nan)
            if last > lo
            else np.full((self.n_channels, m + g - 1), np.nan)
            for h in (self._ext_fast, self._ext_base, self._ext_ref)
        )
        floor = s.rest_offset * np.nan_to_num(base[:, g - 1 :])
        w = windows(fast, g)  # (C, m, g)
        with np.errstate(invalid="ignore"):
            active = w.mean(axis=2) - floor >= s.ref_fraction * (ref[:, g - 1 :] - floor)
        lags = self._stride_lags if lags is None else lags
        rhythm = np.where(active, stride_rhythm(w, lags), -np.inf)  # (C, m)
        return windows(rhythm, a + 1).max(axis=2) >= s.settle_rhythm

    def _number_in_time_order(self, events: list[FrameEvent], first_id: int) -> None:
        """Order the events of one update, and number the new ones, by (alert frame, channel),
        so that ids (here and the pipeline's stream-wide ones) do not depend on block cuts."""
        if not events:
            return
        new = sorted(
            {e.id: e for e in events if e.id >= first_id}.values(),
            key=lambda e: (e.alert_frame, e.channel),
        )
        ids = {e.id: first_id + k for k, e in enumerate(new)}
        events.sort(key=lambda e: (e.alert_frame, e.channel))  # stable: a start before its end
        if all(old == now for old, now in ids.items()):
            return
        for e in events:
            e.id = ids.get(e.id, e.id)
        for ch in self._ch:
            if ch.cramp is not None:
                ch.cramp.id = ids.get(ch.cramp.id, ch.cramp.id)

    def finish(self) -> list[FrameEvent]:
        """End of stream: end ongoing cramps at the last frame."""
        out = []
        for ch in self._ch:
            if ch.cramp is not None:
                ch.cramp.end_frame = self._frame
                out.append(ch.cramp)
                ch.cramp = None
            self._go(ch, Transition.INTERRUPT)
        self._holds = []  # rebase
        return out

    def interrupt(self) -> list[FrameEvent]:
        """A long gap in the data: end ongoing cramps and forget runs (no cramp spans a gap).

        The levels of the cramps ended here are kept in :attr:`interrupted` (channel ->
        (resting baseline, cramp level), µV) so that :meth:`resume` can reopen one that is
        still going on after the gap.
        """
        self.interrupted = {
            c: (ch.cramp_base, ch.cramp_level)
            for c, ch in enumerate(self._ch)
            if ch.state is State.CRAMP
        }
        out = self.finish()
        for ch in self._ch:
            ch.hyst, ch.last_on, ch.run_start, ch.low, ch.rest_low = False, _NEVER, -1, 0, 0
            ch.run_strong = 0
            ch.last_move_end, ch.move_seen = self._frame, False
            ch.moves = ()  # nightmove: a series is not known across a long gap
            ch.last_co = _NEVER
        return out

    def end_floor(self, channel: int) -> float:
        """Envelope (µV) below which the cramp interrupted on ``channel`` counts as relaxed."""
        base, level = self.interrupted[channel]
        s = self.settings
        return max(s.off_ratio * base, s.end_fraction * level)

    def resume(
        self, channel: int, onset: int, frame: int, detail: dict[str, float | str | bool]
    ) -> FrameEvent:
        """Reopen, as a new event from frame ``onset`` alerted at ``frame``, a cramp that a
        long gap interrupted and whose contraction goes on after it (the caller checked)."""
        base, level = self.interrupted.pop(channel)
        ch = self._ch[channel]
        ev = FrameEvent(
            "cramp", channel, onset, frame, None, RESUMED_CONFIDENCE, self._next_id, dict(detail)
        )
        ev.detail["level_uv"] = round(level, 1)
        self._next_id += 1
        ch.cramp, ch.cramp_base, ch.low, ch.rest_low, ch.dip_end = ev, base, 0, 0, _NEVER
        self._holds.append(_CrampHold(channel, base, frame))  # rebase
        self._go(ch, Transition.RESUME)
        ch.cramp_level, ch.end_base = level, self.settings.off_ratio * base
        ch.hyst, ch.last_on, ch.run_start, ch.run_strong = False, _NEVER, -1, 0
        return FrameEvent(**{f: getattr(ev, f) for f in ev.__slots__})

    # -- the state machine: the one place where a channel's state changes ----------------------
    def _go(self, ch: _Channel, transition: Transition) -> None:
        """Take ``transition`` on channel ``ch`` (only from the states it may leave)."""
        leave, enter = TRANSITIONS[transition]
        if ch.state not in leave:
            raise RuntimeError(f"transition {transition.value} from {ch.state.value}")
        if transition is Transition.INTERRUPT and ch.state is State.IDLE:
            return
        ch.state = enter
        if self.transition_log is not None:
            self.transition_log.append((ch.index, self._frame, transition))

    def _settle(self, ch: _Channel) -> None:
        """After a step: the transitions that follow from the run and the watch."""
        if ch.state is State.CRAMP:
            return
        active = ch.run_start >= 0 and self._frame - ch.last_on <= self._gap
        watched = self._frame < ch.recurrence_until
        if ch.state is State.SUSPECT and not active:
            self._go(ch, Transition.CALM_IN_WATCH if watched else Transition.CALM)
        if ch.state is State.RECOVERY and not watched:
            self._go(ch, Transition.WATCH_OVER)
        if ch.state is State.IDLE and watched:
            self._go(ch, Transition.WATCH)
        if active and ch.state is not State.SUSPECT:
            self._go(ch, Transition.ACTIVATE)

    # -- internals ----------------------------------------------------------------------------
    def _hysteresis(self, ratio: np.ndarray, blocked: np.ndarray) -> np.ndarray:
        s = self.settings
        n = ratio.shape[1]
        if n == 1:  # (speed) a live frame: on if up, off if down or blocked, else as it was
            up = (ratio >= s.on_ratio) & ~blocked
            down = blocked | (ratio < s.off_ratio)
            prev = np.array([[ch.hyst] for ch in self._ch])
            on = up | (prev & ~down)
            for c, ch in enumerate(self._ch):
                ch.hyst = bool(on[c, 0])
            return on
        ev = np.where(ratio >= s.on_ratio, 1, np.where((ratio < s.off_ratio) | blocked, 0, -1))
        ev[blocked] = 0
        idx = np.where(ev >= 0, np.arange(n), -1)
        last = np.maximum.accumulate(idx, axis=1)
        prev = np.array([ch.hyst for ch in self._ch])[:, None]
        held = ev[np.arange(ev.shape[0])[:, None], np.maximum(last, 0)]
        on = np.where(last >= 0, held == 1, prev)
        for c, ch in enumerate(self._ch):
            ch.hyst = bool(on[c, -1])
        return on

    def _window_stats(
        self,
        start: int,
        level: np.ndarray,
        fast: np.ndarray,
        base: np.ndarray,
        art: FrameFlags,
        lo: int,
        hi: int,
    ) -> dict[str, np.ndarray]:
        """Trailing-window statistics (see :func:`trailing_stats`) of the new frames
        ``lo .. hi - 1`` (indices into ``level``), all but the baseline."""
        h_level, h_fast = self._h_level, self._h_fast
        if lo:
            h_level = np.concatenate([h_level, level[:, :lo]], axis=1)
            h_fast = np.concatenate([h_fast, fast[:, :lo]], axis=1)
        a = start + lo
        back = min(h_level.shape[1], self._w - 1)  # the artefact history it reads
        stats = trailing_stats(
            h_level,
            level[:, lo:hi],
            h_fast,
            fast[:, lo:hi],
            art.frames(a - back, a),
            art.frames(a, start + hi),
            base[:, lo:hi],
            self._w,
            self._persist,
            self._relax_w,
            self.settings.relax_fraction,
            self.settings.rest_offset,
        )
        del stats["base"]
        return stats

    def _keep_history(self, level, fast, base) -> None:
        h = self._hist_len
        # (speed) the extended arrays hold the history then these very frames: no new copy
        self._h_level = self._ext_level[:, -h:]
        self._h_fast = self._ext_fast[:, -h:]
        self._h_base = self._ext_base[:, -h:]
        self._h_ref = self._ext_ref[:, -h:]
        if self._tkeo_at is None:
            self._h_tkeo = self._ext_tk[:, -h:]
        self._h_blk = self._ext_blk[:, -h:]

    @property
    def _ext_tkeo(self) -> np.ndarray:
        """The TKEO of the history and the current update's frames (asked for when first read)."""
        if self._ext_tk is None:
            self._ext_tk = self._tkeo_at(self._ext_start, self._frame)
        return self._ext_tk

    def _tkeo_of(self, c: int, idx: np.ndarray) -> np.ndarray:
        """The TKEO of channel ``c`` at ``idx`` (into the extended arrays): only their span
        asked for while :attr:`_ext_tkeo` is not (it is where an alert reads it)."""
        if self._ext_tk is not None or self._tkeo_at is None:
            return self._ext_tkeo[c][idx]
        lo, hi = int(idx.min()), int(idx.max()) + 1
        return self._tkeo_at(self._ext_start + lo, self._ext_start + hi)[c][idx - lo]

    def _channel(
        self,
        c: int,
        start: int,
        on: np.ndarray,
        fast: np.ndarray,
        base: np.ndarray,
        blocked: np.ndarray,
        stats: dict[str, np.ndarray],
    ) -> list[FrameEvent]:
        ch = self._ch[c]
        n = on.shape[0]
        out: list[FrameEvent] = []
        p = 0
        while p < n:
            if ch.state is State.CRAMP:
                s = self.settings
                floor = max(ch.end_base, s.end_fraction * ch.cramp_level)
                low = (fast[p:] < floor) | blocked[p:]
                assert ch.cramp is not None
                too_long = ch.cramp.alert_frame + round(s.max_cramp_s / self.hop_s)
                if too_long < start + n:  # give up: no cramp lasts this long (from too_long
                    low = low.copy()  # on, whichever block it fell in)
                    low[max(too_long - start - p, 0) :] = True
                q = self._end_index(ch, low)
                back = self._end - 1  # from the frame the end is seen at back to the end
                if s.end_rest_share > 0 and ch.cramp_level >= s.strong_ratio * ch.cramp_base:
                    # indnight: a strong contraction never returns to rest; a leg whose 100 ms
                    # envelope is back at its resting floor in end_rest_share of the last end_s
                    # is at rest (a single motor unit firing at rest lifts the frames it fires
                    # in above the end level; a weak cramp near the floor may dip to it)
                    r = self._rest_share_end(c, start + p, n - p)
                    if r is not None and (q is None or r[0] < q):
                        q, back = r[0], r[1]
                # trainend: a cramping leg does not stride; gait on it again ends the event
                strode = self._strides_again(c, start + p, n - p, q)
                # nightmiss2: the cramp after its precursor, far stronger than what was alerted
                e = self._escalation(c, start + p, fast[p:], blocked[p:])
                if e is not None and (q is None or e < q) and (strode is None or e < strode):
                    out.extend(self._escalate(c, start + p + e, float(base[p + e]), stats, p + e))
                    p = p + e + 1
                    continue
                # rehold (session 20): a doubted alert, then a contraction held past any hold
                h = self._reheld(c, start + p, stats["held"][c, p:], blocked[p:])
                if h is not None and all(x is None or h < x for x in (q, strode)):
                    out.extend(self._rehold(c, start + p + h, float(base[p + h]), stats, p + h))
                    p = p + h + 1
                    continue
                if strode is not None:  # trainend: the event ends at the first striding frame
                    i = strode
                    end = seen = start + p + i
                    how = Transition.RELAX
                elif q is None:
                    return out
                else:  # relaxed for end_s: the event ended where that began
                    i = q
                    seen = start + p + i
                    end = seen - back
                    how = Transition.GIVE_UP if seen >= too_long else Transition.RELAX
                out.append(self._close_event(c, end, seen, how))
                if strode is not None:
                    ch.recurrence_until = _NEVER  # a leg striding again is no leg to watch
                    ch.strode_until = end + round(s.strode_watch_s / self.hop_s)
                    ch.strode_level = ch.cramp_level
                ch.hyst, ch.last_on, ch.run_start = False, _NEVER, -1
                ch.run_strong = 0
                on = on.copy()
                on[p : p + i + 1] = False
                p = p + i + 1
                continue
            g = self._first_alert(c, start + p, on[p:], stats.row(c, p))
            if g is None:
                return out
            out.append(self._raise(c, start + p + g, float(base[p + g]), stats, p + g))
            p = p + g + 1
        return out

    def _rest_share_end(self, c: int, start: int, n: int) -> tuple[int, int] | None:
        """(indnight) First index of frames ``start .. start + n`` of channel ``c`` (in a cramp
        event) that stands above the resting floor (``weak_floor`` x the event's rest) after
        the 100 ms envelope stood below it in ``end_rest_share`` or more of the last ``end_s``
        of frames after the alert (a leg resting on, below the floor throughout, is left to
        ``end_s``), and how many frames before it the first of those lies (the end)."""
        ch, s = self._ch[c], self.settings
        assert ch.cramp is not None
        k, a = self._end, start - self._ext_start
        lo = max(0, a - k + 1)
        frames = self._ext_start + np.arange(lo, a + n)
        with np.errstate(invalid="ignore"):
            rest = self._ext_fast[c, lo : a + n] < s.weak_floor * ch.cramp_base
        rest &= frames > ch.cramp.alert_frame
        cum = np.concatenate([[0], np.cumsum(rest)])
        ends = np.arange(n) + (a - lo) + 1
        count = cum[ends] - cum[np.maximum(ends - k, 0)]
        # ... and again and again (REST_RETURNS stretches at the floor or more): a leg rising
        # out of a single dip to rest (a cramp after its precursor) is the escalation's
        starts = rest & ~np.concatenate([[False], rest[:-1]])
        cs = np.concatenate([[0], np.cumsum(starts)])
        returns = cs[ends] - cs[np.maximum(ends - k, 0)]
        hit = np.flatnonzero(
            (count >= s.end_rest_share * k) & (returns >= REST_RETURNS) & ~rest[a - lo :]
        )
        if not hit.size:
            return None
        j = int(hit[0]) + a - lo  # in rest
        w = max(j - k + 1, 0)
        return int(hit[0]), j - (w + int(np.argmax(rest[w : j + 1])))

    # nightmiss2: a prodrome, leg movement or turnover alerted, then the cramp it ran into
    def _escalation(self, c: int, start: int, fast: np.ndarray, blocked: np.ndarray) -> int | None:
        """Index in ``fast`` (frames ``start ..`` of channel ``c``, in a cramp event) where the
        leg has stood for ``escalate_s`` at ``escalate_ratio`` x the level its event was alerted
        at and at the level ``fast_s`` before (its ``escalate_s`` running mean: a jump, not a
        build-up or a creep), from ``escalate_after_s`` to ``escalate_within_s`` after that
        alert and while no other leg was up (turning over moves both); carries the count across
        blocks.
        """
        s, ch = self.settings, self._ch[c]
        n = fast.shape[0]
        if not ch.escalatable or ch.cramp is None or n == 0:
            return None
        fr = 1.0 / self.hop_s
        until = ch.cramp.alert_frame + round(s.escalate_within_s * fr)
        frames = start + np.arange(n)
        if s.escalate_rest_s > 0:
            # indnight: a cramp never returns to rest, however briefly: once the leg has been
            # back at its resting floor for escalate_rest_s, what rises next is a new
            # contraction, not the waxing of the one alerted: the window reopens from there
            rest = fast < s.weak_floor * ch.cramp_base
            ends, ch.rest_low = _dips_over(rest, ch.rest_low, round(s.escalate_rest_s * fr))
            dip_end = np.maximum.accumulate(np.where(ends, frames, ch.dip_end))
            new_dip = dip_end != np.concatenate([[ch.dip_end], dip_end[:-1]])
            ch.dip_end = int(dip_end[-1])
            until = np.maximum(until, dip_end + round(s.escalate_within_s * fr))
        elif start >= until:
            ch.escalatable = False
            return None
        k = max(1, round(s.escalate_s * fr))
        d = round(s.fast_s * fr)  # the jump: within fast_s
        a = start - self._ext_start
        x = np.nan_to_num(self._ext_fast[c, max(0, a - k - d + 1) : a + n])
        x = np.concatenate([np.zeros(k + d - 1 - min(k + d - 1, a)), x])
        cum = np.concatenate([[0.0], np.cumsum(x)])
        mean = (cum[k:] - cum[:-k]) / k  # (n + d,) k-frame mean ending at each frame
        before, mean = mean[:n], mean[d:]
        after = ch.cramp.alert_frame + round(s.escalate_after_s * fr)  # the level held first
        thr = s.escalate_ratio * ch.cramp_level
        up = (mean >= thr) & (mean >= s.escalate_ratio * before) & ~blocked & (frames < until)
        up &= frames >= after
        # escshape: the jump starts from the alerted level held (or relaxed to) after the
        # alert: the escalate_s mean fast_s before, wholly after the alert, stood at no more
        # than escalate_hold_ratio x that level. A cramp alerted on its own ramp goes on
        # rising from its alert and never stands there again.
        if s.escalate_hold_ratio > 0:
            hold = (before <= s.escalate_hold_ratio * ch.cramp_level) & (
                frames - d >= ch.cramp.alert_frame + k
            )
            held = ch.held | np.logical_or.accumulate(hold)
            up &= held
            ch.held = bool(held[-1])
        if s.escalate_peak_ratio > 0:
            # escpeak: above every escalate_s mean since the alert, fast_s before the jump;
            # a dip to rest (indnight) starts the count again
            seen = np.where(frames - d >= ch.cramp.alert_frame + k, before, 0.0)
            resets = np.flatnonzero(new_dip) if s.escalate_rest_s > 0 else np.empty(0, int)
            peak = np.empty(n)
            for lo, hi in zip((0, *resets), (*resets, n), strict=True):  # a few dips at most
                if hi > lo:
                    first = ch.esc_peak if lo == 0 else 0.0
                    peak[lo:hi] = np.maximum.accumulate(np.maximum(seen[lo:hi], 0.0))
                    peak[lo:hi] = np.maximum(peak[lo:hi], first)
            ch.esc_peak = float(peak[-1])
            up &= mean >= s.escalate_peak_ratio * peak
        if up.any():
            j = np.flatnonzero(up)
            w = s.escalate_other_s or None  # escshape: over the jump itself, if set
            up[j] = self._others_up(c, frames[j], window_s=w) < s.escalate_other_share
        idx = np.arange(n)
        last_break = np.maximum.accumulate(np.where(~up, idx, -1))
        count = np.where(last_break >= 0, idx - last_break, ch.esc + idx + 1)
        hit = np.flatnonzero(count >= k)
        if hit.size:
            ch.esc = 0
            return int(hit[0])
        ch.esc = int(count[-1])
        return None

    def _escalate(
        self, c: int, frame: int, base: float, stats: LazyStats, i: int
    ) -> list[FrameEvent]:
        """(nightmiss2) Close the open event of channel ``c`` at ``frame`` and raise the cramp
        its precursor ran into (path ``escalate``), judged on the first alert's context."""
        ch = self._ch[c]
        assert ch.alert_info is not None
        s = self.settings
        info = ch.alert_info
        closed = self._close_event(c, frame, frame, Transition.RELAX)
        self._context_at_alert, first, self._recurrent = info.context, info.features, info.recurrent
        self._path = "escalate"
        self._run_start_at_alert = frame - round((s.escalate_s + s.fast_s) / self.hop_s)
        stats.need(i, i + 1)
        # The candidate features are the first alert's, moved to the level the leg has now
        # reached and to the time elapsed since (the confidence sees the cramp, not its
        # precursor).
        jump = np.log(max(float(stats["med"][c, i]) * base, 1e-9)) - np.log(
            max(ch.cramp_level, 1e-9)
        )
        self._features_at_alert = first.copy()
        self._features_at_alert[_LEVEL_FEATURES] += jump
        self._features_at_alert[_ELAPSED] += (frame - closed.alert_frame) * self.hop_s
        return [closed, self._raise(c, frame, base, stats, i)]

    # rehold (session 20): an alert the model doubted (a hold, raises, standing) whose event
    # never ended can cover the cramp that follows it; a contraction held past any voluntary
    # hold, risen anew wholly after that alert, is raised as the cramp.
    def _reheld(self, c: int, start: int, held: np.ndarray, blocked: np.ndarray) -> int | None:
        """Index in ``held`` (frames ``start ..`` of channel ``c``, in a cramp event: the
        ``held`` path's test) of the first frame at which the test holds over a span wholly
        after the event's alert, when that alert was rated below ``rehold_confidence``; once
        per event. None if not. (holdgate, session 21) The span's rise in view (the
        ``pre_run_s`` before it, where the test finds the leg lower) lies after the alert too:
        a contraction that rose anew, not the one alerted held on (its rise, just before a
        fast alert, is in view of a span starting at the alert)."""
        ch = self._ch[c]
        if not ch.reholdable or ch.cramp is None or held.shape[0] == 0:
            return None
        frames = start + np.arange(held.shape[0])
        anew = frames - self._held_n - self._held_pre_n >= ch.cramp.alert_frame
        up = held & ~blocked & anew
        return int(np.argmax(up)) if up.any() else None

    def _rehold(
        self, c: int, frame: int, base: float, stats: LazyStats, i: int
    ) -> list[FrameEvent]:
        """(rehold) Close the open event of channel ``c`` at ``frame`` and raise the held
        contraction (path ``held``), judged on the first alert's context and features."""
        ch = self._ch[c]
        assert ch.alert_info is not None and ch.cramp is not None
        info = ch.alert_info
        closed = self._close_event(c, frame, frame, Transition.RELAX)
        self._context_at_alert, first, self._recurrent = info.context, info.features, info.recurrent
        self._path = "held"
        self._run_start_at_alert = frame - self._held_n
        stats.need(i, i + 1)
        self._features_at_alert = first.copy()
        self._features_at_alert[_ELAPSED] += (frame - closed.alert_frame) * self.hop_s
        ev = self._raise(c, frame, base, stats, i)
        self._ch[c].reholdable = False
        return [closed, ev]

    def _close_event(self, c: int, end_frame: int, seen_at: int, how: Transition) -> FrameEvent:
        """End the open event of channel ``c`` at ``end_frame`` (its end, known at frame
        ``seen_at``) and start its recurrence watch; return the closed event."""
        ch = self._ch[c]
        assert ch.cramp is not None
        closed = ch.cramp
        closed.end_frame = end_frame
        for h in self._holds:  # rebase: seen to end here
            if h.channel == c and h.ended is None:
                h.ended = seen_at
        ch.recurrence_until = end_frame + round(self.settings.recurrence_s / self.hop_s)
        ch.event_end = end_frame
        lasting = self.settings.series_cramp_s
        if lasting > 0 and end_frame - closed.onset_frame >= round(lasting / self.hop_s):
            ch.cramped_until = ch.recurrence_until
        ch.cramp, ch.low, ch.esc, ch.alert_info = None, 0, 0, None
        ch.rest_low, ch.dip_end = 0, _NEVER
        self._go(ch, how)
        return closed

    # trainend: a cramp does not stride
    def _strides_again(self, c: int, first: int, n: int, relaxed: int | None) -> int | None:
        """Index (from frame ``first``, within ``n`` frames and before the relaxation that
        ends the event at index ``relaxed``) of the first frame, every ``end_gait_step_s``,
        at which leg ``c`` strides over the ``gait_window_s`` up to it, all after the alert,
        with another leg (:meth:`_striding_at`): a cramped leg cannot take strides, so the
        event is over (its end level frozen at the alert may stand below standing's and
        gait's tonic level). None if not, with ``end_gait_step_s`` 0 or with one channel
        (one leg's rhythm alone is no gait: a cramp waxes and wanes at a stride's rate)."""
        s = self.settings
        if s.end_gait_step_s <= 0 or s.gait_window_s <= 0 or self.n_channels < 2:
            return None
        cramp = self._ch[c].cramp
        assert cramp is not None
        step = max(1, round(s.end_gait_step_s / self.hop_s))
        stop = n if relaxed is None else relaxed
        # strides seen after the alert only (the settle path alerts as gait stops)
        after = max(first, cramp.alert_frame + self._gait_w)
        frames = np.arange(-(-after // step) * step, first + stop, step)
        if not frames.size:
            return None
        strides = self._striding_at(c, frames, frames - self._gait_w + 1)
        return int(frames[np.argmax(strides)] - first) if strides.any() else None

    def _end_index(self, ch: _Channel, low: np.ndarray) -> int | None:
        """Index in ``low`` where the relaxation run reaches ``end_s``, carrying the count."""
        n = low.shape[0]
        idx = np.arange(n)
        brk = np.where(~low, idx, -1)
        last_break = np.maximum.accumulate(brk)
        count = np.where(last_break >= 0, idx - last_break, ch.low + idx + 1)
        hit = np.flatnonzero(count >= self._end)
        if hit.size:
            return int(hit[0])
        ch.low = int(count[-1])
        return None

    def _first_alert(
        self,
        c: int,
        start: int,
        on: np.ndarray,
        st: dict[str, np.ndarray],
    ) -> int | None:
        """Index of the first frame that raises an alert, updating the run state otherwise.

        The paths of docs/detection.md ("The cramp state machine"), in order: the block's
        runs (:meth:`_runs`) and the other legs beside them (:meth:`_beside`); the candidate
        frames of the fast, quiet, slow, settle and held paths (:meth:`_candidates`) less
        gait and standing (:meth:`_gait_vetoes`); the after-effort path (:meth:`_after_effort`)
        and the slow path's vetoes (:meth:`_slow_vetoes`); per run, the tests every path's
        candidates must pass (:meth:`_confirm`); the run state carried to the next block
        (:meth:`_carry_runs`) and what an alert was judged on (:meth:`_note_alert`).
        """
        ch = self._ch[c]
        frames = start + np.arange(on.shape[0])
        on, weak, weak_low, live = self._read_block(c, start, frames, on, st)
        if not live:
            self._end_runs(ch, start, frames.shape[0])
            return None
        runs = self._runs(ch, frames, on, st)
        beside = self._beside(c, start, runs)
        paths = self._candidates(c, start, st, runs, weak, weak_low)
        self._gait_vetoes(c, start, paths, runs)
        if self.settings.watch_stand_irregular > 0 and _any(paths.fast):
            self._watch_stand_vetoes(c, start, st, paths)
        if self.settings.after_effort_s > 0:
            paths.after_effort = self._after_effort(c, start, st, runs, beside.ctx, paths.slow)
            paths.slow |= paths.after_effort
        self._slow_vetoes(c, start, st, paths)
        if self.settings.learned_stand_s > 0 and self.settings.rest_floor_tau_s > 0:
            self._learned_stand_vetoes(c, start, paths)
            if self.settings.stop_s > 0:  # gaitrun: a leg kept up out of running, over the
                # other leg's drop: its standing before the run is not what it stands at now
                paths.held_up |= st["stop"] & ~st["art"]
            if self.settings.watch_settle_rise > 0 and _any(paths.settle & paths.rec):
                self._watch_settle_vetoes(c, start, paths)
        g = self._confirm(c, start, st, runs, beside, paths)
        carried_move_end = ch.last_move_end
        self._carry_runs(ch, start, runs, beside, g)
        if g is not None:
            self._note_alert(st, runs, beside, paths, g, carried_move_end)
            # endearly (session 18): a weak-path alert on a stretch whose re-base the baseline
            # tracker holds is one of the late ``long`` candidates (rebase2): named so; it is
            # judged and placed as a weak one (``broken`` above, its onset in ``_raise``)
            if self._path == "weak" and self._held_at(c, start + g) > 0:
                self._path = "long"
        return g

    def _read_block(
        self, c: int, start: int, frames: np.ndarray, on: np.ndarray, st: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, bool]:
        """Asks for the window statistics where they can matter; returns the active frames
        less relaxations, the weak path's candidates, those only its lower tier took (None
        where none did) and whether any frame of the block can be in a run or alert."""
        ch = self._ch[c]
        n = on.shape[0]
        # (speed: each "any" once, as a ufunc reduce: live frames come one at a time)
        on_any, settle_any, held_any = (_any(on), _any(st["settle"]), _any(st["held"]))
        # The window statistics only where they can matter: frames that can be in a run
        # (active ones and the gap after them, a run carried in) and on the settle and held
        # paths (the weak path asks for its own).
        if start - ch.last_on <= self._gap or on_any or settle_any or held_any:
            if n <= LazyStats.JOIN:  # a few frames (live): all of them
                st.need(0, n)
            else:
                last = np.maximum(np.maximum.accumulate(np.where(on, frames, _NEVER)), ch.last_on)
                st.need_where((frames - last <= self._gap) | st["settle"] | st["held"])
        if on_any:  # a relaxation relative to its own level breaks continuity
            on = on & ~st["relaxed"]
            on_any = _any(on)
        weak, weak_low = self._weak(c, start, n, st)
        if self._held_s is not None and self.settings.rebase_swing > 0:  # rebase2
            weak = weak | self._long(c, frames, st)
        idle = (
            start - ch.last_on > self._gap
            and not on_any
            and not settle_any
            and not _any(weak)
            and not held_any  # exert
        )
        return on, weak, weak_low, not idle

    def _end_runs(self, ch: _Channel, start: int, n: int) -> None:
        """No frame of the block is in a run or settled after gait: nothing can alert; a run
        open before it ended at its first frame (a movement if long and clearly active
        enough)."""
        s = self.settings
        fr = 1.0 / self.hop_s
        if (
            ch.run_start >= 0
            and start - ch.run_start >= round(s.movement_min_s * fr)
            and ch.run_strong > 0
        ):
            ch.last_move_end, ch.move_seen = start, True
            self._remember_moves(ch, [(ch.run_start, start)], start + n)
        ch.run_start, ch.run_strong, ch.bilateral, ch.context = -1, 0, 0, None
        ch.bilateral_stand = 0

    def _runs(
        self, ch: _Channel, frames: np.ndarray, on: np.ndarray, st: dict[str, np.ndarray]
    ) -> _Runs:
        """The block's runs: active frames closer than the run gap, a run carried in; the
        earlier runs that ended as movements (>= movement_min_s and clearly active)."""
        s = self.settings
        fr = 1.0 / self.hop_s
        on_idx = np.where(on, frames, _NEVER)
        last_on = np.maximum(np.maximum.accumulate(on_idx), ch.last_on)
        in_run = frames - last_on <= self._gap
        # A run starts at an active frame whose previous active frame is further than the gap.
        prev_on = np.concatenate([[ch.last_on], last_on[:-1]])
        starts = on & (frames - prev_on > self._gap)
        run_start = np.maximum.accumulate(np.where(starts, frames, -1))
        run_start = np.where(run_start >= 0, run_start, ch.run_start)
        run_start = np.where(in_run, run_start, -1)
        elapsed = np.where(run_start >= 0, frames - run_start + 1, 0)
        moving = st["med"] >= s.movement_fraction * s.strong_ratio
        run_strong = count_in_run(moving & in_run, starts, ch.run_strong)
        # Ends of earlier runs that were movements (>= 0.5 s and clearly active).
        prev_in = np.concatenate([[ch.run_start >= 0], in_run[:-1]])
        prev_rs = np.concatenate([[ch.run_start], run_start[:-1]])
        prev_strong = np.concatenate([[ch.run_strong], run_strong[:-1]])
        ended = np.flatnonzero(
            prev_in
            & ~in_run
            & (frames - prev_rs >= round(s.movement_min_s * fr))
            & (prev_strong > 0)
        )
        return _Runs(
            frames,
            last_on,
            in_run,
            starts,
            run_start,
            elapsed,
            run_strong,
            prev_rs,
            ended,
            frames[ended],
            st["med"] * st["base"],
        )

    def _beside(self, c: int, start: int, runs: _Runs) -> _Beside:
        """The other legs beside this leg's runs: each run's context, taken as it starts, and
        how much of the run (and of the last bilateral_recent_s) another leg was up too."""
        ch, s = self._ch[c], self.settings
        n = runs.frames.shape[0]
        fr = 1.0 / self.hop_s
        starts, frames, elapsed = runs.starts, runs.frames, runs.elapsed
        # Context of each run, taken as it starts; per frame, the context of its run.
        if runs.in_run.any():
            new = self._run_context(c, frames[starts])
            carried = ch.context or self._no_context
            ctx = self._join(new, carried, np.cumsum(starts) - 1)
            co = self._coactive(c, start, n, ctx.pre)
            recent_bil = self._recent_bilateral(c, start, n, ctx.pre)
            co_stand, recent_stand = co, recent_bil
            if s.stand_memory_other > 0 and co.any():
                # standmem: for the slow path, another leg back at its own standing level
                # beside this one well over its own does not count
                co_stand = self._coactive(c, start, n, ctx.pre, ctx.stand)
                recent_stand = self._recent_bilateral(c, start, n, ctx.pre, ctx.stand)
        else:  # no run: nothing to judge, nothing to carry
            ctx = self._no_context.take(np.zeros(n, dtype=np.int64))
            co = np.zeros(n, dtype=bool)
            recent_bil = np.zeros(n)
            co_stand, recent_stand = co, recent_bil
        bil_count = count_in_run(co, starts, ch.bilateral)
        stand_count = count_in_run(co_stand, starts, ch.bilateral_stand)
        # miss: the other legs have been still for bilateral_clear_s (a turnover went on
        # into a contraction of one leg).
        last_co = np.maximum(np.maximum.accumulate(np.where(co, frames, _NEVER)), ch.last_co)
        alone = frames - last_co >= round(s.bilateral_clear_s * fr)
        with np.errstate(invalid="ignore", divide="ignore"):
            bil = np.where(elapsed > 0, bil_count / np.maximum(elapsed, 1), 0.0)
            bil_stand = np.where(elapsed > 0, stand_count / np.maximum(elapsed, 1), 0.0)
        return _Beside(
            ctx,
            ctx.pre[c],
            bil_count,
            stand_count,
            last_co,
            alone,
            recent_bil,
            recent_stand,
            bil,
            bil_stand,
        )

    def _candidates(
        self,
        c: int,
        start: int,
        st: dict[str, np.ndarray],
        runs: _Runs,
        weak: np.ndarray,
        weak_low: np.ndarray | None,
    ) -> _Paths:
        """Each path's candidate frames before the vetoes that ask for more history: fast,
        quiet (night), slow, settle (training) and held; the weak path's are given (and
        those only its lower tier took, ``weak_low``)."""
        s = self.settings
        fr = 1.0 / self.hop_s
        n = runs.frames.shape[0]
        in_run, elapsed = runs.in_run, runs.elapsed
        rec = runs.frames < self._ch[c].recurrence_until
        scale = np.where(rec, s.recurrence_scale, 1.0)
        early = np.where(rec, s.recurrence_fast_scale, 1.0)  # of fast_s, for the early paths
        strong = in_run & (st["med"] >= s.strong_ratio) & (st["dip"] >= s.dip)
        fast_scale = scale  # watchfast: the fast path's own scale within the watch
        if s.watch_fast_irregular > 0:
            fast_scale = np.where(rec, s.watch_fast_irregular, 1.0)
        # Fast: irregular waxing and waning, no artefact.
        fast = (
            strong
            & (elapsed >= s.fast_s * fr * early)
            & (st["irr"] >= s.irregular * fast_scale)
            & ~st["art"]
            # train: a cramp's waxing and waning stays well above a relaxation
            & (st["dip"] >= s.fast_dip)
        )
        # Quiet (night): from quiet rest, a steady strong contraction is enough.
        quiet = np.zeros(n, dtype=bool)
        if s.quiet_s > 0:
            quiet = strong & (elapsed >= s.fast_s * fr * early) & ~st["art"]
        # Slow: continuous and strong for long enough, whatever its shape.
        # (train: never before a voluntary hold could have ended, recurrence watch included)
        # nightwatch: the slow path's own scale within the watch (0: recurrence_scale)
        watch_slow = s.watch_slow_scale if s.watch_slow_scale > 0 else s.recurrence_scale
        slow_after = np.where(
            rec, max(s.slow_s * watch_slow, s.slow_min_s) * fr, max(s.slow_s, s.slow_min_s) * fr
        )
        slow = in_run & (elapsed >= slow_after) & (st["med"] >= s.strong_ratio)
        slow &= st["med"] >= s.slow_strong_ratio  # envtrain: above standing's tonic level
        if s.slow_onset_s > 0:
            # latency (session 24): the wait counted from the rise the onset finder sees,
            # when that lies before the run's start (a slow build-up crosses the activation
            # level late)
            near = in_run & ~slow & (elapsed >= slow_after - s.slow_onset_s * fr)
            near &= (st["med"] >= s.strong_ratio) & (st["med"] >= s.slow_strong_ratio)
            k = np.flatnonzero(near)
            if k.size:
                onset = self._run_onsets(c, runs.frames[k], runs.run_start[k])
                slow[k] = runs.frames[k] - onset + 1 >= slow_after[k]
        if s.rest_learned_ratio > 0 and s.rest_floor_tau_s > 0:
            slow |= self._over_rest_floor(c, start, st, in_run & (elapsed >= slow_after))
        # Settle (training): after gait, up without the stride rhythm and without a dip.
        settle = st["settle"] & (st["irr"] >= s.settle_irregular * scale) & ~st["art"]
        if s.settle_gap_ratio > 0 and st["settle"].any():
            # gaitcramp: the leg lost its gaps between strides while another leg kept its own
            k = np.flatnonzero(st["settle"] & ~settle & ~st["art"])
            if k.size:
                settle[k] = self._gaps_closed(c, start + k - self._ext_start)
        held_up = st["held"] & ~st["art"]  # exert: held on one leg longer than a voluntary hold
        after_effort = np.zeros(n, dtype=bool)
        return _Paths(fast, quiet, slow, settle, weak, held_up, after_effort, rec, weak_low)

    # restref (session 15): a resting reference standing does not move
    def _rest_floor(self, start: int, base: np.ndarray) -> np.ndarray:
        """Each leg's rest floor (µV, (n_channels, n)) at frames ``start ..`` of ``base``: the
        lowest resting baseline seen, allowed to rise by e every ``rest_floor_tau_s`` (a
        decayed minimum, exact whatever the block cuts: a running minimum of
        log(baseline) - g x frame). NaN while no baseline was seen."""
        g = self.hop_s / self.settings.rest_floor_tau_s
        t = start + np.arange(base.shape[1])
        with np.errstate(invalid="ignore", divide="ignore"):
            lb = np.where(base > 0, np.log(base), np.inf) - g * t
        m = np.minimum.accumulate(np.concatenate([self._rest_m[:, None], lb], axis=1), axis=1)
        self._rest_m = m[:, -1].copy()
        with np.errstate(over="ignore"):
            return np.where(np.isfinite(m[:, 1:]), np.exp(m[:, 1:] + g * t), np.nan)

    def _end_base(self, level: float, base: float) -> float:
        """(heldend) The level (µV) below which an event's end counts its frames, besides
        ``end_fraction`` x its own level: ``off_ratio`` x the baseline at its alert, or for
        a weak alert (under ``end_weak_below`` x that baseline) ``end_weak_ratio`` x it: a
        weak cramp waxing and waning dips to ``off_ratio`` x a baseline the effort before
        it raised, while the standing or rest after it sits well under that."""
        s = self.settings
        if s.end_weak_ratio > 0 and level < s.end_weak_below * base:
            return s.end_weak_ratio * base
        return s.off_ratio * base

    def _run_onsets(self, c: int, frames: np.ndarray, run_start: np.ndarray) -> np.ndarray:
        """(latency, session 24) Where leg ``c``'s rise began as seen from each of ``frames``
        (:func:`~crampdetect.detect.onset.place_onset` on the history up to the frame, without
        TKEO conditioning), no earlier than ``slow_onset_s`` before the frame's run start; the
        run start itself where the onset lies less than ``slow_onset_min_s`` before it."""
        fr = 1.0 / self.hop_s
        head = round(self.settings.slow_onset_s * fr)
        least = round(self.settings.slow_onset_min_s * fr)
        others = np.delete(self._ext_fast, c, axis=0)
        no_tkeo = np.zeros_like(self._ext_fast[c])  # NaN floor below: TKEO not read
        out = run_start.copy()
        for i, (f, rs) in enumerate(zip(frames.tolist(), run_start.tolist(), strict=True)):
            k = place_onset(
                self._ext_fast[c], no_tkeo, self._ext_start, f, rs, fr,
                self.settings.onset_lookback_s, float("nan"), others,
            )  # fmt: skip
            # a voluntary hold is ramped up within about a second: the part of its ramp under
            # the activation level is shorter than slow_onset_min_s, and gains nothing
            out[i] = max(k, rs - head) if rs - k >= least else rs
        if self.settings.slow_onset_gait_s > 0:
            # afterstride (session 25): only right after gait; a hold is held out of standing
            early = np.flatnonzero(out < run_start)
            if early.size:
                onsets, which = np.unique(out[early], return_inverse=True)
                strode = self._strode_before(onsets)[which]
                out[early[~strode]] = run_start[early[~strode]]
        return out

    def _strode_before(self, onsets: np.ndarray) -> np.ndarray:
        """(afterstride, session 25) Per onset (absolute frames): whether some leg had the
        stride rhythm (``settle_rhythm`` at the stride lags) over a ``settle_gait_s`` span ending
        at most ``slow_onset_gait_s`` before the onset (or at it), its mean level there at least
        ``ref_fraction`` x its activity reference (gait bursts, not standing's sway; as
        :meth:`_after_gait` reads it), levels above the resting offset. False where the history
        does not reach back (``SLOW_SPAN_MAX_S`` keeps the span within it)."""
        s = self.settings
        g = self._settle_gait_n
        a = round(s.slow_onset_gait_s / self.hop_s)
        ends = onsets[:, None] - self._ext_start - np.arange(a + 1)[None, :]  # (k, a + 1)
        ok = (ends - g + 1 >= 0).ravel()
        at = np.clip(ends.ravel(), 0, None)
        floor = s.rest_offset * np.nan_to_num(self._ext_base[:, at])  # (C, k (a + 1))
        w = _windows_ending(self._ext_fast, at + 1, g)  # (C, k (a + 1), g)
        with np.errstate(invalid="ignore"):
            active = w.mean(axis=2) - floor >= s.ref_fraction * (self._ext_ref[:, at] - floor)
        strode = active & (stride_rhythm(w, self._stride_lags) >= s.settle_rhythm) & ok[None, :]
        return strode.any(axis=0).reshape(ends.shape).any(axis=1)

    def _over_rest_floor(
        self, c: int, start: int, st: dict[str, np.ndarray], due: np.ndarray
    ) -> np.ndarray:
        """restref: the slow path's level test read over the rest floor, at frames ``due``
        where the resting baseline learned standing (``rest_learned_ratio`` x the floor)."""
        s = self.settings
        n = due.shape[0]
        lo = start - self._part_start
        rest = self._rest_at[c, lo : lo + n]
        base = st["base"]
        with np.errstate(invalid="ignore", divide="ignore"):
            learned = due & (base >= s.rest_learned_ratio * rest)
            med = np.where(learned, st["med"] * base / rest, 0.0)
        # ... and at rest_learned_ref of its activity reference: standing's asymmetries stand
        # over the rest floor as high, a cramp stands near the reference
        high = st["med"] * base >= s.rest_learned_ref * st["ref"]
        return learned & high & (med >= s.strong_ratio) & (med >= s.slow_strong_ratio)

    # standslow (session 16): a leg's standing level, learned like the rest floor
    def _learn_standing(self, start: int, n: int) -> None:
        """Add the frames ``start .. start + n`` at which both legs stood (their median
        250 ms level over ``window_s`` above the resting offset from ``off_ratio`` x the rest
        floor up to ``stand_ref_ceiling`` x an activity reference that has seen activity) and
        each leg's 100 ms level there (above the offset) to ``_ls_fx`` / ``_ls_vx``."""
        s = self.settings
        k = max(1, round(s.window_s / self.hop_s))
        end = np.arange(n) + (self._ext_level.shape[1] - n + 1)  # exclusive ends, ext arrays
        off = s.rest_offset * np.nan_to_num(self._ext_base)
        med = np.nanmedian(_windows_ending(self._ext_level - off, end, k), axis=2)  # (C, n)
        lo = self._ext_level.shape[1] - n
        base, ref, off_n = self._ext_base[:, lo:], self._ext_ref[:, lo:], off[:, lo:]
        with np.errstate(invalid="ignore"):
            stood = (ref >= s.on_ratio * base) & (med < s.stand_ref_ceiling * (ref - off_n))
            stood &= med >= (s.off_ratio - s.rest_offset) * self._rest_at
        both = np.flatnonzero(stood.all(axis=0))
        self._ls_fx = np.concatenate([self._ls_f, start + both])
        new = self._ext_fast[:, lo:][:, both] - off_n[:, both]
        self._ls_vx = np.concatenate([self._ls_v, new], axis=1)

    def _learned_stand_levels(
        self, c: int, start: int, k: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """standslow: of block indices ``k``, those at which leg ``c`` has a learned standing
        level (at least ``window_s`` of standing frames learned up to ``learned_stand_lag_s``
        before), with that level (the ``learned_stand_pct`` percentile of its level at the last
        ``learned_stand_s`` of them) and the leg's median 100 ms level (above the resting
        offset) over the last ``learned_stand_now_s`` there, both in µV."""
        none = np.zeros(0)
        if not k.size or not self._ls_fx.size:
            return k[:0], none, none
        s = self.settings
        fr = 1.0 / self.hop_s
        m = round(s.learned_stand_s * fr)
        frames = start + k
        j = np.searchsorted(self._ls_fx, frames - round(s.learned_stand_lag_s * fr))
        enough = np.minimum(j, m) >= max(1, round(s.window_s * fr))
        if not enough.any():
            return k[:0], none, none
        k, frames, j = k[enough], frames[enough], j[enough]
        v = np.concatenate([np.full(m, np.nan), self._ls_vx[c]])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            stood = np.nanpercentile(windows(v[None, :], m)[0][j], s.learned_stand_pct, axis=1)
            off = s.rest_offset * np.nan_to_num(self._ext_base[c : c + 1])
            w = max(1, round(s.learned_stand_now_s * fr))
            end = frames - self._ext_start + 1
            now = np.nanmedian(_windows_ending(self._ext_fast[c : c + 1] - off, end, w)[0], axis=1)
        return k, stood, now

    def _learned_stand_vetoes(self, c: int, start: int, paths: _Paths) -> None:
        """standslow: the slow (after-effort included) and held paths less frames at which
        leg ``c`` stands under ``learned_stand_rise`` x its learned standing level
        (:meth:`_learned_stand_levels`)."""
        k, stood, now = self._learned_stand_levels(
            c, start, np.flatnonzero(paths.slow | paths.held_up)
        )
        with np.errstate(invalid="ignore"):
            low = k[now < self.settings.learned_stand_rise * stood]
        if low.size:
            paths.slow[low] = False
            paths.after_effort[low] = False
            paths.held_up[low] = False

    def _watch_settle_vetoes(self, c: int, start: int, paths: _Paths) -> None:
        """watchsettle (session 17): within the recurrence watch, the settle path less frames
        at which leg ``c`` stands under ``watch_settle_rise`` x its learned standing level
        (:meth:`_learned_stand_levels`; no veto before ``window_s`` of standing was learned)."""
        k, stood, now = self._learned_stand_levels(
            c, start, np.flatnonzero(paths.settle & paths.rec)
        )
        with np.errstate(invalid="ignore"):
            paths.settle[k[now < self.settings.watch_settle_rise * stood]] = False

    def _watch_stand_vetoes(
        self, c: int, start: int, st: dict[str, np.ndarray], paths: _Paths
    ) -> None:
        """watchstand (session 14): within the recurrence watch, a fast-path frame whose
        irregularity passes only the watch's looser threshold (under ``irregular`` x
        ``watch_stand_irregular``) is dropped where the stand test finds the leg standing:
        standing's postural sway meets the looser threshold; a cramp on one leg keeps it."""
        s = self.settings
        k = np.flatnonzero(
            paths.fast & paths.rec & (st["irr"] < s.irregular * s.watch_stand_irregular)
        )
        if k.size and s.stand_ref_ceiling > 0:
            paths.fast[k[self._standing(c, start + k)]] = False

    def _gait_vetoes(self, c: int, start: int, paths: _Paths, runs: _Runs) -> None:
        """The fast and slow paths less gait's strides and standing (and, early in the
        stream, a leg that only stood beside another one's hold)."""
        s = self.settings
        fast, slow, run_start = paths.fast, paths.slow, runs.run_start
        # trainfa: gait keeps its stride rhythm and its troughs between strides even where
        # the envelope never relaxes to rest (ENV smoothing, a tonic level under the strides):
        # not a cramp on the fast or slow path.
        striding = fast | slow
        if s.gait_window_s > 0 and striding.any():
            k = np.flatnonzero(striding)
            striding[k] = self._striding_at(c, start + k, run_start[k])
            fast &= ~striding
            slow &= ~striding
        # stand: standing is low against the activity reference and on both legs
        if s.stand_ref_ceiling > 0 and slow.any():
            k = np.flatnonzero(slow)
            # trainstand: in the first minute a leg that only stood has its sway for a reference
            # (raised where the leg's own counts: it has been active, not only rested). Only
            # this leg's: another leg's raised would read it as resting beside this one.
            ref = None
            if s.stand_slow_share > 0:
                ref = self._ext_ref.copy()
                active = ref[c] >= s.on_ratio * self._ext_base[c]
                raised = self._start_reference(s.stand_slow_share)[c]
                ref[c] = np.where(active, raised, ref[c])
            slow[k] = ~self._standing(c, start + k, ref)

        if s.own_fast_share > 0 and start < self._own_effort_n and fast.any():
            # demofa: in the first own_effort_s a leg that only stood while the other one
            # held has its standing for a reference: its sway is no cramp of its own.
            k = np.flatnonzero(fast & (runs.frames < self._own_effort_n))
            if k.size:
                own = self._own_effort(c, start + k - self._ext_start, s.own_fast_share)
                fast[k[~own]] = False

    def _after_effort(
        self,
        c: int,
        start: int,
        st: dict[str, np.ndarray],
        runs: _Runs,
        ctx: _RunContext,
        slow: np.ndarray,
    ) -> np.ndarray:
        """The after-effort path's frames (afterhold: a cramp strikes 0-5 s after the hold or
        calf raises that trigger it): they join the slow path."""
        ch, s = self._ch[c], self.settings
        fr = 1.0 / self.hop_s
        n = runs.frames.shape[0]
        in_run, elapsed, run_start, move_ends = (
            runs.in_run,
            runs.elapsed,
            runs.run_start,
            runs.move_ends,
        )
        after_effort = np.zeros(n, dtype=bool)
        # afterhold: a cramp strikes 0-5 s after the hold or calf raises that trigger it;
        # a run starting that soon after a movement of this leg takes the slow path
        # after after_effort_slow_s (a voluntary hold begins after a pause), judged
        # against rest, not against the effort it followed.
        late = in_run & ~slow & (elapsed >= s.after_effort_slow_s * fr)
        late &= (st["med"] >= s.strong_ratio) & (st["med"] >= s.slow_strong_ratio)
        k = np.flatnonzero(late)
        if k.size:
            j = np.searchsorted(move_ends, run_start[k]) - 1
            seen = (j >= 0) | ch.move_seen
            ends = np.append(move_ends, ch.last_move_end)  # [j] with j = -1: the carried end
            last = ends[j]
            if ch.event_end > _NEVER:
                # indeffort: an event that ended (a hold alerted, a cramp) was an effort of
                # the leg too, though its run never ended as a movement: its end counts
                # when it is the leg's latest before the run.
                later = (ch.event_end <= run_start[k]) & (~seen | (ch.event_end > last))
                last = np.where(later, ch.event_end, last)
                seen = seen | later
            gap = run_start[k] - last
            # the effort: the leg stood high over the seconds before the run
            eff = ctx.pre[c][k] >= s.after_effort_level * ctx.ref_before[k]
            early = start + k < self._stand_effort_n
            if early.any():
                # demofa: in the first minute standing beside a light hold reaches
                # after_effort_level of a reference that has seen only that: no effort
                # where the leg was standing just before the run
                e = np.flatnonzero(early)
                at = np.maximum(run_start[k[e]] - 1, self._ext_start)
                eff[e] &= ~self._stood(c, at)
            near = seen & (gap <= s.after_effort_s * fr) & eff
            if s.after_effort_rise_s > 0:
                # replead: a run up to after_effort_late_s after the effort, or one whose
                # effort shows only before the pause (the leg's level over the
                # after_effort_span_s before the effort ended), counts too if it rose
                # more slowly than a voluntary contraction is ramped up.
                far = seen & ~near & (gap <= s.after_effort_late_s * fr)
                if far.any():
                    f = np.flatnonzero(far)
                    before = self._effort_before(c, start + k[f], last[f], ctx.ref_before[k[f]])
                    e = np.flatnonzero(start + k[f] < self._stand_effort_n)
                    if e.size:  # demofa: ... nor where it was standing as the effort ended
                        ends = np.clip(last[f[e]] - 1, self._ext_start, start + k[f[e]])
                        before[e] &= ~self._stood(c, ends)
                    f = f[eff[f] | before]
                    if f.size:
                        f = f[self._slow_rise(c, start + k[f], last[f], st["base"][k[f]])]
                    near[f] = True
            k = k[near]
        if k.size:  # on one leg: standing and its sway are bilateral
            k = k[self._one_leg_over(c, start + k - self._ext_start, s.after_effort_slow_s)]
        if k.size and s.gait_window_s > 0:
            k = k[~self._striding_at(c, start + k, run_start[k])]
        if k.size and s.stand_ref_ceiling > 0:  # (stand's test, as on the slow path)
            k = k[~self._standing(c, start + k)]
        if k.size and s.resume_ratio > 0:
            # standfa: a sway dip split one steady contraction (standing) in two; the
            # run resumed its level, no effort ended before it.
            k = k[~self._resumed(c, start + k, run_start[k])]
        if k.size and s.own_effort_share > 0:
            # startfa: in the first own_effort_s of the stream the effort was this leg's
            # own: a leg that only stood while the other one exerted has its standing for
            # a reference, and standing is no effort.
            later = start + k >= self._own_effort_n
            k = k[later | self._own_effort(c, start + k - self._ext_start)]
        after_effort[k] = True
        return after_effort

    def _slow_vetoes(self, c: int, start: int, st: dict[str, np.ndarray], paths: _Paths) -> None:
        """The slow path (after-effort included) less voluntary holds: released, or stepped
        up out of standing lately."""
        s = self.settings
        slow, after_effort = paths.slow, paths.after_effort
        if s.slow_release > 0 and slow.any():
            # holds: a cramp does not relax; a voluntary hold is released (by ~10 s): no slow
            # alert while the leg's envelope is falling away from its recent level.
            k = np.flatnonzero(slow)
            falling = self._releasing(c, start + k - self._ext_start, st["base"][k])
            slow[k[falling]] = False
            after_effort[k[falling]] = False
        if s.slow_step > 0 and slow.any():
            # holdfa: a cramp is sustained at its level; a hold or a raise stepped up out of
            # standing within the last fast_s is not the level the slow path found sustained.
            k = np.flatnonzero(slow)
            up = self._stepping(c, start + k - self._ext_start, st["base"][k])
            slow[k[up]] = False
            after_effort[k[up]] = False

        if s.slow_prior_step > 0 and slow.any():
            # indtrain: a hold stepped up out of standing within the last fast_s: standing
            # opened the run, and the level now was not what was sustained.
            k = np.flatnonzero(slow)
            up = self._stepped_lately(c, start + k - self._ext_start)
            slow[k[up]] = False
            after_effort[k[up]] = False

        if s.stand_step > 0 and slow.any():
            # fastfa: ... nor the slow path, while the hold could last
            k = np.flatnonzero(slow)
            up = self._stood_then_stepped(c, start + k - self._ext_start)
            slow[k[up]] = False
            after_effort[k[up]] = False

    def _confirm(
        self,
        c: int,
        start: int,
        st: dict[str, np.ndarray],
        runs: _Runs,
        beside: _Beside,
        paths: _Paths,
    ) -> int | None:
        """Run by run, the first candidate frame (of any path) that passes its run's tests
        (a learned gate, if any, decides where the rules are unsure before the slow path)."""
        hit = np.flatnonzero(
            (paths.fast | paths.slow | paths.quiet | paths.settle | paths.weak | paths.held_up)
            & ~st["untrusted"]
        )
        run_start = runs.run_start
        while hit.size:
            rs = int(run_start[hit[0]])
            mine = hit[run_start[hit] == rs]
            hit = hit[run_start[hit] != rs]
            run = _Run(c, start, st, runs, beside, paths, rs, mine)
            ok = self._rose(run)
            self._night_waits(run, ok)
            self._one_leg_waits(run, ok)
            self._voluntary_waits(run, ok)
            # nightweak2: frames another path took on its own tests
            other = (ok & (paths.fast | paths.slow | paths.quiet)[mine]) | paths.settle[mine]
            other |= paths.held_up[mine]
            ok |= paths.settle[mine] | paths.weak[mine] | paths.held_up[mine]
            if paths.weak_low is not None and self.settings.series_wait_s > 0:
                self._low_series_wait(run, ok, other)
            self._late_waits(run, ok)
            if self.settings.prodrome_s > 0 and ok.any():
                self._prodrome_waits(run, ok)
            slow = paths.slow
            unsure = ok & ~slow[mine]
            if unsure.any() and (self.gate is not None or self.candidate_log is not None):
                # The rules are unsure before the slow path: a learned model may decide.
                rows = mine[np.flatnonzero(unsure)]
                x = self._candidate_features(st, runs, beside, paths, rows)
                if self.candidate_log is not None:
                    self.candidate_log.extend(
                        (c, int(start + m), row) for m, row in zip(rows, x, strict=True)
                    )
                if self.gate is not None:
                    ok[np.flatnonzero(unsure)] = np.asarray(self.gate(x), dtype=bool)
            if ok.any():
                return int(mine[np.argmax(ok)])
        return None

    def _low_series_wait(self, run: _Run, ok: np.ndarray, other: np.ndarray) -> None:
        """nightweak (session 20): (in place on ``ok``) a frame only the weak path's lower
        tier took waits, unless the leg was at rest for ``quiet_s`` before its run (as the
        quiet path asks, ``_quiet_before``), until the run has outlasted a leg movement
        (``series_wait_s``): at 3-10x its rest for up to 10 s, the next movement of a series
        stands as a weak cramp does (a frame outside any run waits out the rest test
        alone). nightweak2: a frame another path took on its own tests (``other``) does not
        wait."""
        c, runs, rs, mine = run.c, run.runs, run.rs, run.mine
        low = ok & run.paths.weak_low[mine] & ~other
        if not low.any():
            return
        # a weak frame outside any run (its runs broke off): the rest is read before it
        at = rs if rs >= 0 else run.start + int(mine[0])
        wait = np.full(mine.shape, not self._quiet_before(self._ch[c], runs, at))
        if self.settings.weak_low_move > 0:
            # nightweak2: or a weak leg movement ended before the run, and before the span
            # (weak_s) the weak path read at that frame, which is the contraction itself
            w = round(self.settings.weak_s / self.hop_s)
            wait |= self._low_moved(self._ch[c], np.minimum(at, run.start + mine - w + 1))
        ok &= ~(low & wait) | (runs.elapsed[mine] >= self.settings.series_wait_s / self.hop_s)

    def _low_moved(self, ch: _Channel, before: np.ndarray) -> np.ndarray:
        """nightweak2 (session 20): per frame of ``before``, whether the leg stood over
        ``weak_low_move`` x its baseline for ``movement_min_s`` or more in a stretch that
        ended within ``quiet_s`` before it: a weak leg movement on the lower tier's own scale
        (at a 10-bit quantization floor a series of leg movements stands at 3-5x, never at the
        6x of a movement)."""
        ends = np.asarray(ch.low_moves, dtype=np.int64)
        if not ends.size:
            return np.zeros(before.shape, dtype=bool)
        q = round(self.settings.quiet_s / self.hop_s)
        e = ends[None, :]
        return ((e >= before[:, None] - q) & (e < before[:, None])).any(axis=1)

    def _low_moves_scan(self, start: int, n: int) -> None:
        """nightweak2 (session 20): keep, per leg, the last frames of its stretches over
        ``weak_low_move`` x its baseline (100 ms envelope, every frame; blocked or unknown
        frames count as below) of ``movement_min_s`` or more, carried over block cuts; those
        too old to fall within ``quiet_s`` before a run still inside ``series_wait_s`` are
        forgotten."""
        s = self.settings
        fr = 1.0 / self.hop_s
        min_n = max(1, round(s.movement_min_s * fr))
        forget = start - round((s.quiet_s + s.series_wait_s + HISTORY_S) * fr)
        a = start - self._ext_start
        with np.errstate(invalid="ignore"):
            up = (
                self._ext_fast[:, a : a + n] >= s.weak_low_move * self._ext_base[:, a : a + n]
            ) & (~self._ext_blk[:, a : a + n])
        any_up = up.any(axis=1)
        for c, ch in enumerate(self._ch):
            if ch.low_moves and ch.low_moves[0] < forget:  # kept in time order
                ch.low_moves = tuple(e for e in ch.low_moves if e >= forget)
            if not any_up[c] and ch.low_up < min_n and n > 0:
                # (the usual frame at rest: no stretch is under way or ends here)
                ch.low_up = 0
                continue
            ended, ch.low_up = _dips_over(up[c], ch.low_up, min_n)  # (a stretch up, not a dip)
            if ended.any():
                ch.low_moves += tuple((start + np.flatnonzero(ended) - 1).tolist())

    def _rose(self, run: _Run) -> np.ndarray:
        """Which of a run's candidate frames rose above the activity before the run."""
        c, start, runs, beside, paths, rs, mine = (
            run.c, run.start, run.runs, run.beside, run.paths, run.rs, run.mine,
        )  # fmt: skip
        s = self.settings
        level, ctx, pre, slow = runs.level, beside.ctx, beside.pre, paths.slow
        # Only frames that rose above the activity before the run can alert.
        # (The settle path has its own context: the gait before it, the other legs.)
        # (afterhold: right after an effort, against rest, not against that effort)
        ok = (level[mine] >= s.rise_ratio * pre[mine]) | paths.after_effort[mine]
        if s.fast_ref_fraction > 0:
            # The early paths need the strongest activity of the last minutes before
            # the run to be matched: a cramp is rarely weaker than earlier movements.
            ok &= slow[mine] | (level[mine] >= s.fast_ref_fraction * ctx.ref_before[mine])
        if s.turn_quiet_s > 0:
            # nightmiss: after turning over, the other legs back at rest: the turnover
            # is not the level this leg must rise above; its level before it is.
            turned = ~ok & self._after_turnover(c, start + mine, ctx.pre[:, mine])
            if turned.any():
                k = mine[turned]
                floor = self._lowest_before(c, start + k, rs)
                with np.errstate(invalid="ignore"):
                    ok[np.flatnonzero(turned)] = level[k] >= s.rise_ratio * floor
        return ok

    def _night_waits(self, run: _Run, ok: np.ndarray) -> None:
        """(In place on ``ok``.) Night: the early paths wait out a leg movement (shortly after
        another one, a flat plateau, turning over with the other leg up)."""
        c, start, st, runs, paths, rs, mine = (
            run.c, run.start, run.st, run.runs, run.paths, run.rs, run.mine,
        )  # fmt: skip
        s, ch = self.settings, self._ch[c]
        fr = 1.0 / self.hop_s
        elapsed, move_ends, slow = runs.elapsed, runs.move_ends, paths.slow
        if s.quiet_s > 0 and not self._quiet_before(ch, runs, rs):
            # Shortly after a movement: maybe the next of a periodic series of leg
            # movements (every 5-90 s, each 0.5-10 s): the early paths wait until the
            # activation has outlasted nearly every such movement.
            cleared = elapsed[mine] >= s.moved_fast_s * fr
            seen = np.searchsorted(move_ends, rs) > 0 or ch.move_seen
            if s.moved_swing > 0 and seen:
                # latency: ... unless it builds up or waxes and wanes without relaxing,
                # which a leg movement of the series (a flat plateau reached at once, or
                # bursts that sag) does not. (The recording's start is no movement: a
                # recording may open on a voluntary contraction.)
                ask = ok & ~slow[mine] & ~cleared
                if ask.any():
                    k = mine[ask]
                    swing = self._swing(c, start + k, st["base"][k])
                    cleared[np.flatnonzero(ask)] = (swing >= s.moved_swing) & (
                        st["dip"][k] >= s.moved_dip
                    )
            ok &= slow[mine] | cleared
        if s.plateau_swing > 0:
            # Night: a leg movement reaches its level at once and holds it; a cramp
            # builds up and waxes and wanes. A flat plateau takes the early paths only
            # once it has outlasted nearly every leg movement (as after a movement).
            ask = ok & ~slow[mine] & (elapsed[mine] < s.moved_fast_s * fr)
            if ask.any():
                k = mine[ask]
                swing = self._swing(c, start + k, st["base"][k])
                ok[np.flatnonzero(ask)] = swing >= s.plateau_swing
        if s.turn_other_s > 0 and ok.any():
            # turnfa: turning over moves both legs; while the other leg is up too, the
            # early paths wait (the slow path does not): a cramp that goes on after the
            # turnover takes them once the other leg is still again.
            ask = ok & ~slow[mine]
            if ask.any():
                busy = self._others_up(c, start + mine[ask]) >= s.turn_other_share
                if s.turn_other_rise > 0 and busy.any():  # turnwin (session 16)
                    self._rose_with(c, start + mine[ask], rs, busy)
                ok[np.flatnonzero(ask)] = ~busy
            # nightmove: ... and while another leg moves strongly and relaxes (turning
            # over; a cramp of both legs does not relax), the slow path waits too.
            ask = ok & slow[mine] & (elapsed[mine] < s.turn_slow_s * fr)
            if ask.any():
                ok[np.flatnonzero(ask)] = ~self._others_turning(c, start + mine[ask], rs)

    def _rose_with(self, c: int, frames: np.ndarray, rs: int, busy: np.ndarray) -> None:
        """turnwin (session 16): (in place on ``busy``, per frame of ``frames``, absolute,
        ascending) another leg counts as turning over with leg ``c`` only where it also stands
        at ``turn_other_rise`` x its median level over the ``turn_rest_s`` before this leg's
        run (from ``rs``) or more: a leg already as active for that long (a restless or tonic
        leg beside a cramp setting in) did not turn over with it, a leg that rose with the run
        did. Only frames for which that span is within the history a frame is sure to have
        (``HISTORY_S``) are judged (any block size gives the same); the others keep ``busy``."""
        s = self.settings
        lo = rs - round(s.turn_rest_s / self.hop_s)
        seen = busy & (frames - lo <= self._hist_len)
        a, b = max(lo - self._ext_start, 0), rs - self._ext_start
        if not seen.any() or b <= a:
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN span: unknown
            before = np.nanmedian(self._ext_level[:, a:b], axis=1)
        k = np.flatnonzero(seen)
        share = self._others_up(c, frames[k], pre=s.turn_other_rise * before)
        busy[k] = share >= s.turn_other_share

    def _one_leg_waits(self, run: _Run, ok: np.ndarray) -> None:
        """(In place on ``ok``.) A cramp takes one leg: while both legs are up (over the run
        and lately), only a run that has lasted bilateral_s alerts."""
        runs, beside, paths, mine = run.runs, run.beside, run.paths, run.mine
        s = self.settings
        fr = 1.0 / self.hop_s
        elapsed, bil = runs.elapsed, beside.bil
        fast, slow, quiet = paths.fast, paths.slow, paths.quiet
        if ok.any():
            long = elapsed[mine] >= s.bilateral_s * fr
            one = (bil[mine] < s.bilateral_share) | long | beside.alone[mine]
            # train: ... and not both legs over the last bilateral_recent_s either
            one &= (beside.recent_bil[mine] < s.bilateral_share) | long
            if s.stand_memory_other > 0:
                # standmem: the slow path counts another leg only above its standing level
                one_stand = (beside.bil_stand[mine] < s.bilateral_share) | long | beside.alone[mine]
                one_stand &= (beside.recent_stand[mine] < s.bilateral_share) | long
                one |= slow[mine] & one_stand
            ok &= one
            # Night: steady from rest on one leg only; the other leg moving as well
            # (turning over, restless legs) leaves the steady case to the slow path.
            ok &= ~quiet[mine] | fast[mine] | slow[mine] | (bil[mine] <= s.quiet_other_share)

    def _voluntary_waits(self, run: _Run, ok: np.ndarray) -> None:
        """(In place on ``ok``.) No alert on a contraction that sags (night hold test), on a
        voluntary onset (both legs stepped up together, or out of steady standing) or before
        the next burst of a periodic series has outlasted a leg movement."""
        c, start, st, runs, paths, rs, mine = (
            run.c, run.start, run.st, run.runs, run.paths, run.rs, run.mine,
        )  # fmt: skip
        s, ch = self.settings, self._ch[c]
        fr = 1.0 / self.hop_s
        run_start, elapsed = runs.run_start, runs.elapsed
        if s.hold_floor > 0 and ok.any():
            # Night: a cramp does not relax. A leg movement decays towards its end and
            # turning over (on ENV input one run of both legs' bursts) sags between
            # bursts: no alert while the last hold_s fell well below the recent level.
            k = mine[ok]
            end = start + k - self._ext_start
            held = held_at(
                self._ext_fast[c],
                end,
                np.maximum(run_start[k] - self._ext_start, end - self._hold_ctx),
                st["base"][k],
                self._hold_w,
                self._hold_k,
                s.rest_offset,
            )
            ok[np.flatnonzero(ok)] = held >= s.hold_floor
        ask = ok & ~paths.slow[mine]
        if (s.step_both > 0 or s.stand_step > 0) and ask.any():
            # Voluntary onsets the early paths wait out. trainfa: a voluntary hold or calf
            # raises are commanded and often start on both legs at once; a cramp takes one
            # leg: no early alert while both legs stand well above their level of
            # step_back_s ago. fastfa: a hold stepped up out of steady standing (the leg
            # active, nothing released) within the last seconds is not a cramp's onset,
            # which comes from rest or right after an effort.
            at = start + mine[ask] - self._ext_start
            voluntary = np.zeros(at.size, dtype=bool)
            if s.step_both > 0:
                voluntary |= self._stepped_together(c, at)
            if s.stand_step > 0:
                voluntary |= self._stood_then_stepped(c, at)
            ok[np.flatnonzero(ask)] = ~voluntary
        if s.series_wait_s > 0 and ok.any() and self._in_series(ch, runs, rs):
            # nightmove (session 10): the next burst of a periodic series of leg
            # movements: no path alerts before it has outlasted a leg movement. Not
            # within the recurrence watch after an event that lasted series_cramp_s: a
            # muscle that has just cramped is prone to cramp again, whatever the
            # movements between.
            ok &= (elapsed[mine] >= s.series_wait_s * fr) | (runs.frames[mine] < ch.cramped_until)

    def _late_waits(self, run: _Run, ok: np.ndarray) -> None:
        """(In place on ``ok``, every path.) After the leg walked away from an alert, and
        while another leg cramps, a run must rise well above that level or last longer."""
        c, start, runs, mine = run.c, run.start, run.runs, run.mine
        s, ch = self.settings, self._ch[c]
        fr = 1.0 / self.hop_s
        level = runs.level
        if ok.any() and start + mine[0] < ch.strode_until:
            # trainend: the leg walked away from its last alert (a false one, or a cramp
            # over): the level it alerted at is one of its own standing, holds or raises.
            # A cramp after it must rise well above it.
            k = np.flatnonzero(ok & (start + mine < ch.strode_until))
            ok[k] = level[mine[k]] >= s.strode_rise * ch.strode_level
        if s.other_cramp_s > 0:
            # rebase: another leg cramps, still contracted: the sleeper is awake and
            # moves this one (stretching the cramped one); only a run that outlasts a leg
            # movement is taken for a cramp too.
            ok &= ~self._other_cramping(c, start + mine) | (
                runs.elapsed[mine] >= s.other_cramp_s * fr
            )

    def _prodrome_waits(self, run: _Run, ok: np.ndarray) -> None:
        """prodrome (session 22): (in place on ``ok``, every path) a frame of a leg that stood
        raised (``weak_floor`` x its lowest baseline there, in ``prodrome_share`` of the frames)
        over a ``prodrome_s`` span ending ``prodrome_gap_s`` before it, with no other leg so
        in ``quiet_other_share`` of that span, waits until the leg's ``escalate_s`` median has
        stood, at some frame since the span, ``prodrome_step`` x over that span's level (its
        median, or the median of its last ``PRODROME_END_SHARE`` if higher: a creep; both over
        the resting offset): a prodrome's raised rest going on is no cramp, the cramp steps up
        out of it. The weak path's late ``long`` candidates (a stretch the baseline tracker
        holds) are not asked. Reads only the detector's history (``prodrome_s`` +
        ``prodrome_gap_s`` within it)."""
        c, start, mine = run.c, run.start, run.mine
        s = self.settings
        ask = np.flatnonzero(ok)
        frames = start + mine[ask]
        if self._held_s is not None:
            i = frames - self._part_start
            inside = (i >= 0) & (i < self._held_s.shape[1])
            held = np.zeros(frames.shape[0], dtype=bool)
            held[inside] = self._held_s[c, i[inside]] > 0
            ask, frames = ask[~held], frames[~held]
            if not ask.size:
                return
        span = max(1, round(s.prodrome_s / self.hop_s))
        gap = round(s.prodrome_gap_s / self.hop_s)
        now_w = max(1, round(s.escalate_s / self.hop_s))
        end = frames - self._ext_start + 1  # exclusive ends in the extended arrays
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN spans: before the stream
            lev = _windows_ending(self._ext_fast, end - gap, span)  # (C, m, span)
            rest = np.nanmin(_windows_ending(self._ext_base, end - gap, span), axis=2)
            with np.errstate(invalid="ignore"):
                share = (lev >= s.weak_floor * rest[:, :, None]).mean(axis=2)  # (C, m)
            raised = share[c] >= s.prodrome_share
            if self.n_channels > 1:
                raised &= (np.delete(share, c, axis=0) < s.quiet_other_share).all(axis=0)
            if not raised.any():
                return
            off = s.rest_offset * rest[c]
            # the raised rest's level: its median, or where it had crept up to by its end
            tail = max(1, round(PRODROME_END_SHARE * span))
            pre = np.maximum(np.nanmedian(lev[c], axis=1), np.nanmedian(lev[c, :, -tail:], axis=1))
            pre -= off
            # the highest ``escalate_s`` median since the span (a cramp waxes and wanes: its
            # candidate frame may come in a trough)
            since = _windows_ending(self._ext_fast[c : c + 1], end, max(gap, now_w))[0]
            now = np.nanmax(np.nanmedian(windows(since, now_w), axis=2), axis=1)
            stepped = (now - off) >= s.prodrome_step * pre
        ok[ask[raised & ~stepped]] = False

    def _in_series(self, ch: _Channel, runs: _Runs, rs: int) -> bool:
        """Night (nightmove, session 10): a run starting at ``rs`` is the next burst of a
        periodic series: within ``series_s`` before it the leg made ``series_moves``
        movements or more, each apart from the one before by ``series_gap_s`` of rest
        (pieces of one movement closer than that count as one), the run starts
        ``series_gap_s`` or more after the last of them and one period after its start:
        the time from that start to ``rs`` is within a factor ``series_ratio`` of the
        time between the starts of the last two movements."""
        s = self.settings
        fr = 1.0 / self.hop_s
        move_ends = runs.move_ends
        here = np.flatnonzero(move_ends <= rs)
        moves = ch.moves + tuple(
            zip(runs.prev_rs[runs.ended[here]].tolist(), move_ends[here].tolist(), strict=True)
        )
        lo, gap = rs - s.series_s * fr, s.series_gap_s * fr
        kept = [m for m in moves if lo <= m[1] <= rs]
        if not kept or rs - kept[-1][1] < gap:
            return False
        starts = [kept[0][0]] + [b[0] for a, b in itertools.pairwise(kept) if b[0] - a[1] >= gap]
        if len(starts) < max(2, s.series_moves):
            return False
        period, now = starts[-1] - starts[-2], rs - starts[-1]
        return period > 0 and period / s.series_ratio <= now <= period * s.series_ratio

    def _quiet_before(self, ch: _Channel, runs: _Runs, rs: int) -> bool:
        """Night: the leg was at rest long enough before a run starting at ``rs``."""
        s = self.settings
        fr = 1.0 / self.hop_s
        move_ends = runs.move_ends
        k = np.searchsorted(move_ends, rs) - 1
        if k >= 0 or ch.move_seen:
            last = int(move_ends[k]) if k >= 0 else ch.last_move_end
            return rs - last >= s.quiet_s * fr
        # No movement seen since the stream began: rest seen for quiet_start_s will do.
        return rs - ch.last_move_end >= s.quiet_start_s * fr

    def _candidate_features(
        self,
        st: dict[str, np.ndarray],
        runs: _Runs,
        beside: _Beside,
        paths: _Paths,
        rows: np.ndarray,
    ) -> np.ndarray:
        """Rows of CANDIDATE_FEATURES at block indices ``rows``."""
        level, pre = runs.level, beside.pre
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.column_stack(
                [
                    runs.elapsed[rows] * self.hop_s,
                    st["irr"][rows],
                    st["dip"][rows],
                    np.log(np.maximum(st["med"][rows], 1e-6)),
                    np.log(np.maximum(level[rows], 1e-9)) - np.log(np.maximum(pre[rows], 1e-9)),
                    beside.bil[rows],
                    np.log(np.maximum(level[rows], 1e-9))
                    - np.log(np.maximum(st["ref"][rows], 1e-9)),
                    paths.rec[rows].astype(float),
                    paths.fast[rows].astype(float),
                    paths.quiet[rows].astype(float),
                ]
            )

    def _carry_runs(
        self, ch: _Channel, start: int, runs: _Runs, beside: _Beside, g: int | None
    ) -> None:
        """The run state carried to the next block: up to the alert's frame, or the whole
        block; the movements that ended there."""
        n = runs.frames.shape[0]
        upto = n if g is None else g + 1
        ended, move_ends = runs.ended, runs.move_ends
        done = move_ends[ended < upto]
        if done.size:
            ch.last_move_end, ch.move_seen = int(done[-1]), True
        ch.last_on = int(runs.last_on[upto - 1])
        ch.run_start = int(runs.run_start[upto - 1])
        ch.run_strong = int(runs.run_strong[upto - 1]) if ch.run_start >= 0 else 0
        ch.bilateral = int(beside.bil_count[upto - 1]) if ch.run_start >= 0 else 0
        ch.bilateral_stand = int(beside.stand_count[upto - 1]) if ch.run_start >= 0 else 0
        ch.last_co = int(beside.last_co[upto - 1])
        ch.context = beside.ctx.take(slice(upto - 1, upto)) if ch.run_start >= 0 else None
        # nightmove (session 10): the movements of this leg, for the series test
        over = ended[ended < upto]
        self._remember_moves(
            ch,
            list(zip(runs.prev_rs[over].tolist(), runs.frames[over].tolist(), strict=True)),
            start + upto,
        )

    def _note_alert(
        self,
        st: dict[str, np.ndarray],
        runs: _Runs,
        beside: _Beside,
        paths: _Paths,
        g: int,
        carried_move_end: int,
    ) -> None:
        """What the alert at block index ``g`` was judged on: its path, run, context and
        features, and the time since the leg's last movement."""
        run_start, move_ends = runs.run_start, runs.move_ends
        named = (
            ("fast", paths.fast),
            ("quiet", paths.quiet),
            ("slow", paths.slow),
            ("settle", paths.settle),
        )
        self._path = next((p for p, m in (*named, ("weak", paths.weak)) if m[g]), "held")
        # nightwatch (session 17): a frame the recurrence watch's shortened slow path holds
        # (before ``slow_s``) skips the early paths' waits: the slow path found it, whatever
        # else matched
        if paths.slow[g] and paths.rec[g] and runs.elapsed[g] < self.settings.slow_s / self.hop_s:
            self._path = "slow"
        # (miss) a weak cramp's runs break: its onset is sought over the whole lookback
        # (exert: so is a held contraction's, judged over held_s, not its broken run)
        broken = self._path in ("weak", "held")
        self._run_start_at_alert = -1 if broken else int(run_start[g])
        self._context_at_alert = beside.ctx.take(slice(g, g + 1))
        self._features_at_alert = self._candidate_features(st, runs, beside, paths, np.array([g]))[
            0
        ]
        self._recurrent = bool(paths.rec[g])
        rs = int(run_start[g])
        k = int(np.searchsorted(move_ends, rs)) - 1
        self._since_move_at_alert = rs - (int(move_ends[k]) if k >= 0 else carried_move_end)

    # nightmove (session 10): periodic leg movements come in series
    def _remember_moves(self, ch: _Channel, new: list[tuple[int, int]], now: int) -> None:
        """Add movements ``new`` ((start, end) frames) to ``ch.moves`` and forget those that
        ended more than ``series_s`` before both ``now`` and the open run's start (no run
        starting later can count them)."""
        keep = round(self.settings.series_s / self.hop_s)
        if keep <= 0:
            return
        moves = ch.moves + tuple(new) if new else ch.moves
        since = min(now, ch.run_start) if ch.run_start >= 0 else now
        ch.moves = tuple(m for m in moves if m[1] >= since - keep)

    # afterhold: the slow path's shorter floor right after an effort of that leg
    def _swing(self, c: int, frames: np.ndarray, base: np.ndarray) -> np.ndarray:
        """How far channel ``c``'s 100 ms envelope swung over the ``fast_s`` up to each of
        ``frames`` (:func:`swing_at`; ``base`` the resting level there, µV)."""
        return swing_at(
            self._ext_fast[c],
            frames - self._ext_start,
            base,
            self._swing_w,
            self.settings.rest_offset,
        )

    def _one_leg_over(self, c: int, idx: np.ndarray, span_s: float) -> np.ndarray:
        """Whether leg ``c``'s mean 100 ms level over the ``span_s`` (s) ending at each history
        index ``idx`` relative to its activity reference (above the resting offset) reached
        ``after_effort_level`` and stood ``settle_one_leg`` x every other leg's there (False
        where the history is shorter)."""
        s = self.settings
        w = max(round(span_s / self.hop_s), 1)
        span = idx[:, None] - np.arange(w)[None, :]  # (k, w): the frames of each span
        ok = span[:, -1] >= 0
        span = np.maximum(span, 0)
        floor = s.rest_offset * np.nan_to_num(self._ext_base)
        mean = np.nan_to_num(self._ext_fast[:, span] - floor[:, span]).mean(axis=2)  # (C, k)
        top = self._ext_ref[:, idx] - floor[:, idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(top > 0, mean / top, 0.0)
        # ... and itself an effort, not a standing leg beside a quieter one
        return ok & (rel[c] >= s.after_effort_level) & self._one_leg(rel)[c]

    # replead: a cramp after an effort builds up, a voluntary repetition is ramped up
    def _slow_rise(
        self, c: int, frames: np.ndarray, last: np.ndarray, base: np.ndarray
    ) -> np.ndarray:
        """Whether leg ``c``'s 100 ms envelope above the resting offset (averaged over
        ``RISE_SMOOTH_S``), between the end of the effort (absolute frames ``last``) and each
        of ``frames``, took at least ``after_effort_rise_s`` to rise from below ``RISE_LOW``
        to ``RISE_HIGH`` x its median over the last ``fast_s`` (:meth:`_recent`; ``base``
        the resting baseline at ``frames``, µV): its first rise to ``RISE_HIGH`` timed from
        the last frame before it below ``RISE_LOW``. False where it never was below
        ``RISE_LOW`` there, or where that span does not lie within ``HISTORY_S`` of the
        frame judged."""
        s = self.settings
        fr = 1.0 / self.hop_s
        e0 = self._ext_start
        _, q = self._recent(c, frames - e0, base)
        w = max(round(RISE_SMOOTH_S * fr), 1)
        span = int(np.max(frames - last)) + 1
        idx = (last - e0)[:, None] + np.arange(span)[None, :]  # (k, span)
        valid = (idx <= (frames - e0)[:, None]) & (idx - w + 1 >= 0)
        x = np.nan_to_num(self._above_rest(c))
        safe = np.clip(idx, 0, x.shape[0] - 1)  # (frames past each row's own are not valid)
        csum = np.concatenate([[0.0], np.cumsum(x)])
        sm = (csum[safe + 1] - csum[np.clip(safe + 1 - w, 0, None)]) / w
        high = valid & (sm >= RISE_HIGH * q[:, None])
        low = valid & (sm < RISE_LOW * q[:, None])
        u = np.argmax(high, axis=1)  # first frame at the high level
        cols = np.arange(span)[None, :]
        b = np.max(np.where(low & (cols < u[:, None]), cols, -1), axis=1)  # last low before it
        ok = high.any(axis=1) & (b >= 0) & (frames - last + w <= round(HISTORY_S * fr))
        return ok & ((u - b) >= round(s.after_effort_rise_s * fr))

    # replead: the effort is the seconds before it ended, not the pause after it
    def _effort_before(
        self, c: int, frames: np.ndarray, last: np.ndarray, ref: np.ndarray
    ) -> np.ndarray:
        """Whether leg ``c``'s mean 100 ms level above the resting offset over the
        ``after_effort_span_s`` before the effort ended (absolute frames ``last``) reached
        ``after_effort_level`` x its activity reference there (False where that span does not
        lie within ``HISTORY_S`` of the frame judged, ``frames``)."""
        s = self.settings
        w = max(round(s.after_effort_span_s / self.hop_s), 1)
        lo = last - w
        ok = (frames - lo <= round(HISTORY_S / self.hop_s)) & (lo - self._ext_start >= 0)
        idx = np.clip(last - self._ext_start, 1, None)
        span = np.maximum(idx[:, None] - 1 - np.arange(w)[None, :], 0)
        floor = s.rest_offset * np.nan_to_num(self._ext_base[c])
        mean = np.nan_to_num(self._above_rest(c)[span]).mean(axis=1)
        top = self._ext_ref[c, idx - 1] - floor[idx - 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(top > 0, mean / top, 0.0)
        return ok & (rel >= s.after_effort_level)

    # standfa: the run resumed the steady level the leg held before it
    def _resumed(self, c: int, frames: np.ndarray, run_start: np.ndarray) -> np.ndarray:
        """Whether leg ``c``'s run (starting at the absolute frames ``run_start``) resumed the
        level the leg held just before it, at each of ``frames``: over the ``pre_run_s`` up to
        PRE_RUN_GAP_S before the run the 100 ms envelope above the resting offset stayed
        steady (its 10th percentile at least ``resume_floor`` x its median: nothing was
        released), and its median over the last ``step_now_s`` lies within ``resume_ratio``
        x that median either way (False where that span is not within the history)."""
        s = self.settings
        fr = 1.0 / self.hop_s
        x = np.nan_to_num(self._above_rest(c))[None, :]
        e0 = self._ext_start
        w = round(s.pre_run_s * fr) - round(PRE_RUN_GAP_S * fr)
        ends = run_start - e0 - round(PRE_RUN_GAP_S * fr)  # exclusive ends of the spans
        ok = ends - w >= 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a span before the history
            before = _windows_ending(x, np.maximum(ends, 1), w)[0]  # (k, w)
            med = np.nanmedian(before, axis=1)
            low = np.nanpercentile(before, TROUGH_PCT, axis=1)
            now = np.nanmedian(
                _windows_ending(x, frames - e0 + 1, round(s.step_now_s * fr))[0], axis=1
            )
        with np.errstate(invalid="ignore"):
            steady = (med > 0) & (low >= s.resume_floor * med)
            near = (now <= s.resume_ratio * med) & (med <= s.resume_ratio * now)
        return ok & steady & near

    # startfa: a leg that has only stood has no effort of its own to follow
    def _own_effort(self, c: int, idx: np.ndarray, share: float | None = None) -> np.ndarray:
        """Whether leg ``c``'s activity reference (its strongest recent activity) above the
        resting offset, over its resting baseline, reaches ``share`` (default
        ``own_effort_share``) x every other leg's, at each history index ``idx`` (True with
        one channel: no other leg to compare)."""
        s = self.settings
        if self.n_channels < 2:
            return np.ones(idx.shape[0], dtype=bool)
        base = self._ext_base[:, idx]
        floor = s.rest_offset * np.nan_to_num(base)
        with np.errstate(invalid="ignore", divide="ignore"):
            over = np.where(base > 0, (self._ext_ref[:, idx] - floor) / base, np.nan)  # (C, k)
        other = np.nan_to_num(np.delete(over, c, axis=0), nan=-np.inf).max(axis=0)
        with np.errstate(invalid="ignore"):
            return ~(over[c] < (s.own_effort_share if share is None else share) * other)

    # demofa: in the first minute, standing is no effort
    def _stood(self, c: int, frames: np.ndarray) -> np.ndarray:
        """Whether leg ``c`` was standing at each of ``frames`` (absolute, within the history):
        on (its median 250 ms level over the last ``window_s`` at ``on_ratio`` x its resting
        baseline or more: a leg back at rest after an effort is not standing), the stand
        test (:meth:`_standing`) against :meth:`_start_reference`, and not striding
        (:meth:`_striding_at` over the ``gait_window_s`` up to it: gait is an effort)."""
        s = self.settings
        k = max(1, round(s.window_s / self.hop_s))
        end = frames - self._ext_start + 1
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = self._ext_level[c] / self._ext_base[c]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a window before the history
            med = np.nanmedian(_windows_ending(rel[None, :], end, k)[0], axis=1)
        with np.errstate(invalid="ignore"):
            on = med >= s.on_ratio
        out = on & self._standing(c, frames, self._start_reference())
        if s.gait_window_s > 0 and out.any():  # gait is an effort, however low its level
            k = np.flatnonzero(out)
            out[k] = ~self._striding_at(c, frames[k], frames[k] - self._gait_w + 1)
        return out

    # demofa: in the first minute a leg's reference is no lower than the other legs' suggest
    def _start_reference(self, share: float | None = None) -> np.ndarray:
        """The activity reference over the kept history (C, T; µV), within the first
        ``stand_effort_s`` of the stream raised, above the resting offset, to at least
        ``share`` (default ``stand_effort_share``) x the strongest other leg's reference over
        its resting baseline, times this leg's resting baseline (unchanged with one channel)."""
        s = self.settings
        ref = self._ext_ref
        share = s.stand_effort_share if share is None else share
        if share <= 0 or self.n_channels < 2:
            return ref
        base = np.nan_to_num(self._ext_base)
        floor = s.rest_offset * base
        with np.errstate(invalid="ignore", divide="ignore"):
            over = np.where(base > 0, (ref - floor) / base, 0.0)
        other = np.stack([np.delete(over, c, axis=0).max(axis=0) for c in range(self.n_channels)])
        raised = floor + share * other * base
        early = self._ext_start + np.arange(ref.shape[1]) < self._stand_effort_n
        return np.where(early[None, :] & (raised > ref), raised, ref)

    def _above_rest(self, c: int) -> np.ndarray:
        """Leg ``c``'s 100 ms envelope above its resting offset over the kept history (µV)."""
        return self._ext_fast[c] - self.settings.rest_offset * np.nan_to_num(self._ext_base[c])

    # holds, holdfa: a voluntary hold is released, a step up out of standing is no plateau
    def _recent(self, c: int, idx: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Leg ``c``'s 100 ms envelope above the resting offset at each history index ``idx``
        (``base`` the resting baseline there, µV) and its median over the ``fast_s`` ending
        there (µV)."""
        span = np.maximum(idx[:, None] - np.arange(self._swing_w)[None, :], 0)
        offset = self.settings.rest_offset * np.nan_to_num(base)
        above = self._ext_fast[c, span] - offset[:, None]
        return above[:, 0], np.median(above, axis=1)

    def _releasing(self, c: int, idx: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Whether leg ``c`` fell below ``slow_release`` x its median over ``fast_s`` (see
        :meth:`_recent`): a voluntary hold being released."""
        now, median = self._recent(c, idx, base)
        with np.errstate(invalid="ignore"):
            return now < self.settings.slow_release * median

    def _stepping(self, c: int, idx: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Whether leg ``c`` stands above ``slow_step`` x its median over ``fast_s`` (see
        :meth:`_recent`): a step up, not the contraction the slow path found sustained."""
        now, median = self._recent(c, idx, base)
        with np.errstate(invalid="ignore"):
            return now > self.settings.slow_step * median

    # indtrain: the slow path found standing sustained, not the hold stepped up out of it
    def _stepped_lately(self, c: int, idx: np.ndarray) -> np.ndarray:
        """Whether leg ``c``'s median 100 ms envelope (above the resting offset) over the last
        ``step_now_s`` up to each history index ``idx`` stands above ``slow_prior_step`` x its
        median over the ``fast_s`` that ended ``fast_s`` before (False where the history does
        not reach back)."""
        s = self.settings
        x = self._above_rest(c)[None, :]
        w = self._swing_w
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a window before the history
            now = np.nanmedian(
                _windows_ending(x, idx + 1, round(s.step_now_s / self.hop_s))[0], axis=1
            )
            was = np.nanmedian(_windows_ending(x, idx + 1 - w, w)[0], axis=1)
        with np.errstate(invalid="ignore"):
            return now > s.slow_prior_step * was

    # fastfa: a hold stepped up out of steady standing
    def _stood_then_stepped(self, c: int, idx: np.ndarray) -> np.ndarray:
        """Whether, at each history index ``idx``, leg ``c`` stepped up lately out of steady
        standing: over some ``stand_pre_s`` span ending ``fast_s`` + m x STAND_LAG_S before
        (m = 0, 1, .. while that end lies within ``stand_step_s``) its 100 ms envelope above
        the resting offset stayed steady (10th percentile >= ``stand_step_floor`` x its median,
        90th percentile <= its median / ``stand_step_floor``: nothing released, no effort) at
        standing's level (its median from ``stand_level`` up to ``stand_ref_ceiling`` x the
        leg's activity reference: not rest, not a contraction); since then the leg stood on
        (10th percentile >= ``stand_step_floor`` x that median) and stepped up: its median over
        the last ``step_now_s``, or the 90th percentile since (a hold released back to
        standing), stands at ``stand_step`` x that median or more (False where the history
        does not reach back). The spans are sampled every STAND_STRIDE_S."""
        s = self.settings
        fr = 1.0 / self.hop_s
        x = np.nan_to_num(self._above_rest(c))[None, :]
        top = self._ext_ref[c] - s.rest_offset * np.nan_to_num(self._ext_base[c])
        w = max(2, round(s.stand_pre_s * fr))
        stride = max(1, round(STAND_STRIDE_S * fr))
        out = np.zeros(idx.shape[0], dtype=bool)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a window before the history
            now = np.nanmedian(_windows_ending(x, idx + 1, round(s.step_now_s * fr))[0], axis=1)
            lag, step = round(s.fast_s * fr), max(1, round(STAND_LAG_S * fr))
            while lag <= round(s.stand_step_s * fr):
                end = idx + 1 - lag
                inside = end - w >= 0
                span = _windows_ending(x, np.maximum(end, 1), w)[0][:, ::-stride]
                med = np.nanmedian(span, axis=1)
                low, high = np.nanpercentile(span, (TROUGH_PCT, PEAK_PCT), axis=1)
                t = top[np.clip(end - 1, 0, None)]
                # ... the leg stood on until now (nothing released since) and stepped up since:
                # now, or earlier (a hold released back to standing is no cramp either)
                low_since, high_since = np.nanpercentile(
                    _windows_ending(x, idx + 1, lag)[0][:, ::-stride],
                    (TROUGH_PCT, PEAK_PCT),
                    axis=1,
                )
                with np.errstate(invalid="ignore"):
                    out |= (
                        inside
                        & (low_since >= s.stand_step_floor * med)
                        & (med > 0)
                        & (low >= s.stand_step_floor * med)
                        & (s.stand_step_floor * high <= med)
                        & (med >= s.stand_level * t)
                        & (med <= s.stand_ref_ceiling * t)
                        & ((now >= s.stand_step * med) | (high_since >= s.stand_step * med))
                    )
                lag += step
        return out

    # trainfa: a voluntary hold or calf raises start on both legs at once
    def _stepped_together(self, c: int, idx: np.ndarray) -> np.ndarray:
        """Whether, at each history index ``idx``, leg ``c`` and another leg both stand (the
        median 100 ms envelope above the resting offset over the last ``step_now_s``) at
        ``step_both`` x or more their median over the ``fast_s`` that began ``step_back_s``
        before, the other one comparably strong (``bilateral_strength`` x leg ``c``'s level,
        each over its activity reference) and not in a cramp the detector raised."""
        s = self.settings
        if self.n_channels < 2:
            return np.zeros(idx.shape[0], dtype=bool)
        floor = s.rest_offset * np.nan_to_num(self._ext_base)
        x = np.nan_to_num(self._ext_fast - floor)
        back = round(s.step_back_s / self.hop_s)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a window before the history
            now = np.nanmedian(_windows_ending(x, idx + 1, round(s.step_now_s / self.hop_s)), 2)
            was = np.nanmedian(_windows_ending(x, idx + 1 - back + self._swing_w, self._swing_w), 2)
        top = self._ext_ref[:, idx] - floor[:, idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            up = now >= s.step_both * was
            rel = np.where(top > 0, now / top, 0.0)
        up &= ~self._alerted(idx + self._ext_start)  # a leg in a raised cramp is no hold
        other = np.delete(up & (rel >= s.bilateral_strength * rel[c]), c, axis=0).any(axis=0)
        return up[c] & other

    # nightmiss: a cramp that goes on after turning over
    def _after_turnover(self, c: int, frames: np.ndarray, pre: np.ndarray) -> np.ndarray:
        """Per frame (absolute ``frames``): the run of leg ``c`` began while every leg was
        active (``pre``, (C, k): each leg's level before the run, at least ``on_ratio`` x
        its rest) and every other leg has stayed below ``on_ratio`` x its rest over the
        last ``turn_quiet_s``."""
        s = self.settings
        if self.n_channels < 2:
            return np.zeros(frames.shape[0], dtype=bool)
        w = max(1, round(s.turn_quiet_s / self.hop_s))
        idx = frames - self._ext_start  # within the history (HISTORY_S > turn_quiet_s)
        lvl, base = self._ext_level, self._ext_base
        with np.errstate(invalid="ignore"):
            up = lvl >= s.on_ratio * base  # (C, T)
            was = (pre >= s.on_ratio * base[:, idx]).all(axis=0)
        others = np.delete(up, c, axis=0).any(axis=0)
        cum = np.concatenate([[0], np.cumsum(others)])
        lo = idx + 1 - w
        quiet = (lo >= 0) & (cum[idx + 1] - cum[np.maximum(lo, 0)] == 0)
        return was & quiet

    # turnfa: turning over moves both legs
    def _others_up(
        self,
        c: int,
        frames: np.ndarray,
        ratio: float | None = None,
        window_s: float | None = None,
        pre: np.ndarray | None = None,
    ) -> np.ndarray:
        """Per frame (absolute ``frames``, ascending): the share of the last ``turn_other_s``
        during which another leg than ``c`` was at ``ratio`` (default ``turn_other_ratio``) x
        its rest or more and
        not in a cramp the detector raised (0 where the history is shorter); with ``pre``
        (per leg, µV; turnwin) also at ``pre`` or more (NaN rules nothing out)."""
        s = self.settings
        if self.n_channels < 2:
            return np.zeros(frames.shape[0])
        w = max(1, round((window_s or s.turn_other_s) / self.hop_s))  # escshape: window_s
        idx = frames - self._ext_start  # within the history (HISTORY_S > turn_other_s)
        first = max(int(idx[0]) + 1 - w, 0)
        span = slice(first, int(idx[-1]) + 1)
        with np.errstate(invalid="ignore"):
            ratio = s.turn_other_ratio if ratio is None else ratio  # nightmove: turn_slow_ratio
            up = self._ext_level[:, span] >= ratio * self._ext_base[:, span]
            if pre is not None:  # turnwin (session 16)
                up &= ~(self._ext_level[:, span] < pre[:, None])
        up &= ~self._alerted(self._ext_start + np.arange(first, span.stop))
        others = np.delete(up, c, axis=0).any(axis=0)
        cum = np.concatenate([[0], np.cumsum(others)])
        lo = idx + 1 - w
        share = (cum[idx + 1 - first] - cum[np.maximum(lo, first) - first]) / w
        return np.where(lo >= 0, share, 0.0)

    # nightmove: turning over moves both legs strongly, in bursts
    def _others_turning(self, c: int, frames: np.ndarray, run_start: int) -> np.ndarray:
        """Per frame (absolute ``frames``, ascending): another leg than ``c`` was at
        ``turn_slow_ratio`` x its rest or more during ``turn_other_share`` of the last
        ``turn_other_s`` (not in a raised cramp, as :meth:`_others_up`) and some other leg
        relaxed over the last ``hold_s``: it fails the test a cramp passes (``hold_floor``),
        so the legs are turning over, not both cramping. (nightfa) Or a burst of it ended
        (``turn_firm_ratio``) and it was moving when this leg's run began at ``run_start``."""
        s = self.settings
        up = self._others_up(c, frames, s.turn_slow_ratio) >= s.turn_other_share
        if not up.any():
            return up
        end = frames - self._ext_start
        firm = np.ones(frames.shape[0], dtype=bool)
        for o in range(self.n_channels):
            if o != c:
                held = held_at(
                    self._ext_fast[o],
                    end,
                    end - self._hold_ctx,
                    self._ext_base[o, end],
                    self._hold_w,
                    self._hold_k,
                    s.rest_offset,
                )
                firm &= held >= s.hold_floor
                if s.turn_firm_ratio > 0:
                    # nightfa: ... and no burst of it ended, back towards rest: a leg bursting
                    # from rest (turning over) passes the test above, its recent median being
                    # rest too; a cramp rising from rest only rises. Only where it was moving
                    # as this leg's run began: turning over moves both legs at once, while a
                    # sleeper moves the other leg only after a cramp has begun.
                    firm &= ~(
                        self._moving_at(o, run_start, frames)
                        & fell_after_up(
                            self._ext_fast[o],
                            end,
                            self._ext_base[o, end],
                            self._turn_w,
                            self._move_k,
                            self._hold_k,
                            s.turn_firm_ratio,
                        )
                    )
        return up & ~firm

    # nightfa: turning over moves both legs at once
    def _moving_at(self, o: int, run_start: int, frames: np.ndarray) -> np.ndarray:
        """Per frame (absolute ``frames``): leg ``o`` stood at ``turn_firm_ratio`` x its rest
        within ``turn_with_s`` of ``run_start`` (False where that lies beyond the history a
        frame is sure to have, ``HISTORY_S``, or after the frame)."""
        s = self.settings
        tol = round(s.turn_with_s / self.hop_s)
        lo, hi = run_start - tol, run_start + tol + 1
        seen = (frames - lo <= self._hist_len) & (frames >= hi - 1)
        a, b = max(lo - self._ext_start, 0), hi - self._ext_start
        if not seen.any() or b <= a:
            return np.zeros(frames.shape[0], dtype=bool)
        with np.errstate(invalid="ignore"):
            up = self._ext_fast[o, a:b] >= s.turn_firm_ratio * self._ext_base[o, a:b]
        return seen & bool(up.any())

    def _lowest_before(self, c: int, frames: np.ndarray, run_start: int) -> np.ndarray:
        """Per frame (absolute, ascending): the lowest level of leg ``c`` over the last
        ``turn_rest_s`` before ``run_start`` (µV; NaN where the run began longer ago)."""
        w = round(self.settings.turn_rest_s / self.hop_s)
        # within the history (HISTORY_S > turn_rest_s); < 0 only before the stream began
        lo = np.maximum(frames - w - self._ext_start, 0)
        hi = min(run_start, int(frames[-1])) - self._ext_start
        out = np.full(frames.shape[0], np.nan)
        first = int(lo[0])
        if hi <= first:
            return out
        seg = self._ext_level[c, first:hi]
        tail_min = np.minimum.accumulate(seg[::-1])[::-1]  # min of seg[i:]
        j = lo - first
        have = j < seg.shape[0]
        out[have] = tail_min[j[have]]
        return out

    # trainfa: the stride rhythm on the watched leg
    def _striding_at(self, c: int, frames: np.ndarray, run_start: np.ndarray) -> np.ndarray:
        """Whether channel ``c``'s 100 ms envelope over the ``gait_window_s`` up to each of
        ``frames`` shows gait, judged on the frames of the run (starting at ``run_start``)
        only (the rest or standing before a bout is no part of it): the stride rhythm
        (:func:`stride_rhythm` at lags ``STRIDE_LAGS_S`` >= ``gait_rhythm``) with troughs
        between the strides (10th percentile <= ``gait_trough`` x the 90th, above the
        resting offset). False where the history does not reach back."""
        s = self.settings
        k = self._gait_w
        end = frames - self._ext_start + 1  # exclusive ends in the extended arrays
        x = self._above_rest(c)
        w = _windows_ending(x[None, :], end, k)[0]  # (m, k)
        before = np.arange(k)[None, :] < (run_start - frames + k - 1)[:, None]
        w = np.where(before, np.nan, w)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a window without run frames
            mean = np.nanmean(w, axis=1, keepdims=True)
        # frames before the run at the run's mean: they add nothing to the autocorrelation
        out = stride_rhythm(np.where(before, mean, w), self._gait_lags) >= s.gait_rhythm
        if out.any():
            lo, hi = np.nanpercentile(w[out], (TROUGH_PCT, PEAK_PCT), axis=1)
            out[out] = lo <= s.gait_trough * hi
        if out.any() and s.gait_other_fraction > 0 and self.n_channels > 1:
            out[out] = self._other_striding(c, frames[out], run_start[out])  # gaitcramp
        return out

    # gaitcramp: walking and running move both legs in antiphase. When a cramp stops a
    # runner, the cramped leg's contraction waxes and wanes (its rhythm can reach a stride's)
    # while the other leg stands still: one leg's rhythm alone is not gait.
    def _other_striding(self, c: int, frames: np.ndarray, run_start: np.ndarray) -> np.ndarray:
        """Whether another leg than ``c`` strides over the ``gait_window_s`` up to each of
        ``frames``, judged on the frames of ``c``'s run (starting at ``run_start``) as
        :meth:`_striding_at` judges ``c``: its 100 ms envelope has the stride rhythm (>=
        ``gait_other_rhythm``: the other leg may lag as a bout begins) at a mean of at least
        ``gait_other_fraction`` x its activity reference (gait bursts, not standing's sway),
        both above the resting offset. False where the history does not reach back."""
        s = self.settings
        k = self._gait_w
        end = frames - self._ext_start + 1  # exclusive ends in the extended arrays
        others = np.array([o for o in range(self.n_channels) if o != c])
        floor = s.rest_offset * np.nan_to_num(self._ext_base[others])
        x = self._ext_fast[others] - floor
        top = (self._ext_ref[others] - floor)[:, end - 1]  # (others, m)
        w = _windows_ending(x, end, k)  # (others, m, k)
        before = np.arange(k)[None, :] < (run_start - frames + k - 1)[:, None]  # (m, k)
        w = np.where(before[None], np.nan, w)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a window without run frames
            mean = np.nanmean(w, axis=2, keepdims=True)
            active = mean[..., 0] >= s.gait_other_fraction * top
        rhythm = stride_rhythm(np.where(before[None], mean, w), self._gait_lags)
        return ((rhythm >= s.gait_other_rhythm) & active).any(axis=0)

    # stand: standing on both legs, low against the activity reference
    def _standing(
        self, c: int, frames: np.ndarray, reference: np.ndarray | None = None
    ) -> np.ndarray:
        """Whether channel ``c`` looks like standing at each of ``frames``: over the last
        ``window_s`` its median 250 ms level is below ``stand_ref_ceiling`` x its activity
        reference and another leg's at least ``stand_other_share`` x as high, each over its
        own reference (``reference``, (C, T) over the kept history, µV; default the activity
        reference). False without a reference (an active leg's), another leg or the history."""
        s = self.settings
        if self.n_channels < 2:
            return np.zeros(frames.shape[0], dtype=bool)
        k = max(1, round(s.window_s / self.hop_s))
        end = frames - self._ext_start + 1  # exclusive ends in the extended arrays
        # A reference counts once the leg has been active (``on_ratio`` x its rest): a leg that
        # has only rested has its rest for a reference, and "stands" as high as any. (standfa:
        # not ``strong_ratio``: an electrode of low gain keeps even running under 12x its rest.)
        ref = self._ext_ref if reference is None else reference
        base = self._ext_base
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(ref >= s.on_ratio * base, self._ext_level / ref, np.nan)
        w = _windows_ending(rel, end, k)  # (C, m, k)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a window without a reference
            med = np.nanmedian(w, axis=2)
        other = np.nan_to_num(np.delete(med, c, axis=0), nan=-np.inf).max(axis=0)
        return (med[c] < s.stand_ref_ceiling) & (other >= s.stand_other_share * med[c])

    def _weak(
        self, c: int, start: int, n: int, st: dict[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(miss) Frames ``start .. start + n`` of channel ``c`` where the weak path holds: over
        the last ``weak_s`` the 100 ms envelope stayed over ``weak_floor`` x the baseline (at
        least ``weak_share`` of the frames, no return below it longer than ``weak_gap_s``), at
        a median of ``weak_ratio`` up to ``strong_ratio`` (stronger ones are the other paths')
        and at least ``weak_min_uv``, after rest within ``weak_rest_s``; no other leg elevated
        for more than ``quiet_other_share`` of that time (turning over, a bilateral hold) unless
        it is cramping too (``weak_both_s``, nightmiss session 12), no
        artefact; at night, while ``weak_s`` is shorter than ``moved_fast_s``, not a flat
        plateau (``plateau_swing``). Returns those frames and, where the lower tier
        (``weak_low_uv``, nightweak session 20) took some that the upper one did not, those
        frames (else None): the series wait reads them (``_low_series_wait``)."""
        s = self.settings
        out = np.zeros(n, dtype=bool)
        weak_low = None
        if s.weak_s <= 0:
            return out, weak_low
        fr = 1.0 / self.hop_s
        w = max(2, round(s.weak_s * fr))
        rest_w, back = max(1, round(REST_SPELL_S * fr)), max(1, round(s.weak_rest_s * fr))
        a = start - self._ext_start
        lo = max(0, a - w + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mine = self._ext_fast[c, lo : a + n] / self._ext_base[c, lo : a + n]
            if not _any(mine >= s.weak_ratio):  # at rest: nothing to compute
                return out, weak_low
            # only the span elevation() reads: the window and the rest looked for before it
            lo = max(0, a + n - (n + max(w, rest_w + back) - 1))
            ratio = self._ext_fast[:, lo : a + n] / self._ext_base[:, lo : a + n]
        ratio = np.where(self._ext_blk[:, lo : a + n], np.nan, ratio)
        share, longest, rested, now, win = elevation(
            ratio, n, w, s.weak_floor, rest_w, REST_SPELL_SHARE, back
        )
        out = (
            (share[c] >= s.weak_share)
            & (longest[c] <= round(s.weak_gap_s * fr))
            & rested[c]
            & now[c]  # still up: not the fall at the end of a movement
        )
        if out.any():
            st.need_where(out)
            out &= ~st["art"]
        if self.n_channels > 1:
            others = np.delete(share, c, axis=0) > s.quiet_other_share
            if s.weak_both_s > 0:
                # nightmiss (session 12): a cramp of both legs at once: the other leg rose
                # from rest too and does not relax either (over the last weak_both_s held over
                # its floor as the weak path asks, no return to it longer than weak_gap_s);
                # turning over moves both legs in bursts that return to rest between them.
                w2 = max(2, round(s.weak_both_s * fr))
                share2, longest2, rested2, now2, _ = elevation(
                    ratio, n, w2, s.weak_floor, rest_w, REST_SPELL_SHARE, back
                )
                held = (
                    (share2 >= s.weak_share)
                    & (longest2 <= round(s.weak_gap_s * fr))
                    & rested2
                    & now2
                )
                k = np.flatnonzero(
                    out & others.any(axis=0) & np.delete(held, c, axis=0).any(axis=0)
                )
                firm = np.zeros((self.n_channels, n), dtype=bool)
                if k.size:
                    # ... and neither leg relaxes (the night hold test over hold_s: a turnover
                    # sags between its bursts)
                    end = a + k
                    for o in range(self.n_channels):
                        firm[o, k] = (
                            held_at(
                                self._ext_fast[o],
                                end,
                                end - w2 + 1,
                                self._ext_base[o, end],
                                self._hold_w,
                                self._hold_k,
                                s.rest_offset,
                            )
                            >= s.hold_floor
                        )
                    # ... and both wax and wane (a flat step of both channels is no cramp)
                    swings = np.array(
                        [
                            self._swing(o, start + k, self._ext_base[o, end])
                            for o in range(self.n_channels)
                        ]
                    )
                    firm[:, k] &= swings >= s.plateau_swing
                held &= firm & firm[c]
                others &= ~np.delete(held, c, axis=0)
            out &= ~others.any(axis=0)
        k = np.flatnonzero(out)  # the median level only where it can decide
        if k.size:
            med = np.median(win[c, k], axis=1)
            uv = med * st["base"][k]
            with np.errstate(invalid="ignore"):
                out[k] = (med >= s.weak_ratio) & (med < s.strong_ratio) & (uv >= s.weak_min_uv)
                if s.weak_low_uv > 0:
                    # nightweak (session 20): weaker still, where it rose out of a still rest
                    low = (
                        ~out[k]
                        & (med >= s.weak_low_ratio)
                        & (med < s.strong_ratio)
                        & (uv >= s.weak_low_uv)
                    )
                    if low.any():
                        j = np.flatnonzero(low)
                        low[j] = self._still_rest(ratio[c], a + k[j] - lo, rest_w, back)
                        if low.any():
                            out[k] |= low
                            weak_low = np.zeros(n, dtype=bool)
                            weak_low[k[low]] = True
        if s.weak_relax > 0 and out.any():
            # cases (session 23): a weak cramp does not relax: a leg back at its rest in
            # weak_relaxes separate dips within weak_s is twitching on a resting floor
            k = np.flatnonzero(out)
            out[k] = _relaxations(win[c, k], s.weak_relax) < s.weak_relaxes
        if s.plateau_swing > 0 and s.weak_s < s.moved_fast_s and out.any():
            # as the early paths: a flat plateau waits until it outlasted leg movements
            k = np.flatnonzero(out)
            swing = self._swing(c, start + k, st["base"][k])
            out[k] = swing >= s.plateau_swing
        return out, weak_low

    def _still_rest(self, ratio: np.ndarray, idx: np.ndarray, rest_w: int, back: int) -> np.ndarray:
        """nightweak (session 20): per index of ``ratio`` (one leg's 100 ms envelope over its
        baseline, the span ``_weak`` reads), whether the quietest ``rest_w`` frames (a rest
        spell, 1 s) ending within the last ``back`` frames (``weak_rest_s``) averaged at most
        ``weak_low_rest``: the rest the contraction rose from was still, not a prodrome's
        raised rest creeping up (unknown frames, NaN, are no rest)."""
        x = np.nan_to_num(ratio, nan=np.inf, posinf=np.inf)
        cs = np.concatenate([[0.0], np.cumsum(np.where(np.isfinite(x), x, 0.0))])
        bad = np.concatenate([[0], np.cumsum(~np.isfinite(x))])
        # each rest spell's mean by its last frame (inf: it holds an unknown frame, or would
        # start before the span) ...
        mean = np.full(x.shape[0], np.inf)
        ends = np.arange(rest_w - 1, x.shape[0])
        lo = ends - rest_w + 1
        mean[ends] = np.where(bad[ends + 1] - bad[lo] > 0, np.inf, (cs[ends + 1] - cs[lo]) / rest_w)
        # ... and the quietest of those ending within the last ``back`` frames of each index
        # (a sliding minimum; frames before the span count as no rest)
        padded = np.concatenate([np.full(back - 1, np.inf), mean])
        lowest = windows(padded[None, :], back)[0, idx].min(axis=1)
        return lowest <= self.settings.weak_low_rest

    # rebase2 (session 17): a weak cramp the baseline tracker does not take for a new rest
    def _long(self, c: int, frames: np.ndarray, st: dict[str, np.ndarray]) -> np.ndarray:
        """Frames of channel ``c`` where the weak path's late ``long`` candidates hold: the
        leg's activity has stood over twice its rest, without a rest, for ``rebase_s`` (60 s)
        or more and waxes and wanes, so that the baseline tracker holds its re-base
        (``rebase_swing``: a step to a steady level is a moved electrode or a new posture),
        no event of the leg ended within that stretch (a cramp alerted and closed is not
        alerted again) and no artefact: a cramp no path took in its first minute."""
        secs = self._held_s[c, frames[0] - self._part_start :][: frames.shape[0]]
        out = secs > 0
        if not _any(out):
            return out
        out &= frames - np.round(secs / self.hop_s) > self._ch[c].event_end
        if out.any():
            st.need_where(out)
            out &= ~st["art"]
        return out

    def _held_at(self, c: int, frame: int) -> float:
        """rebase2: how long (s) the stretch of channel ``c`` whose re-base the baseline
        tracker holds has lasted at ``frame`` (0 where none is held)."""
        i = frame - self._part_start
        if self._held_s is None or not 0 <= i < self._held_s.shape[1]:
            return 0.0
        return float(self._held_s[c, i])

    def _alert_context(self, c: int, frame: int, ctx: _RunContext) -> np.ndarray:
        """The CONTEXT_FEATURES of the alert on channel ``c`` at ``frame`` (part conf)."""
        e0, rs = self._ext_start, self._run_start_at_alert
        shape = alert_context(
            self._ext_fast,
            self._ext_level,
            self._ext_ref,
            self._art_now.frames(self._ext_start, self._frame),
            self._ext_tkeo,
            self._ext_base,
            c,
            rs - e0 if rs >= 0 else -1,
            frame - e0,
            1.0 / self.hop_s,
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            pre_ref = np.log(max(float(ctx.pre[c, 0]), 1e-9) / max(float(ctx.ref_before[0]), 1e-9))
        return np.array(
            [
                *shape[:6],
                pre_ref if np.isfinite(pre_ref) else 0.0,
                min(self._since_move_at_alert * self.hop_s, MOVE_CAP_S),
                *shape[6:9],
                float(self.settings.quiet_s > 0),
                float(np.isfinite(ctx.tk_floor[0])),
                *shape[9:],
            ]
        )

    def _run_context(self, c: int, run_starts: np.ndarray) -> _RunContext:
        """Context of runs of channel ``c`` starting at ``run_starts`` (frames, in this block).

        Uses the 5 s up to 0.5 s before each start; the history kept (``HISTORY_S``) always
        covers it, so the values do not depend on how the stream was cut.
        """
        k = run_starts.shape[0]
        if k == 0 or self._ext_level.shape[1] == 0:
            z = np.zeros(k)
            nan = np.full((self.n_channels, k), np.nan)
            return _RunContext(np.zeros((self.n_channels, k)), np.full(k, np.nan), z, nan)
        fr = 1.0 / self.hop_s
        e0 = self._ext_start
        span = np.arange(-round(self.settings.pre_run_s * fr), -round(PRE_RUN_GAP_S * fr))
        idx = run_starts[:, None] - e0 + span[None, :]  # (k, m)
        known = idx >= 0
        safe = np.where(known, idx, 0)
        enough = known.sum(axis=1) >= round(PRE_RUN_MIN_S * fr)
        any_known = known.any(axis=1)

        everything = bool(known.all())

        def med(v: np.ndarray, need: np.ndarray) -> np.ndarray:
            """Median over the span of ``v``, the values at ``safe``: (k, m) or (C, k, m)."""
            if everything:  # the usual case: the whole span is in the history
                return np.median(v, axis=-1)
            v = np.where(known, v, np.nan)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                out = np.nanmedian(v, axis=-1)
            return np.where(need, out, 0.0)

        pre = med(self._ext_level[:, safe], enough)
        tkv = self._tkeo_of(c, safe)
        tk = med(np.abs(tkv), any_known)
        tk_any = np.where(known, tkv != 0, False).any(axis=1)
        tk_floor = np.where(tk_any, TKEO_ONSET_FACTOR * tk + 1e-12, np.nan)
        before = np.clip(run_starts - 1 - e0, 0, self._ext_ref.shape[1] - 1)
        # standmem: the level each leg last stood at, as of the frame before the run
        stand = self._stand_at[:, run_starts - self._part_start]
        return _RunContext(pre, tk_floor, self._ext_ref[c, before], stand)

    @staticmethod
    def _join(new: _RunContext, carried: _RunContext, which: np.ndarray) -> _RunContext:
        """Per frame: the context of the run started at ``which`` (index into ``new``), or
        the carried one where no run started yet in this block."""
        j = np.maximum(which, 0)
        has = which >= 0
        if new.tk_floor.shape[0] == 0:
            new = carried
            j, has = np.zeros_like(which), np.zeros_like(has)
        return _RunContext(
            np.where(has[None], new.pre[:, j], carried.pre[:, :1]),
            np.where(has, new.tk_floor[j], carried.tk_floor[0]),
            np.where(has, new.ref_before[j], carried.ref_before[0]),
            np.where(has[None], new.stand[:, j], carried.stand[:, :1]),
        )

    def _coactive(
        self, c: int, start: int, n: int, pre: np.ndarray, stand: np.ndarray | None = None
    ) -> np.ndarray:
        """Frames ``start .. start + n`` during which another leg rose too.

        Another leg counts when it is active and well above its own level before the run
        (``pre``, per frame): both legs rising together is posture, a bilateral hold or
        turning over; a cramp on one leg while the other keeps standing is not bilateral.
        (standmem) ``stand``: the level each leg last stood at before the run, per frame.
        """
        if self.n_channels < 2:
            return np.zeros(n, dtype=bool)
        a = start - self._ext_start
        lvl, base, ref = (x[:, a : a + n] for x in (self._ext_level, self._ext_base, self._ext_ref))
        return self._others_rose(c, lvl, base, ref, pre, stand)

    def _standing_memory(self, n: int) -> np.ndarray:
        """standmem: per leg, the level (µV) it last stood at, at the frame before the current
        part (column 0) and at each of its ``n`` frames: the leg's median 250 ms level over the
        last ``window_s`` (above the resting offset, ``rest_offset``) at the latest frame at
        which every leg was active (``on_ratio`` x its rest) below ``stand_ref_ceiling`` x its
        activity reference (one that has been active) over the whole window: both legs at a
        standing level. NaN: none seen (or off). A state kept over the whole stream."""
        s = self.settings
        c = self.n_channels
        if s.stand_memory_other <= 0 or c < 2 or n == 0:  # off (night): the state it has
            return np.repeat(self._stand_mem[:, None], n + 1, axis=1)
        out = np.full((c, n + 1), np.nan)
        out[:, 0] = self._stand_mem
        k = max(1, round(s.window_s / self.hop_s))
        lvl, base, ref = (
            x[:, -(n + k - 1) :] for x in (self._ext_level, self._ext_base, self._ext_ref)
        )
        with np.errstate(invalid="ignore"):
            low = (lvl >= s.on_ratio * base) & (ref >= s.on_ratio * base)
            low &= lvl < s.stand_ref_ceiling * ref
        both = low.all(axis=0)  # (m,) with m <= n + k - 1
        m = both.shape[0]
        if m < k:
            out[:, 1:] = self._stand_mem[:, None]
            return out
        steady = windows(both[None, :].astype(np.int8), k)[0].min(axis=1).astype(bool)  # (m-k+1,)
        above = lvl - s.rest_offset * np.nan_to_num(base)  # above the resting offset (ENV)
        med = np.median(windows(above, k), axis=2)  # (C, m - k + 1)
        steady, med = steady[-n:], med[:, -n:]
        pad = n - steady.shape[0]  # the history did not reach back a window: not known there
        if pad:
            steady = np.concatenate([np.zeros(pad, dtype=bool), steady])
            med = np.concatenate([np.full((c, pad), np.nan), med], axis=1)
        last = np.maximum.accumulate(np.where(steady, np.arange(n), -1))
        known = last >= 0
        out[:, 1:] = np.where(known[None, :], med[:, np.maximum(last, 0)], self._stand_mem[:, None])
        self._stand_mem = out[:, -1].copy()
        return out

    def _others_rose(
        self,
        c: int,
        lvl: np.ndarray,
        base: np.ndarray,
        ref: np.ndarray,
        pre: np.ndarray,
        stand: np.ndarray | None = None,
    ) -> np.ndarray:
        """Where another leg than ``c`` rose too: active, above its level before the run
        (``pre``) and comparably strong; (standmem) not where that leg stands no higher than
        ``stand_memory_other`` x the level it last stood at while leg ``c`` stands
        ``stand_memory_rise`` x over its own (``stand``, the levels before the run). Arrays are
        (channel, ...) and broadcast."""
        s = self.settings
        # Strength on a common scale: level over each leg's own activity reference (the
        # strongest recent activity), or over its rest when no reference is known yet.
        scale = np.where(ref > 0, ref, base)
        co = np.zeros(np.broadcast_shapes(lvl.shape[1:], pre.shape[1:]), dtype=bool)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = lvl / scale
            for o in range(self.n_channels):
                if o == c:
                    continue
                co |= (
                    (lvl[o] >= s.on_ratio * base[o])
                    & (lvl[o] >= s.rise_ratio * pre[o])
                    # comparably strong: standing on one leg while the other cramps is not
                    # a bilateral contraction
                    & (rel[o] >= s.bilateral_strength * rel[c])
                )
            if stand is not None and s.stand_memory_other > 0 and co.any():
                # standmem: a leg that stood up to the level it stands at beside a leg that
                # contracts far above its own standing level: standing on one leg while the
                # other cramps, not a contraction of both (a bilateral hold rises well above
                # standing on both legs; standing up is both legs at their standing levels).
                above = lvl - s.rest_offset * np.nan_to_num(base)  # (ENV rests on an offset)
                up = above[c] >= s.stand_memory_rise * stand[c]
                for o in range(self.n_channels):
                    if o != c:
                        up = up & (above[o] <= s.stand_memory_other * stand[o])
                co &= ~up
        return co

    def _recent_bilateral(
        self, c: int, start: int, n: int, pre: np.ndarray, stand: np.ndarray | None = None
    ) -> np.ndarray:
        """train: per frame ``start .. start + n``, the share of the last
        ``bilateral_recent_s`` during which another leg rose too (as :meth:`_coactive`, each
        against the level before the current run, ``pre``): a hold on both legs that begins
        within a longer run (standing, a recording's first seconds) is bilateral now, however
        long the run was one-legged before."""
        k = max(1, round(self.settings.bilateral_recent_s / self.hop_s))
        if self.n_channels < 2 or self.settings.bilateral_recent_s <= 0:
            return np.zeros(n)
        a = start - self._ext_start
        lo = a - k + 1

        def span(x: np.ndarray) -> np.ndarray:  # (C, n + k - 1): frames a-k+1 .. a+n-1
            part = x[:, max(lo, 0) : a + n]
            pad = np.full((x.shape[0], max(-lo, 0)), np.nan)
            return np.concatenate([pad, part], axis=1)

        lvl, base, ref = (
            windows(span(x), k) for x in (self._ext_level, self._ext_base, self._ext_ref)
        )  # (C, n, k): each window against the level before the run at its last frame
        st = None if stand is None else stand[:, :, None]
        return self._others_rose(c, lvl, base, ref, pre[:, :, None], st).mean(axis=1)

    def _raise(
        self, c: int, frame: int, base: float, stats: dict[str, np.ndarray], i: int
    ) -> FrameEvent:
        """Open a cramp event at ``frame`` (block index ``i``); place its onset."""
        s = self.settings
        ch = self._ch[c]
        fr = 1.0 / self.hop_s
        ctx = self._context_at_alert
        level = float(stats["med"][c, i] * base)
        k = place_onset(
            self._ext_fast[c],
            self._ext_tkeo[c],
            self._ext_start,
            frame,
            self._run_start_at_alert,
            fr,
            s.onset_lookback_s,
            float(ctx.tk_floor[0]),
            np.delete(self._ext_fast, c, axis=0),  # onset2: the other leg
        )
        # rebase2: a weak alert on a stretch whose re-base the tracker held (``long``,
        # endearly) dates from the stretch's start (activity over twice its rest without a
        # rest since), not from the lookback, which ends a minute after it
        if self._path == "long":
            k = frame - round(self._held_at(c, frame) * fr)
        e0 = self._ext_start
        # onset4: an onset before the history kept is rated from the history's reach
        k_in = max(k, frame - round(HISTORY_S * fr), e0)
        x = np.concatenate(
            [
                self._features_at_alert,
                self._alert_context(c, frame, ctx),
                rise_context(self._ext_fast[c], k_in - e0, frame - e0, fr),
            ]
        )
        if self.alert_log is not None:
            self.alert_log.append((c, frame, x))
        confidence = self.confidence(dict(zip(ALERT_FEATURES, x.tolist(), strict=True)))
        ev = FrameEvent(
            # gate: an alert the model rates below min_confidence is only a possible cramp
            kind="cramp" if confidence >= self.settings.min_confidence else "possible_cramp",
            channel=c,
            onset_frame=k,
            alert_frame=frame,
            end_frame=None,
            confidence=confidence,
            id=self._next_id,
            detail={
                "path": self._path,
                "recurrence": self._recurrent,
                "level_uv": round(level, 1),
                # Level relative to the strongest recent activity or the calibrated maximum.
                "severity": round(min(1.0, level / ref), 2)
                if (ref := stats["ref"][c, i]) > 0
                else 1.0,
            },
        )
        self._next_id += 1
        if ch.state is not State.SUSPECT:  # the run began within this block
            self._go(ch, Transition.ACTIVATE)
        self._go(ch, Transition.ALERT)
        ch.cramp, ch.cramp_base, ch.low, ch.rest_low, ch.dip_end = ev, base, 0, 0, _NEVER
        ch.cramp_level = level
        ch.end_base = self._end_base(level, base)  # heldend
        # nightmiss2: an alert may escalate once (not the escalated one), judged on its context
        ch.esc, ch.escalatable = 0, self._path != "escalate" and self.settings.escalate_ratio > 0
        ch.held, ch.esc_peak = False, 0.0  # escshape, escpeak
        # rehold: a doubted alert may be raised again once by a contraction held past a hold
        ch.reholdable = confidence < self.settings.rehold_confidence
        ch.alert_info = _AlertInfo(self._context_at_alert, self._features_at_alert, self._recurrent)
        self._holds.append(_CrampHold(c, base, frame))  # rebase
        return FrameEvent(**{f: getattr(ev, f) for f in ev.__slots__})
