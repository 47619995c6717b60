"""Detector settings and the two profiles (``night``, ``training``)."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from crampdetect.core import PROFILES, InputError


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """Parameters of :class:`~crampdetect.detect.cramp.CrampDetector`.

    Levels are ratios of the envelope (100 ms RMS) to the channel's resting baseline.

    Attributes
    ----------
    on_ratio, off_ratio : float
        Activation starts at ``on_ratio`` x baseline and stops below ``off_ratio`` x baseline.
    gap_s : float
        A relaxation gap (below ``off_ratio``) this long breaks continuity, in s.
    relax_fraction : float
        The 250 ms envelope falling below this fraction of its 3 s mean is a relaxation too
        (repetitions and gait over a tonic standing level relax; a cramp does not).
    window_s : float
        Window for irregularity and dip statistics, in s.
    fast_s : float
        Earliest alert (s of continuous activation) when the activity waxes and wanes.
    irregular : float
        Irregularity (std of detrended log-envelope over ``window_s``) needed for the fast path.
    persist_s : float
        The irregularity must hold this long (s): a hold's ramp-down is briefly irregular.
    dip : float
        Lowest envelope over the window relative to its mean: below this is a relaxation
        pattern (gait, repetitions), not a cramp.
    slow_s : float
        Alert after this much continuous strong activation whatever its shape, in s.
    strong_ratio : float
        Median level (x baseline) over the window that counts as strong for the slow path.
    quiet_s : float
        Night: after this long (s) without any movement on the leg, a strong continuous
        contraction alerts after ``fast_s`` even when steady; shortly after a movement (a
        periodic-leg-movement series repeats every 5-90 s) the early paths wait for
        ``moved_fast_s``.
        0 disables both the steady fast path and the context test.
    ref_fraction : float
        Activity below this fraction of the strongest recent activity (or of the calibrated
        maximum) does not count as activation (training: standing between gait bursts).
        0 disables it.
    fast_ref_fraction : float
        The fast and quiet paths need the level to reach this fraction of the strongest
        activity before the run (0 disables).
    bilateral_s : float
        Continuous activation on both legs at once (turning over) alerts only after this long.
    end_s : float
        A cramp ends after this long below ``off_ratio`` x the baseline frozen at the alert
        or ``end_fraction`` x the cramp's own level at the alert, whichever is higher.
    end_fraction : float
        See ``end_s``.
    end_weak_below, end_weak_ratio : float
        (heldend) An event alerted at under ``end_weak_below`` x its baseline (a weak alert)
        ends below ``end_weak_ratio`` x that baseline instead of ``off_ratio`` x (still with
        ``end_fraction``): a weak cramp waxing and waning dips to ``off_ratio`` x a baseline
        the effort before it raised, while standing or rest after it sits near 1 x.
        (endearly, session 18) At night too (1.5): a weak cramp of minutes waxes and wanes
        at 2-4 x its rest and sat under ``off_ratio`` x it for ``end_s`` in a trough, so its
        event closed minutes before the cramp did; the rest after it sits near 1 x (its
        100 ms envelope over 1.2 x too often for a lower value). Training 1.2 (1.5 before):
        a weak cramp after gait dips to 1.2-1.5 x the baseline the gait raised.
        ``end_weak_ratio`` 0 disables; it may not exceed ``off_ratio``.
    end_rest_share : float
        (indnight) An event alerted at ``strong_ratio`` x its rest or more also ends once the
        leg's 100 ms envelope has stood below ``weak_floor`` x that rest (its resting floor) in
        this share of the frames of the last ``end_s`` after the alert, in ``REST_RETURNS``
        (``detect/cramp.py``) separate stretches or more: a strong contraction
        never returns to rest, while a motor unit firing on at rest lifts the frames it fires
        in above the end level and kept such an event open for ``max_cramp_s``. 0 disables.
    max_cramp_s : float
        No cramp lasts longer (s): the event is closed and the channel re-examined.
    rise_ratio : float
        The activation must reach this multiple of the median level over the 5 s before it:
        a cramp rises from rest or from lighter activity, unlike standing after gait.
    min_confidence : float
        (gate, session 14) An alert whose confidence (the learned model of
        ``detect/confidence.json``, 0-1) is below this is reported as a ``possible_cramp``
        event instead of a ``cramp``: logged with its onset and end, never vibrated, never
        counted as a cramp; the detector's state is the same either way. 0 disables (the
        night profile's default; training 0.2, ``MIN_CONFIDENCE``). Figures:
        benchmarks/detection.md, session 14, part gate.
    early_warning : bool
        Also raise ``early_warning`` events when the resting level rises for tens of seconds
        (night profile only, where it is on; see :mod:`crampdetect.detect.early_warning` and
        benchmarks/detection.md, session 13, part warn, for how often it is right).
    warn_low_ratio, warn_high_ratio : float
        (warn) Early warning: a 1-s envelope floor between these multiples of the lowest
        resting baseline of the last ``warn_ref_s`` (s) is raised; at ``warn_high_ratio`` or
        more the leg contracts (a movement, a cramp).
    warn_confirm_s, warn_share : float
        (warn) Raised in this share of the last ``warn_confirm_s`` (s), and now: a warning.
    warn_rest_ratio, warn_rest_s, warn_rise_s : float
        (warn) ... only when the floor rose from rest: below ``warn_rest_ratio`` x for
        ``warn_rest_s`` (s) on end, with no quality flag since, within ``warn_rise_s`` (s).
    warn_quiet_s, warn_recover_s : float
        (warn) ... and not within ``warn_confirm_s`` + ``warn_quiet_s`` (s) of a contraction
        of the leg, nor while a cramp event is open on it or ``warn_recover_s`` (s) after.
    warn_other_ratio, warn_other_share : float
        (warn) ... and no other leg stood at ``warn_other_ratio`` x its own reference or more
        (or was flagged) in ``warn_other_share`` of the last ``warn_confirm_s``.
    warn_end_ratio, warn_end_s : float
        (warn) A warning ends after ``warn_end_s`` (s) below ``warn_end_ratio`` x.
    recurrence_s : float
        After a cramp the channel is watched this long with ``recurrence_scale`` applied
        to ``slow_s`` and ``irregular``, and ``recurrence_fast_scale`` to ``fast_s``.
    relax_window_s : float
        Context (s) of the ``relax_fraction`` test.
    movement_fraction, movement_min_s : float
        An activation run counts as a movement (for ``quiet_s``) when it lasted
        ``movement_min_s`` (s) and its median level reached ``movement_fraction`` x
        ``strong_ratio``.
    bilateral_share : float
        The run is bilateral when another leg rose too during this share of it.
    bilateral_strength : float
        Another leg counts as rising when its level over its own activity reference reaches
        this share of the watched leg's.
    pre_run_s : float
        "Before the run" (rise, bilateral and onset tests) is the last ``pre_run_s`` (s).
    onset_lookback_s : float
        Furthest an onset may lie before its alert, s.
    settle_s : float
        Training, after gait: a contraction that has stayed up for ``settle_s`` (s) without a
        dip below ``settle_floor`` and without the stride rhythm, where the ``settle_gait_s``
        before it had that rhythm (see ``settle_rhythm``), alerts on the ``settle`` path.
        0 disables it.
    settle_gait_s : float
        Span (s) before the last ``settle_s`` in which the stride rhythm is looked for.
    settle_rhythm : float
        Normalised autocorrelation at a stride lag (0.5-1.3 s) minus that at half the lag
        (a rhythm, not a slowly varying level) that counts as gait.
    settle_floor : float
        The 100 ms envelope must stay above this fraction of the activity reference for
        the whole ``settle_s`` (standing sits lower; gait and repetitions dip below it).
    settle_irregular : float
        Irregularity (as ``irregular``) the settle path needs: a cramp waxes and wanes, a
        voluntary hold is steady.
    settle_gap_ratio : float
        (gaitcramp, session 13) A cramp that starts during gait takes away that leg's
        relaxation gaps between strides while the other leg keeps its own: where, within
        ``settle_s`` + ``settle_after_s`` before a frame, a leg's lowest 100 ms level over
        every ``settle_gap_stride_s`` window stood at this fraction of its highest there for
        ``settle_gap_s``, while another leg strode (over ``GAP_STRIDES`` windows' span every
        window had its gap below that fraction and reached ``ref_fraction`` x its activity
        reference), and the leg itself strode so before, the settle path does not ask
        ``settle_irregular`` of that leg (a cramp driving an ENV output to its rail is
        flat). 0 disables.
    settle_gap_stride_s, settle_gap_s : float
        (gaitcramp) See ``settle_gap_ratio``: the window (s) that holds a stride's gap (a
        walking stride is up to ~1.25 s), and how long (s) the gaps stayed closed on one
        leg and open on another.
    settle_one_leg : float
        The leg's median level over ``settle_s`` relative to its activity reference must be
        this multiple of every other leg's (standing after running is on both legs).
    settle_rhythm_now : float
        The gait must be over: stride-rhythm strength (as ``settle_rhythm``) over the last
        ``settle_s`` below this on every leg (2 disables).
    settle_relax : float
        No relaxation: the lowest 100 ms level over ``settle_s`` must reach this fraction
        of its median there (gait troughs fall far lower; 0 disables).
    settle_after_s : float
        The gait may have stopped up to this long (s) before the last ``settle_s`` (a cramp
        strikes 0-5 s after the athlete stops).
    slow_min_s : float
        The slow path never alerts before this long (s), within the recurrence watch too
        (training: a voluntary hold lasts up to ~10 s; 0: no floor).
    slow_onset_s : float
        (latency, session 24) The slow path's wait (``slow_s``, ``slow_min_s``) is counted
        from the onset the onset finder places for the run (``detect/onset.py``, read at the
        frames of the last ``slow_onset_s`` of the wait only), when that lies before the run's
        start (a cramp that builds up slowly crosses the activation level seconds after its
        rise began), at most this long (s) before it.
        0 disables.
    slow_onset_min_s : float
        (latency, session 24) ... and only when the onset lies at least this long (s) before
        the run's start: a voluntary hold is ramped up within about a second, so the part of
        its ramp under the activation level (0.15-0.5 s on the tuning sets) gains nothing.
    slow_onset_gait_s : float
        (afterstride, session 25) ... and only right after gait: some leg had the stride
        rhythm (``settle_rhythm`` over a ``settle_gait_s`` span at ``ref_fraction`` x its
        activity reference or more, as ``held_gait_s`` reads it) over a span ending at most
        this long (s) before the placed onset (or at it). A voluntary hold is held out of
        standing, not out of strides. 0: the head start needs no gait (session 24's rule).
    fast_dip : float
        The fast path needs the lowest 100 ms level over ``window_s`` to reach this fraction
        of its mean (as ``dip``, which it needs too): a cramp's waxing and waning stays well
        above a relaxation; repetitions, gait bursts and a hold's ramp fall lower (0: only
        ``dip``).
    slow_prior_step : float
        (indtrain) No slow-path alert while the leg's median 100 ms envelope (above the
        resting offset) over the last ``step_now_s`` stands above this multiple of its median
        over the ``fast_s`` that ended ``fast_s`` before: the leg stepped up within the last
        seconds (a hold out of standing, which opened the run), so what the slow path found
        sustained was the level before the step (0 disables).
    stand_step, stand_step_floor, stand_level, stand_pre_s, stand_step_s : float
        (fastfa) Training: no alert on the fast path nor the slow one (the after-effort one
        included) while the leg stepped up out of steady standing within the last
        ``stand_step_s`` (s): over some ``stand_pre_s`` (s) span ending ``fast_s`` to
        ``stand_step_s`` before (tried every second) the leg's 100 ms envelope above the
        resting offset stayed steady (10th percentile >= ``stand_step_floor`` x its median,
        90th percentile <= its median / ``stand_step_floor``) at standing's level (its median
        from ``stand_level`` up to ``stand_ref_ceiling`` x the leg's activity reference), the
        leg stood on since (10th percentile >= ``stand_step_floor`` x that median: nothing
        released) and stepped up: its median over the last ``step_now_s``, or the 90th
        percentile since, stands at ``stand_step`` x that median or more. A voluntary hold of
        up to ~10 s (or one just released back to standing); a cramp comes from rest or right
        after an effort. ``stand_step`` 0 disables.
    resume_ratio, resume_floor : float
        (standfa) Training: a run does not take the after-effort path when over the
        ``pre_run_s`` up to 0.5 s before it the leg's 100 ms envelope above the resting offset
        stayed steady (10th percentile >= ``resume_floor`` x its median) and its median over the
        last ``step_now_s`` lies within ``resume_ratio`` x that median either way: the run
        resumed the level before a dip (standing's sway), no effort ended. 0 disables.
    own_effort_share, own_effort_s : float
        (startfa) Training: in the first ``own_effort_s`` (s) of the stream a run takes the
        after-effort path only when the leg's activity
        reference above the resting offset, over its resting baseline, is at least this
        fraction of every other leg's: the effort it follows was the leg's own. A leg that
        only stood while the other one held or raised (the first minute of a session) has its
        standing for a reference, which every standing level reaches. 0 disables.
    own_fast_share : float
        (demofa) Training: in the first ``own_effort_s`` of the stream the fast path, too, takes
        only a leg whose activity reference over rest (as for ``own_effort_share``) is at least
        this fraction of every other leg's: a leg that has only stood while the other one held
        has its standing for a reference, and its sway waxes and wanes like a cramp over a
        resting baseline that standing never set. A cramp raises its own reference within a
        second or two. 0 disables.
    stand_effort_s : float
        (demofa) Training: in the first ``stand_effort_s`` (s) of the stream the effort the
        after-effort path follows is no effort where the leg was standing when it ended (the
        stand test, ``stand_ref_ceiling``, over the ``window_s`` before the run, or before the
        end of the effort seen before the pause): before the activity reference has seen the
        session's exertion, standing beside a light hold stands high enough against it to read
        as one. 0 disables.
    stand_effort_share : float
        (demofa) ... and for that stand test a leg's activity reference above the resting offset
        is raised to at least this fraction of the strongest other leg's over its resting
        baseline, times this leg's: the legs of one subject reach comparable multiples of their
        rest, and a leg that has only stood (or held lightly) has not shown its strength yet.
        0: the leg's own reference.
    stand_slow_share : float
        (trainstand, session 23) Training: in the first ``stand_effort_s`` of the stream the
        slow path's stand test (``stand_ref_ceiling``) reads each leg's activity reference
        raised as for ``stand_effort_share``, to at least this fraction (x other leg's
        reference over rest) of the strongest other leg's, where the leg's own reference counts
        (reached ``on_ratio`` x its rest: a leg that only rested has none): a leg that has only
        stood beside the other one's hold has its own sway for a reference and never reads as
        standing. A cramp raises its own reference within a second or two. 0: the leg's own
        reference.
    bilateral_recent_s : float
        Over the last ``bilateral_recent_s`` (s) another leg must have risen too during less
        than ``bilateral_share`` of the time, as over the whole run (a hold on both legs may
        start inside a longer one-legged run; 0 disables; at most the detector's history).
    quiet_start_s : float
        Night: where no movement has been seen since the stream began (or resumed after a
        long gap), this much rest seen before a run (s) stands in for ``quiet_s``. A
        recording may start right at a contraction, so its start is never rest.
    moved_fast_s : float
        Night: a run that starts within ``quiet_s`` of a movement may alert on the early
        paths once it has lasted this long (s), longer than nearly every periodic leg
        movement (0.5-10 s, mean about 3 s); before that only the slow path may alert.
    recurrence_fast_scale : float
        Within the recurrence watch, ``fast_s`` (the earliest alert of the irregular and
        quiet paths) is scaled by this. Night keeps 1: a leg movement after a cramp is no
        shorter than before it.
    plateau_swing : float
        Night: the early (fast and quiet) paths need the 100 ms envelope over the last
        ``fast_s`` to have swung by this much (log of its 90th over its 10th percentile,
        above the resting offset): a cramp builds up and waxes and wanes, a leg movement
        is a flat plateau reached at once. A flatter run may take them once it has lasted
        ``moved_fast_s``. 0 disables.
    quiet_other_share : float
        Night: the steady (quiet) path needs another leg to have risen during at most this
        share of the run (turning over moves both legs); the irregular and slow paths keep
        ``bilateral_share``.
    bilateral_clear_s : float
        (miss) The bilateral test is waived once no other leg has risen for this long (s)
        within the run: a turnover that went on into a cramp on one leg.
    weak_s : float
        (miss) A weak cramp does not relax: after ``weak_s`` (s) of continuous elevation over
        the resting floor, without any return to it, a contraction too weak for the other
        paths (median below ``strong_ratio``) alerts on the ``weak`` path when it rose from
        rest recently (see ``weak_rest_s``). Continuity, not level crossings: its 100 ms
        envelope may swing below ``off_ratio`` and break the runs. 0 disables.
    weak_floor : float
        (miss) "Elevated" for the weak path: the 100 ms envelope at or above this multiple of
        the baseline (the resting floor's own frames stay below it).
    weak_share : float
        (miss) Share of the frames of the last ``weak_s`` that must be elevated.
    weak_gap_s : float
        (miss) Longest return below ``weak_floor`` (s) allowed within the last ``weak_s``.
    weak_ratio : float
        (miss) Median 100 ms level (x baseline) over the last ``weak_s`` the weak path needs:
        far above a prodrome's slowly rising resting level.
    weak_rest_s : float
        (miss) The leg was at rest (a second of frames mostly below ``weak_floor``) within
        this long (s) before the alert: a cramp rises from rest within seconds, a prodrome
        creeps up over tens of seconds (at least ``weak_s``).
    weak_both_s : float
        (nightmiss, session 12) Night, raw input: another leg held over its resting floor
        (``weak_floor`` x its baseline) over the last ``weak_both_s`` (s) as the weak path asks
        (``weak_share`` of the frames, no return to the floor longer than ``weak_gap_s``), after
        rest within ``weak_rest_s``, and still up, while both legs pass the hold test
        (``hold_floor`` over ``hold_s``) and swing by ``plateau_swing``, is cramping too (a cramp
        of both legs at once): it does not hold the weak path back as "another leg elevated"
        (``quiet_other_share``). Turning over moves both legs in bursts that return to rest
        between them. At most ``weak_s``; 0 disables (ENV input: the envelope joins a turnover's
        bursts).
    weak_min_uv : float
        (miss) The weak path's median level must also reach this many µV RMS: a cramp, even
        a weak one (10-35 % of maximum), stands at tens to hundreds of µV, a prodrome's raised
        resting EMG (+100-500 % of a few µV) well below. It matters where the resting floor is
        the instrument's (10-bit counts: 15-100 µV of quantization noise), over which a weak
        cramp stands only 4-6x. ENV output has no µV scale: 0 (off) there.
    weak_low_uv, weak_low_ratio, weak_low_rest : float
        (nightweak, session 20) A weak cramp under ``weak_min_uv`` or ``weak_ratio`` (3-9x a
        floor of a few µV or of 10-12 bit quantization, 24-45 µV) is taken too where its median
        reaches ``weak_low_ratio`` (x baseline) and ``weak_low_uv`` (µV RMS), provided the rest
        it rose from was quiet: the quietest 1-s mean of the 100 ms envelope over the last
        ``weak_rest_s`` stood at ``weak_low_rest`` (x baseline) or below. A cramp rises out of
        a still rest; a prodrome creeps up out of a rest already raised (1.3-1.8x) for seconds
        before it crosses ``weak_floor``. ``weak_low_uv`` 0 disables (training; ENV input).
    weak_low_move : float
        (nightweak2, session 20) For the lower tier's wait after a leg movement
        (``series_wait_s``): the leg over this multiple of its baseline (100 ms envelope) for
        ``movement_min_s`` or more, in a stretch that ended within ``quiet_s`` before the run,
        counts as a leg movement too. At a 10-bit quantization floor a series of leg movements
        stands at 3-5x and never reaches ``movement_fraction`` x ``strong_ratio``. 0: only
        those movements count.
    weak_relax, weak_relaxes : float
        (cases, session 23) A weak cramp does not relax: the weak path does not take a leg
        whose 100 ms envelope fell back to ``weak_relax`` x its baseline (its rest: the resting
        floor's own frames) in ``weak_relaxes`` or more separate dips within the last
        ``weak_s``, however short each dip (``weak_gap_s`` bounds the longest return below
        ``weak_floor``, not how often the leg goes back to rest): twitches on a resting floor,
        a prodrome stepping to 2-3x, not a cramp. ``weak_relax`` 0 disables (training).
    rest_offset : float
        (rep) Multiple of the resting baseline taken off the envelope before the ``dip`` and
        ``relax_fraction`` tests: the MyoWare ENV output rests on an ADC offset, so its
        relaxations and dips are judged on what stands above that floor (raw EMG: 0).
    slow_strong_ratio : float
        (envtrain) The slow path, which judges by level and duration alone, needs the level
        (x baseline) to reach this as well as ``strong_ratio`` (0, the default: only
        ``strong_ratio``). Meant for training on ENV input, where quiet standing (2-8 % MVC of
        tonic soleus activity) sits at about 3-6x the rest floor of the MyoWare envelope,
        above its ``strong_ratio``; off because the weakest ENV cramps sit there too
        (benchmarks/detection.md, 2026-12-05 "standing on ENV input").
    rest_floor_tau_s : float
        (restref, session 15) Training: time constant (s) of the leg's rest floor, the lowest
        resting baseline it has shown, allowed to rise by e every ``rest_floor_tau_s`` (a
        decayed minimum): a baseline that re-based to standing does not move it (0, the
        default: off; night).
    rest_learned_ratio : float
        (restref) Training: where the resting baseline stands this many times over the rest
        floor (it learned standing), the slow path's level test (``strong_ratio``,
        ``slow_strong_ratio``) reads the run's median over the rest floor instead (0: off),
        where that median also reaches ``rest_learned_ref`` x the activity reference.
    rest_learned_ref : float
        (restref) See ``rest_learned_ratio`` (fraction of the activity reference).
    learned_stand_s : float
        (standslow, session 16) Training: each leg learns the level it stands at, the
        ``learned_stand_pct`` percentile of its 100 ms envelope (above the resting offset;
        calf raises pass the frame test too: not the median) over the last ``learned_stand_s``
        (s) of frames at which both legs stood (their median 250 ms level over ``window_s``,
        above the offset, from ``off_ratio`` x the rest floor up to ``stand_ref_ceiling`` x
        an activity reference that has seen activity). Needs ``rest_floor_tau_s``. 0 (the
        default, night): off.
    learned_stand_rise : float
        (standslow) Training: the slow path (after-effort included) and the held path do
        not alert while the leg's median envelope over the last ``learned_stand_now_s`` (s)
        stands under this many times its learned standing level as of
        ``learned_stand_lag_s`` (s) before (with at least ``window_s`` of standing learned):
        standing held long enough for the slow path is no cramp; a cramp stands 1.7-20x
        over the leg's standing.
    learned_stand_now_s, learned_stand_lag_s, learned_stand_pct : float
        (standslow) See ``learned_stand_rise``.
    held_s : float
        (exert) Training: a contraction held this long (s) on one leg without relaxing and
        without the stride rhythm alerts on the ``held`` path, whatever its level over the
        resting baseline (standing's tonic activity raises that baseline) and whether or
        not a continuous run is seen. Longer than a voluntary hold (up to ~10 s). 0 disables.
    held_floor : float
        (exert) Over the last ``held_s`` the 100 ms envelope must stay above this fraction
        of the activity reference (standing sits near ``ref_fraction``); its mean there must
        stand ``off_ratio`` x over the resting baseline (which standing raises).
    held_relax : float
        (exert) ... and above this fraction of its own mean there (no relaxation: gait,
        repetitions and the seconds before a hold fall lower). The stride rhythm over
        ``held_s`` must stay below ``settle_rhythm_now`` on every leg, the leg's level
        relative to its reference be ``settle_one_leg`` x every other leg's (so a single
        channel never takes the path), and in the ``pre_run_s`` before ``held_s`` the
        envelope must have been below ``held_relax`` x that mean (the rise was seen).
    held_rest_floor : float
        (trainmiss, session 24) Training: the ``held`` test's floor (x the activity
        reference, in place of ``held_floor``) over the full ``held_s`` span (not the
        shorter ``held_gait_s`` one: standing straight out of running passed it there) where
        every other leg stayed at rest over the span (its mean 100 ms envelope under
        ``off_ratio`` x its resting baseline): a leg contracting on its own beside a leg at
        rest is no standing asymmetry, and a cramp's waxing and waning dips to 0.13-0.2 of
        the reference. 0 disables.
    held_rest_even : float
        (trainmiss, session 24) ... if the span's mean over each half (above the resting
        offset) stands at least this fraction of its mean over the other half: a cramp stays
        up, a hold stepped up out of standing late in the span does not.
    held_rest_gait_s : float
        (heldrest, session 25) ... if that leg had the stride rhythm shortly before: a
        ``settle_gait_s`` span ending up to this long (s) before the ``held_s`` span had it
        (``settle_rhythm``, the leg's mean there at least ``ref_fraction`` x its reference,
        as for ``held_gait_s``): a cramp kept up out of an effort, not a hold stepped out of
        standing. ``held_s`` + ``settle_gait_s`` + this stay within
        ``HELD_REST_SPAN_MAX_S``. 0: no gait asked.
    held_rest_quiet : float
        (heldrest, session 25) ... and if the leg rose out of rest: its mean 100 ms envelope
        over the ``pre_run_s`` before the span (over the resting offset) stood under this
        fraction of its mean over the span. Standing straight out of running stands at its
        level from the last strides on (the strides lie in that span), a cramp rises out of
        the rest after the effort. 0: not asked.
    rehold_confidence : float
        (rehold, session 20) Training: an open event whose alert the confidence model rated
        below this probability (a hold, raises or standing alerted; its event can run on
        into the cramp that follows and cover it) is closed, and the contraction raised on
        the ``held`` path, where the ``held`` test (``held_s``, the span wholly after that
        alert) holds: a contraction held on one leg past any voluntary hold. Once per event.
        0 disables.
    held_start_s : float
        (exert) The held path is closed for this long (s) from the start of the stream: the
        activity reference (the strongest recent activity) must first have seen the
        session's exertion, not only the posture or the hold of one leg it opened on.
    settle_start_s : float
        (startfa) The settle path is closed for this long (s) from the start of the stream,
        as the held path is for ``held_start_s``: its floor is a fraction of the activity
        reference, which must first have seen more than the walking it opened on. 0 disables.
    held_gait_s : float
        (exert2) Training: the ``held`` test over this shorter span (s) will do when it
        began straight out of that leg's gait: a ``settle_gait_s`` span ending up to
        ``settle_after_s`` before it had the stride rhythm (``settle_rhythm``) on that leg,
        whose mean level there reached ``ref_fraction`` x its activity reference. A cramp
        that stops a runner keeps the leg up out of its last strides; a voluntary hold is
        ramped up from rest or standing. 0 disables.
    held_gait_level, held_gait_relax, held_gait_one_leg : float
        (indgait) Training: over the same ``held_gait_s`` span straight out of that leg's
        gait the ``held`` test also passes at a lower level, if steadier: the mean above
        the resting offset reaches ``held_gait_level`` x the activity reference (instead of
        the lowest frame ``held_floor`` x it), the lowest frame stays at ``held_gait_relax``
        x that mean (a cramp's waxing and waning stays above about half its level; standing
        sways lower) and the level relative to the reference is ``held_gait_one_leg`` x
        every other leg's (instead of ``settle_one_leg``). A weak cramp that stops a runner
        stands at a third to a half of its leg's gait bursts, while the other leg drops to
        standing. The gait before must have been running: its stride rhythm found at a
        stride period (per leg) of at most ``held_gait_stride_s`` (running 1.3-1.55 Hz, a
        period of 0.65-0.77 s; walking 0.85-1.05 Hz, 0.95-1.18 s), since standing after
        walking may stand at a third of walking's weaker bursts. ``held_gait_level`` 0
        disables.
    held_gait_stride_s : float
        (indgait) See ``held_gait_level``.
    stop_s, stop_level, stop_relax, stop_one_leg, stop_rest : float
        (gaitrun) Training: the ``held`` path also takes a leg that stayed up for ``stop_s``
        (s) straight out of running on both legs, judged over the leg's rest floor
        (``rest_floor_tau_s``), not over a resting baseline the run re-based: its mean above
        ``rest_offset`` x that floor reaches ``stop_level`` x the activity reference (above
        the same offset) and ``stop_rest`` x the floor, its lowest 100 ms frame over the span
        and the ``stop_pre_s`` before it stays at ``stop_relax`` x that mean (its last
        strides' gaps had closed), its level relative to the reference is ``stop_one_leg`` x
        every other leg's, and no leg has the stride rhythm over the span. 0 (``stop_s``, or
        ``rest_floor_tau_s``) disables.
    stop_after_s, stop_pre_s, stop_stay, stop_drop : float
        (gaitrun) The running: each leg's stride rhythm at running's periods (as
        ``held_gait_stride_s``) over a ``settle_gait_s`` span ending up to ``stop_after_s``
        (s) before the ``stop_s`` span; over the ``settle_gait_s`` just before the span the
        leg's mean (above the offset) is at most 1 / ``stop_stay`` x its mean over the span
        (it stayed up) and every other leg's at least 1 / ``stop_drop`` x its own (it dropped
        to standing or rest). ``stop_pre_s`` (s): see ``stop_relax``.
    after_effort_s, after_effort_slow_s, after_effort_level : float
        (afterhold) Training: a run that starts within ``after_effort_s`` (s) of the end of an
        earlier movement of that leg (a run of at least ``movement_min_s`` that was clearly
        active) takes the slow path after ``after_effort_slow_s`` (s) instead of
        ``slow_min_s``, judged against rest rather than against that effort (the rise test),
        when the leg's median level over the 5 s before the run reached
        ``after_effort_level`` x its activity reference (an effort: a hold, calf raises; not
        standing's sway) and its mean level over the last ``after_effort_slow_s`` relative to
        its reference reached ``after_effort_level`` too and is ``settle_one_leg`` x every
        other leg's. A cramp strikes 0-5 s after
        the effort that triggers it; a voluntary hold begins after a pause. 0 disables.
    after_effort_rise_s, after_effort_late_s, after_effort_span_s : float
        (replead) Training: the after-effort path also takes a run starting up to
        ``after_effort_late_s`` (s) after the effort, or one whose effort shows only as the
        leg's mean level over the ``after_effort_span_s`` (s) before the effort ended (at
        least ``after_effort_level`` x its reference), when the run rose from below 20 % to
        80 % of its median over ``fast_s`` in ``after_effort_rise_s`` (s) or more: a cramp
        builds up, a repeated voluntary hold is ramped up within about a second. 0 disables.
    end_gait_step_s : float
        (trainend) Training: every this many s of an open event, its leg is put to the fast
        and slow paths' stride test (with another leg striding); a leg that strides is not
        cramping, and the event ends at that frame (without a recurrence watch). 0 disables.
    strode_watch_s : float
        (trainend) Training: for this many s after an event ended as its leg strode again,
        an alert on that leg needs its level ``strode_rise`` x the level that event was
        alerted at: the leg walked away from that level (its own standing, a hold, raises).
        0: no such watch.
    strode_rise : float
        (trainend) See ``strode_watch_s`` (x the level at that event's alert).
    slow_release : float
        (holds) Training: no slow-path alert (the after-effort one included) while the 100 ms
        envelope (above the resting offset) stands below this fraction of its median over the
        last ``fast_s``: a voluntary hold is released by ~10 s, about when the slow path
        would take it; a cramp does not relax. 0 disables.
    slow_step : float
        (holdfa) Training: no slow-path alert (the after-effort one included) while the 100 ms
        envelope (above the resting offset) stands above this many times its median over the
        last ``fast_s``: the level just stepped up (a hold or a raise out of standing), and
        what the slow path found sustained was the lower level before it. 0 disables.
    step_both, step_now_s, step_back_s : float
        (trainfa) Training: no early (fast-path) alert while this leg and another one both
        stand (median 100 ms envelope above the resting offset over the last ``step_now_s``,
        s) at ``step_both`` x or more their median over the ``fast_s`` that began
        ``step_back_s`` (s) before, the other leg comparably strong (``bilateral_strength``)
        and not in a raised cramp: a voluntary hold or calf raises start on both legs at
        once, a cramp takes one leg. ``step_both`` 0 disables.
    rest_hold_s : float
        (rebase) A channel's resting baseline is held (as an upper bound) at its value at the
        alert while it cramps, and after the end until the baseline tracker is back at or
        below it, for at most this long after the end (s; then a new rest: a posture changed). A
        lead-off ends the hold (a new contact). A cramp of minutes is not a new rest, to
        which the tracker would otherwise re-base after 60 s of activity. 0 disables.
    other_cramp_s : float
        (rebase) While another leg is in a cramp the detector raised and still contracted
        (250 ms envelope >= ``off_ratio`` x its held rest), no path alerts on a leg until its
        run has lasted this long (s): the sleeper is awake and moves it while stretching the
        cramped one (leg movements last 0.5-10 s, and their run is longer by the rise and
        fall; a cramp of both legs starts within seconds of the first, before
        ``other_cramp_after_s``). 0 disables.
    other_cramp_after_s : float
        (rebase) ``other_cramp_s`` applies from this long (s) after the other leg's alert: a
        cramp of both legs starts within seconds of the first, the other leg's movements come
        while the sleeper, woken by the cramp, stretches it.
    rebase_swing : float
        (rebase2) The resting-baseline tracker takes ``rebase_s`` (60 s) of uninterrupted
        activity (every second's floor at 2x the baseline or more) for a new rest (a moved
        electrode, a new posture: a step to a steady level) unless the stretch's floor waxes
        and wanes: the median change of the 1-s floor from one second to the next over its
        last ``rebase_s`` is this much or more (natural log; a step's floor changes by noise
        alone). Then the re-base is held (the baseline stays the rest before the stretch) and
        the stretch is a cramp to the weak path (the late ``long`` candidates: a weak cramp
        no path took in its first minute). 0 disables (the re-base at ``rebase_s`` always).
    rebase_hold_s : float
        (rebase2) A held re-base is taken after this long (s) more all the same.

    gait_window_s, gait_rhythm, gait_trough : float
        (trainfa) The fast and slow paths do not alert while the leg's 100 ms envelope over
        the last ``gait_window_s`` (s; the run's frames only) has the stride rhythm
        (autocorrelation contrast, as ``settle_rhythm``, at a stride lag of 0.5-1.3 s of at
        least ``gait_rhythm``) and troughs between the strides (10th percentile at most
        ``gait_trough`` x the 90th, above the resting offset). Running and walking keep both
        where the envelope does not fall to rest between strides (the MyoWare ENV filter
        smears it; a tonic level under the bursts); a cramp's waxing and waning, even when
        nearly periodic, stays near its level. ``gait_window_s`` 0 disables.
    gait_other_fraction, gait_other_rhythm : float
        (gaitcramp) With two or more legs, gait is both legs striding: a leg counts as striding
        (the fast and slow paths' test above; the ``held`` path's rhythm test) only while
        another leg has the stride rhythm (at least ``gait_other_rhythm``, lower than
        ``gait_rhythm``: it builds up later as a bout begins) at a mean of at least
        ``gait_other_fraction`` x its activity reference over the same span. A cramp that
        stops a runner may wax and wane at a stride's period while the other leg stands.
        ``gait_other_fraction`` 0 disables (the leg is judged alone).

    stand_ref_ceiling, stand_other_share : float
        (stand) Training: the slow path does not alert while the median of the leg's 250 ms
        level over ``window_s`` is below ``stand_ref_ceiling`` x its activity reference (the
        strongest recent activity) and another leg's is at least ``stand_other_share`` x as
        high, each over its own reference (counted once it reached ``on_ratio`` x rest):
        standing's tonic activity is low and on both legs, and posture shifts keep it over
        ``strong_ratio`` x a resting baseline that standing has set. 0 disables.

    watch_stand_irregular : float
        (watchstand) Training: within the recurrence watch a frame the stand test
        (``stand_ref_ceiling``, ``stand_other_share``) finds standing needs ``irregular`` x
        this on the fast path instead of ``irregular`` x ``recurrence_scale``: the watch's
        looser irregularity is met by standing's postural sway. 0 disables.

    watch_fast_irregular : float
        (watchfast) Training: within the recurrence watch the fast path needs ``irregular``
        x this (instead of x ``recurrence_scale``; the settle path keeps
        ``recurrence_scale``): a voluntary hold's sway meets the watch's loosest
        irregularity. 0: ``recurrence_scale``.

    watch_settle_rise : float
        (watchsettle) Training: within the recurrence watch the settle path does not alert
        while the leg's median envelope over the last ``learned_stand_now_s`` stands under
        this many times its learned standing level (``learned_stand_s``, as the slow path's
        ``learned_stand_rise``): standing after gait on a watched leg meets the watch's
        looser settle irregularity at 1.6-2.2x that level, the cramps in a watch stand at
        3.7x and over. Needs ``learned_stand_s``. 0 (the default, night): off.

    stand_memory_other, stand_memory_rise : float
        (standmem) Training: each leg's level when it last stood (median 250 ms level over
        ``window_s`` above the resting offset, at the latest frame at which every leg was
        active below ``stand_ref_ceiling`` x its activity reference over the whole window) is
        remembered; for the slow path (after-effort included) another leg does not count as
        rising with this one (``bilateral_share``, ``bilateral_recent_s``) while it stands no
        higher than ``stand_memory_other`` x its remembered level and this leg stands
        ``stand_memory_rise`` x over its own (levels as of the run's start): the other leg
        stands (or stood up) beside a cramp. ``stand_memory_other`` 0 disables.

    hold_s, hold_floor : float
        (night) A cramp does not relax: no path alerts while the lowest 200 ms mean of the
        100 ms envelope over the last ``hold_s`` (s) is below ``hold_floor`` x its median
        over the last 4 s of the run, both above the resting offset. A leg movement decays
        towards its end; turning over, whose bursts the MyoWare envelope joins into one run,
        sags between bursts. 0 disables.

    turn_quiet_s, turn_rest_s : float
        (nightmiss) A run that starts while every leg was active before it (turning over) is
        not held back by the rise test against that activity once every other leg has been
        below ``on_ratio`` x its rest for ``turn_quiet_s`` (s): it must rise ``rise_ratio`` x
        above the leg's lowest level over the last ``turn_rest_s`` (s) before the run (its
        rest before or between the turnover's bursts) instead. A leg that stays contracted
        after the other one has dropped back to rest is not turning over; the paths' own
        tests (strength, duration, no relaxation) still apply. ``turn_quiet_s`` 0 disables.
    turn_other_s, turn_other_share, turn_other_ratio : float
        (turnfa) Night: turning over moves both legs. The early (fast and quiet) paths do not
        alert while, over the last ``turn_other_s`` (s), another leg was at
        ``turn_other_ratio`` x its rest or more during at least ``turn_other_share`` of the
        time; a leg in a cramp the detector raised does not count. Unlike the bilateral test
        it does not ask the other leg to rise above its level before the run (a turnover
        moves it before this leg). A cramp that goes on after the turnover takes the early
        paths once the other leg is still again (see ``turn_quiet_s``); the slow path is not
        held (but see ``turn_slow_s``). ``turn_other_s`` 0 disables.
    turn_other_rise : float
        (turnwin, session 16) ... and the other leg counts only where it also stands at
        ``turn_other_rise`` x its own median level over the ``turn_rest_s`` (s) before this
        leg's run or more: a leg that has been as active that long (a restless or tonic leg
        beside a cramp setting in) did not turn over with it; over that long a turnover that
        began a few seconds before the run still reads the leg's rest. Judged only while that
        span lies within ``HISTORY_S`` of the frame. 0 disables.
    turn_decay_s : float
        (nightmove) For that test a leg still counts as in its raised cramp for
        ``turn_decay_s`` (s) after the detector saw the cramp end: the leg relaxing after its
        cramp is not turning over. 0: only up to the end.
    turn_slow_s, turn_slow_ratio : float
        (nightmove) The slow path waits too, until the run has lasted ``turn_slow_s`` (s;
        the longest turnover), while another leg moves strongly and relaxes: by the same test
        at ``turn_slow_ratio`` x its rest, and over the last ``hold_s`` it fell below
        ``hold_floor`` of its recent level (turning over comes in bursts; a cramp of both legs
        at once does not relax). ``turn_slow_s`` 0 disables.
    turn_firm_ratio : float
        (nightfa) For that test the other leg also relaxed when, over the last
        ``turn_other_s``, a 200 ms mean of it fell below ``turn_firm_ratio`` x its rest after
        one had reached ``turn_slow_ratio`` x: a burst that ended (turning over), where a
        cramp rising from rest only rises. A leg bursting from rest is mostly at rest, so its
        lowest point is near its recent median and the ``hold_floor`` test alone takes it
        for firm. Only where that leg stood at ``turn_firm_ratio`` x its rest within
        ``turn_with_s`` (s) of the start of this leg's run: turning over moves both legs at
        once, while a sleeper moves the other leg only after a cramp has begun. 0 disables.
    escalate_ratio, escalate_s, escalate_after_s, escalate_within_s, escalate_other_share : float
        (nightmiss2) Night: a prodrome (resting EMG creeping up for ~41 s, domain notes §1.7),
        a leg movement or a turnover can be alerted seconds before the cramp it runs into; the
        cramp then stands far above it. While an event is open, from ``escalate_after_s`` (s;
        0 in every profile: ``escalate_hold_ratio`` tells a cramp's own ramp instead) to
        ``escalate_within_s`` (s; a cramp waxing 2x tens of seconds in is one event) after its
        alert, a leg whose
        ``escalate_s`` (s) mean envelope has stood at ``escalate_ratio`` x the level the event
        was alerted at, and as many times over its level ``fast_s`` earlier (a jump: a cramp
        that built up slowly past its alert, or a creeping prodrome, does not), for
        ``escalate_s`` on end, while over the last ``turn_other_s`` no other
        leg was up (``turn_other_ratio`` x its rest) for ``escalate_other_share`` of the time
        or more (turning over moves both legs; a twitch is shorter), closes that event and
        raises the cramp (path ``escalate``; once per event). ``escalate_ratio`` 0 disables.
    escalate_rest_s : float
        (indnight) After a dip of the open event's leg to its resting floor (100 ms envelope
        below ``weak_floor`` x the rest at the alert) for this long (s) or more, the escalation
        is possible again for ``escalate_within_s`` from the end of the dip: a cramp never
        returns to rest, so what rises after the dip is a new contraction (a cramp after its
        prodrome), not the waxing of the one alerted. 0 disables.
    prodrome_s, prodrome_gap_s, prodrome_share, prodrome_step : float
        (prodrome, session 22; night) A night cramp rises from rest, or from a prodrome's
        raised resting EMG, far above it; a prodrome itself is that raised rest going on. Where
        the leg's 100 ms envelope stood at ``weak_floor`` x its rest (the lowest baseline over
        the span read) in ``prodrome_share`` of the frames of a ``prodrome_s`` (s) span ending
        ``prodrome_gap_s`` (s) before a candidate frame, while no other leg stood there in
        ``quiet_other_share`` of it (a turnover moves both legs), the frame alerts only when
        the leg's ``escalate_s`` median has stood, since the span, ``prodrome_step`` (x, over
        the resting offset) over that span's level (its median, or the median of its last
        third where a creep ended higher): the step up of the cramp out of its prodrome. A
        weak cramp's late ``long`` candidates are not asked. ``prodrome_s`` 0 disables
        (training). ``prodrome_s`` + ``prodrome_gap_s`` stay within the detector's history.
    escalate_hold_ratio : float
        (escshape) The jump must follow a hold: at some frame after the alert, ``fast_s`` or
        more before the jump, the leg's ``escalate_s`` mean (taken wholly after the alert)
        stood at no more than ``escalate_hold_ratio`` x the level the event was alerted at (a
        prodrome, leg movement or turnover holds its level or relaxes before the cramp it
        runs into; a cramp alerted early on its own ramp goes on rising from its alert and
        never stands there again). The earliest escalation is then ``fast_s`` + 2
        ``escalate_s`` after the alert. 0 disables.
    escalate_peak_ratio : float
        (escpeak, session 18) The jump must also reach ``escalate_peak_ratio`` x the highest
        ``escalate_s`` mean the leg stood at since the alert (taken wholly after it, ``fast_s``
        or more before the jump; since the last dip to rest when ``escalate_rest_s`` is set): a
        cramp alerted in one of its troughs waxes back to a level it already reached, while
        the cramp a prodrome, leg movement or turnover ran into stands above all of it.
        0 disables.
    escalate_other_s : float
        (escshape) The other-leg test of ``escalate_other_share`` reads the last
        ``escalate_other_s`` (s) instead of ``turn_other_s``: the other leg still moving
        while the leg jumps is turning over; a cramp that sets in as a turnover ends stays up
        while the other leg has relaxed. 0: ``turn_other_s``.

    moved_swing : float
        (latency) Night: a run that starts within ``quiet_s`` of a movement may take the early
        paths before ``moved_fast_s`` when its 100 ms envelope over the last ``fast_s`` swung
        by this much (log of its 90th over its 10th percentile, as ``plateau_swing``): a
        cramp builds up and waxes and wanes, a leg movement of a periodic series is a flat
        plateau reached at once. 0 disables (the run waits for ``moved_fast_s``).
    moved_dip : float
        (latency) ... and the lowest 100 ms envelope over ``window_s`` must stand at least
        this fraction of its mean there (``dip``): a cramp does not relax, a movement of a
        series that waxes and wanes sags between its bursts.

    series_s : float
        (nightmove, session 10) Night: how far back (s) a leg's movements count for the series
        test (the longest period of periodic leg movements, 90 s). 0 keeps none.
    series_moves : float
        ... a series needs this many movements of the leg within ``series_s`` (pieces closer
        than ``series_gap_s`` count as one).
    series_gap_s : float
        ... the rest (s) that separates two movements of a series (its shortest period), and
        that the run must start after the last one (a cramp right after a movement is not
        the next burst).
    series_ratio : float
        ... the run starts one period after the last movement's start: that time is within
        this factor of the time between the starts of the last two movements.
    series_wait_s : float
        ... then no path alerts before the run has lasted this long (s: longer than every leg
        movement). 0 disables.
    series_cramp_s : float
        (nightmove) ... except within the recurrence watch after an event that lasted at least
        this long (s) from onset to end: a cramp (a muscle that has just cramped is prone to
        cramp again); a leg movement or turnover (<= 45 s) alerted falsely ends sooner. 0: the
        wait holds in every watch.
    watch_slow_scale : float
        (nightwatch) Within the recurrence watch ``slow_s`` is scaled by this instead of
        ``recurrence_scale`` (the slow path's own scale; ``irregular`` keeps
        ``recurrence_scale``): night 0.85 (7.65 s), past the early paths' ``moved_fast_s``,
        so that a flat leg movement after a cramp is not taken before it could end.
        0: ``recurrence_scale``.

    Every value is checked on construction (:class:`~crampdetect.core.InputError`).
    """

    on_ratio: float = 4.0
    off_ratio: float = 2.5
    gap_s: float = 0.15
    relax_fraction: float = 0.25
    window_s: float = 1.5
    fast_s: float = 2.5
    irregular: float = 0.16
    persist_s: float = 0.5
    dip: float = 0.2
    slow_s: float = 8.0
    strong_ratio: float = 12.0
    bilateral_s: float = 30.0
    quiet_s: float = 90.0
    ref_fraction: float = 0.0
    fast_ref_fraction: float = 0.0
    end_s: float = 1.5
    end_fraction: float = 0.3
    end_weak_below: float = 4.0
    end_weak_ratio: float = 0.0
    end_rest_share: float = 0.0
    max_cramp_s: float = 900.0
    rise_ratio: float = 2.0
    min_confidence: float = 0.0  # gate
    early_warning: bool = False
    warn_low_ratio: float = 1.5  # warn
    warn_high_ratio: float = 12.0  # warn
    warn_confirm_s: float = 12.0  # warn
    warn_share: float = 0.8  # warn
    warn_ref_s: float = 60.0  # warn
    warn_rest_ratio: float = 1.25  # warn
    warn_rest_s: float = 5.0  # warn
    warn_rise_s: float = 90.0  # warn
    warn_quiet_s: float = 30.0  # warn
    warn_other_ratio: float = 1.3  # warn
    warn_other_share: float = 0.75  # warn
    warn_recover_s: float = 60.0  # warn
    warn_end_ratio: float = 1.3  # warn
    warn_end_s: float = 5.0  # warn
    recurrence_s: float = 3600.0
    recurrence_scale: float = 0.75
    relax_window_s: float = 3.0
    movement_fraction: float = 0.5
    movement_min_s: float = 0.5
    bilateral_share: float = 0.5
    bilateral_strength: float = 0.25
    pre_run_s: float = 5.0
    onset_lookback_s: float = 12.0
    settle_s: float = 0.0
    settle_gait_s: float = 6.0
    settle_rhythm: float = 1.0
    settle_floor: float = 0.08
    settle_irregular: float = 0.13
    # gaitcramp (session 13): a leg that lost its gaps between strides while another kept them
    settle_gap_ratio: float = 0.0
    settle_gap_stride_s: float = 1.3
    settle_gap_s: float = 1.0
    settle_one_leg: float = 2.0
    # train: after exertion
    settle_rhythm_now: float = 2.0
    settle_relax: float = 0.0
    settle_after_s: float = 0.0
    slow_min_s: float = 0.0
    slow_onset_s: float = 0.0  # latency (session 24)
    slow_onset_min_s: float = 0.0  # latency (session 24)
    slow_onset_gait_s: float = 0.0  # afterstride (session 25)
    fast_dip: float = 0.0
    slow_prior_step: float = 0.0  # indtrain
    # fastfa: a hold stepped up out of steady standing (early paths, training)
    stand_step: float = 0.0
    stand_step_floor: float = 0.5
    stand_level: float = 0.15
    stand_pre_s: float = 4.0
    stand_step_s: float = 9.0
    bilateral_recent_s: float = 0.0
    # -- night profile decisions (helper `night`) --
    quiet_start_s: float = 60.0
    quiet_other_share: float = 0.2
    recurrence_fast_scale: float = 0.75
    moved_fast_s: float = 7.0
    plateau_swing: float = 0.0
    # rep: representation-specific
    rest_offset: float = 0.0
    # envtrain: a level standing does not reach, for the slow path (opt-in)
    slow_strong_ratio: float = 0.0
    # restref (session 15): a training resting reference standing does not move
    rest_floor_tau_s: float = 0.0
    rest_learned_ratio: float = 0.0
    rest_learned_ref: float = 0.5
    # standslow (session 16): a leg's standing level, learned like the rest floor
    learned_stand_s: float = 0.0
    learned_stand_rise: float = 1.5
    learned_stand_pct: float = 30.0
    learned_stand_now_s: float = 5.0
    learned_stand_lag_s: float = 10.0
    # -- missed and late cramps (helper `miss`) --
    bilateral_clear_s: float = 1e6
    weak_s: float = 0.0
    weak_floor: float = 1.8
    weak_share: float = 0.9
    weak_gap_s: float = 0.5
    weak_ratio: float = 3.5
    weak_rest_s: float = 12.0
    weak_min_uv: float = 50.0
    weak_low_uv: float = 0.0  # nightweak (session 20)
    weak_low_ratio: float = 3.0
    weak_low_rest: float = 1.25
    weak_low_move: float = 0.0  # nightweak2 (session 20)
    weak_relax: float = 0.0  # cases (session 23)
    weak_relaxes: float = 2.0
    weak_both_s: float = 0.0
    # -- night: a cramp does not relax (helper `night`, session 5) --
    hold_s: float = 2.0
    hold_floor: float = 0.0
    # exert: a contraction held on one leg after exertion (the ``held`` path)
    held_s: float = 0.0
    held_floor: float = 0.25
    held_relax: float = 0.3
    held_rest_floor: float = 0.0  # trainmiss (session 24)
    held_rest_even: float = 0.85
    held_rest_gait_s: float = 0.0  # heldrest (session 25)
    held_rest_quiet: float = 0.0  # heldrest (session 25)
    held_start_s: float = 60.0
    rehold_confidence: float = 0.0  # rehold (session 20)
    settle_start_s: float = 0.0
    # exert2: held straight out of gait (the ``held`` path's shorter span)
    held_gait_s: float = 0.0
    # indgait: ... at a lower, steadier level, on one leg (the held_gait span's second test)
    held_gait_level: float = 0.0
    held_gait_relax: float = 0.45
    held_gait_one_leg: float = 1.5
    held_gait_stride_s: float = 0.85
    # gaitrun (session 17): a leg kept up over its rest floor straight out of running
    stop_s: float = 0.0
    stop_level: float = 0.25
    stop_relax: float = 0.5
    stop_one_leg: float = 2.0
    stop_rest: float = 2.0
    stop_after_s: float = 0.0
    stop_stay: float = 0.7
    stop_drop: float = 0.6
    stop_pre_s: float = 1.5
    # rebase: a cramp-aware resting baseline, and the other legs during a cramp
    rest_hold_s: float = 0.0
    other_cramp_s: float = 0.0
    other_cramp_after_s: float = 0.0
    # rebase2: a stretch of activity that waxes and wanes is no new rest
    rebase_swing: float = 0.0
    rebase_hold_s: float = 0.0
    # trainfa: gait keeps its stride rhythm (fast and slow paths)
    gait_window_s: float = 0.0
    # nightmiss: a cramp that goes on after turning over
    turn_quiet_s: float = 0.0
    turn_rest_s: float = 25.0
    gait_rhythm: float = 0.7
    gait_trough: float = 0.35
    # afterhold: a cramp right after a hold or calf raises (the slow path's shorter floor)
    after_effort_s: float = 0.0
    after_effort_slow_s: float = 9.5
    after_effort_level: float = 0.2
    # replead: a run that rose more slowly than a voluntary contraction, after an effort
    after_effort_rise_s: float = 0.0
    after_effort_late_s: float = 5.0
    after_effort_span_s: float = 5.0
    # holds: a voluntary hold is released; a cramp does not relax
    slow_release: float = 0.0
    end_gait_step_s: float = 0.0  # trainend
    strode_watch_s: float = 0.0  # trainend
    strode_rise: float = 1.0  # trainend
    # holdfa: a step up is not the contraction the slow path found sustained
    slow_step: float = 0.0
    # trainfa: a voluntary hold or calf raises start on both legs at once (fast path)
    step_both: float = 0.0
    step_now_s: float = 0.5
    step_back_s: float = 8.0
    # gaitcramp: gait is both legs striding; one leg's rhythm alone is a cramp's waxing
    gait_other_fraction: float = 0.0
    gait_other_rhythm: float = 0.35

    # stand: standing is bilateral and low against the activity reference (slow path)
    stand_ref_ceiling: float = 0.0
    stand_other_share: float = 0.3
    watch_stand_irregular: float = 0.0  # watchstand
    watch_fast_irregular: float = 0.0  # watchfast
    watch_settle_rise: float = 0.0  # watchsettle
    stand_memory_other: float = 0.0
    stand_memory_rise: float = 2.5
    # standfa: a run that resumed the steady level before it followed no effort
    resume_ratio: float = 0.0
    resume_floor: float = 0.5
    # startfa: the effort an after-effort run follows was the leg's own
    own_effort_share: float = 0.0
    own_effort_s: float = 60.0
    # demofa: in the first minute, the fast path too; an effort that was standing is none
    own_fast_share: float = 0.0
    stand_effort_s: float = 0.0
    stand_effort_share: float = 0.0
    stand_slow_share: float = 0.0  # trainstand
    # turnfa: turning over moves both legs: no early alert while the other leg is up too
    turn_other_s: float = 0.0
    turn_other_rise: float = 0.0
    turn_other_share: float = 0.3
    turn_other_ratio: float = 3.0
    # nightmove: a cramp's relaxation after its end is not turning over
    turn_decay_s: float = 0.0
    turn_slow_s: float = 0.0
    turn_slow_ratio: float = 3.0
    # nightfa: a leg bursting from rest is turning over, not cramping
    turn_firm_ratio: float = 0.0
    turn_with_s: float = 1.0
    # nightmiss2: the cramp a prodrome, leg movement or turnover ran into, far stronger
    escalate_ratio: float = 0.0
    escalate_s: float = 1.5
    escalate_after_s: float = 0.0  # escshape: the hold test instead (was 6.25 s)
    escalate_within_s: float = 20.0
    escalate_rest_s: float = 0.0
    escalate_other_share: float = 0.1
    # escshape: the precursor held its level (or relaxed) before the jump
    escalate_hold_ratio: float = 0.0
    # prodrome (session 22): a night cramp steps up out of a prodrome's raised rest
    prodrome_s: float = 0.0
    prodrome_gap_s: float = 8.0
    prodrome_share: float = 0.75
    prodrome_step: float = 2.5
    escalate_peak_ratio: float = 0.0  # escpeak: above every level since the alert
    escalate_other_s: float = 0.0

    # latency: after a movement, a run that builds up or waxes and wanes need not wait
    moved_swing: float = 0.0
    moved_dip: float = 0.0

    # nightmove (session 10): periodic leg movements come in series
    series_s: float = 0.0
    series_moves: float = 2.0
    series_wait_s: float = 0.0
    series_cramp_s: float = 0.0
    series_gap_s: float = 5.0
    series_ratio: float = 2.0
    watch_slow_scale: float = 0.0  # nightwatch (session 17)

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.name == "early_warning":
                if not isinstance(v, bool):
                    raise InputError("Detector setting early_warning must be true or false")
                continue
            lo, hi, unit = LIMITS[f.name]
            if not (isinstance(v, int | float) and math.isfinite(v) and lo <= v <= hi):
                raise InputError(
                    f"Detector setting {f.name}={v!r} out of range {lo:g}..{hi:g}"
                    + (f" {unit}" if unit else "")
                )
        if self.off_ratio > self.on_ratio:
            raise InputError("Detector setting off_ratio must not exceed on_ratio")
        if self.end_weak_ratio > self.off_ratio:  # heldend (session 15)
            raise InputError("Detector setting end_weak_ratio must not exceed off_ratio")
        if not self.warn_rest_ratio <= self.warn_low_ratio < self.warn_high_ratio:  # warn
            raise InputError(
                "Detector settings must keep warn_rest_ratio <= warn_low_ratio < warn_high_ratio"
            )
        if self.warn_end_ratio > self.warn_low_ratio:  # warn
            raise InputError("Detector setting warn_end_ratio must not exceed warn_low_ratio")
        if self.window_s < 3 * self.persist_s:
            raise InputError("Detector setting window_s must be at least 3 x persist_s")
        if self.weak_s > 0 and not self.weak_s <= self.weak_rest_s <= WEAK_SPAN_MAX_S:
            raise InputError(
                f"Detector setting weak_rest_s must lie between weak_s and {WEAK_SPAN_MAX_S:g} s"
            )
        if self.weak_s > 0 and self.weak_both_s > self.weak_s:  # nightmiss (session 12)
            raise InputError("Detector setting weak_both_s must not exceed weak_s")
        if self.settle_s + self.settle_gait_s + self.settle_after_s > SETTLE_SPAN_MAX_S:
            raise InputError(
                "Detector settings settle_s + settle_gait_s + settle_after_s must not exceed "
                f"{SETTLE_SPAN_MAX_S:g} s"
            )
        gap_span = self.settle_s + self.settle_after_s + self.settle_gap_s
        gap_span += (GAP_STRIDES + 1) * self.settle_gap_stride_s  # gaitcramp: within history
        if self.settle_gap_ratio > 0 and gap_span > SETTLE_SPAN_MAX_S:
            raise InputError(
                "Detector settings settle_s + settle_after_s + settle_gap_s + "
                f"{GAP_STRIDES + 1} x settle_gap_stride_s must not exceed {SETTLE_SPAN_MAX_S:g} s"
            )
        if self.stop_s > 0 and self.stop_s + self.settle_gait_s + self.stop_after_s > (
            HELD_SPAN_MAX_S
        ):  # gaitrun (session 17)
            raise InputError(
                "Detector settings stop_s + settle_gait_s + stop_after_s must not exceed "
                f"{HELD_SPAN_MAX_S:g} s"
            )
        if self.stop_s > 0 and self.stop_pre_s > self.settle_gait_s:  # gaitrun
            raise InputError("Detector setting stop_pre_s must not exceed settle_gait_s")
        if self.held_s + self.pre_run_s > HELD_SPAN_MAX_S:  # exert
            raise InputError(
                f"Detector settings held_s + pre_run_s must not exceed {HELD_SPAN_MAX_S:g} s"
            )
        if self.held_rest_gait_s > 0 and (
            self.held_s + self.settle_gait_s + self.held_rest_gait_s > HELD_REST_SPAN_MAX_S
        ):  # heldrest (session 25)
            raise InputError(
                "Detector settings held_s + settle_gait_s + held_rest_gait_s must not exceed "
                f"{HELD_REST_SPAN_MAX_S:g} s"
            )
        # exert2: the shorter held span, the gait span and where it may end, within history
        gait_span = max(self.pre_run_s, self.settle_gait_s + self.settle_after_s)
        if self.held_gait_s > 0 and self.held_gait_s + gait_span > HELD_SPAN_MAX_S:
            raise InputError(
                "Detector settings held_gait_s + settle_gait_s + settle_after_s (and "
                f"held_gait_s + pre_run_s) must not exceed {HELD_SPAN_MAX_S:g} s"
            )

        # afterstride: the gait span read before the placed onset lies within history
        slow_span = max(self.slow_s, self.slow_min_s) + self.slow_onset_s
        slow_span += self.settle_gait_s + self.slow_onset_gait_s
        if self.slow_onset_s > 0 and self.slow_onset_gait_s > 0 and slow_span > SLOW_SPAN_MAX_S:
            raise InputError(
                "Detector settings max(slow_s, slow_min_s) + slow_onset_s + settle_gait_s + "
                f"slow_onset_gait_s must not exceed {SLOW_SPAN_MAX_S:g} s"
            )

    def replace(self, **changes: float) -> DetectorSettings:
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise InputError(f"Unknown detector setting(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


_BIG = 1e6
#: The settle path looks back at most this far (s): within the detector's history.
SETTLE_SPAN_MAX_S = 25.0
#: gaitcramp (session 13): a leg strides when its gaps show over this many stride windows
GAP_STRIDES = 2
#: (exert) The held path looks back at most this far (s): within the detector's history.
HELD_SPAN_MAX_S = 25.0
#: (heldrest, session 25) The held path's lower floor looks back for the gait at most this
#: far (s): within the detector's history (``HISTORY_S``, 30 s, ``detect/cramp.py``).
HELD_REST_SPAN_MAX_S = 29.0
#: (miss) The weak path looks back at most this far (s): within the detector's history.
WEAK_SPAN_MAX_S = 25.0
#: (afterstride) The slow path's gait test before a placed onset looks back at most this far
#: (s) from the frame judged: within the detector's history.
SLOW_SPAN_MAX_S = 25.0
#: (trainfa) The gait test looks back at most this far (s): within the detector's history.
GAIT_WINDOW_MAX_S = 25.0
#: Allowed range and unit of every numeric setting ("" for a plain ratio or fraction).
#: (gate) Training alerts rated below this by the confidence model are possible cramps: on the
#: tuning, validation and held-out seeds no training cramp's first alert at this level or above
#: came later than without the gate (benchmarks/detection.md, session 14, parts conf and gate).
MIN_CONFIDENCE = 0.2

LIMITS: dict[str, tuple[float, float, str]] = {
    "on_ratio": (1.0, 1000.0, "x baseline"),
    "off_ratio": (1.0, 1000.0, "x baseline"),
    "gap_s": (0.01, 10.0, "s"),
    "relax_fraction": (0.0, 1.0, ""),
    "window_s": (0.2, 30.0, "s"),
    "fast_s": (0.1, 600.0, "s"),
    "irregular": (0.0, 10.0, "log units"),
    "persist_s": (0.05, 10.0, "s"),
    "dip": (0.0, 1.0, ""),
    "slow_s": (0.1, 600.0, "s"),
    "strong_ratio": (1.0, 1000.0, "x baseline"),
    "bilateral_s": (0.0, _BIG, "s"),
    "quiet_s": (0.0, _BIG, "s"),
    "ref_fraction": (0.0, 1.0, ""),
    "fast_ref_fraction": (0.0, 10.0, ""),
    "end_s": (0.05, 600.0, "s"),
    "end_fraction": (0.0, 1.0, ""),
    "end_rest_share": (0.0, 1.0, ""),  # indnight
    "max_cramp_s": (1.0, _BIG, "s"),
    "rise_ratio": (0.0, 1000.0, "x level before the run"),
    "min_confidence": (0.0, 1.0, "probability"),
    "recurrence_s": (0.0, _BIG, "s"),
    "recurrence_scale": (0.1, 1.0, ""),
    "relax_window_s": (0.2, 60.0, "s"),
    "movement_fraction": (0.0, 1.0, ""),
    "movement_min_s": (0.0, 60.0, "s"),
    "bilateral_share": (0.0, 1.0, ""),
    "bilateral_strength": (0.0, 10.0, ""),
    "pre_run_s": (1.5, 25.0, "s"),
    "onset_lookback_s": (0.5, 25.0, "s"),
    "settle_s": (0.0, 20.0, "s"),
    "settle_gait_s": (2.0, 20.0, "s"),
    "settle_rhythm": (0.0, 2.0, "autocorrelation difference"),
    "settle_floor": (0.0, 1.0, "x activity reference"),
    "settle_irregular": (0.0, 10.0, "log units"),
    "settle_gap_ratio": (0.0, 1.0, "x highest over settle_gap_stride_s"),  # gaitcramp
    "settle_gap_stride_s": (0.3, 2.5, "s"),  # gaitcramp
    "settle_gap_s": (0.1, 5.0, "s"),  # gaitcramp
    "settle_one_leg": (0.0, 100.0, "x other leg's relative level"),
    "settle_rhythm_now": (0.0, 2.0, "autocorrelation difference"),
    "settle_relax": (0.0, 1.0, "x median over settle_s"),
    "settle_after_s": (0.0, 10.0, "s"),
    "slow_min_s": (0.0, 600.0, "s"),
    "slow_onset_s": (0.0, 10.0, "s"),  # latency (session 24)
    "slow_onset_min_s": (0.0, 10.0, "s"),  # latency (session 24)
    "slow_onset_gait_s": (0.0, 10.0, "s"),  # afterstride (session 25)
    "fast_dip": (0.0, 1.0, "x mean over window_s"),
    "slow_prior_step": (0.0, 100.0, "x median over fast_s, fast_s before"),
    "stand_step": (0.0, 100.0, "x median while standing before"),  # fastfa
    "stand_step_floor": (0.0, 1.0, "x median while standing before"),  # fastfa
    "stand_pre_s": (0.1, 10.0, "s"),  # fastfa
    "stand_level": (0.0, 1.0, "x activity reference"),  # fastfa
    "stand_step_s": (0.0, 20.0, "s"),  # fastfa (+ stand_pre_s within HISTORY_S)
    "bilateral_recent_s": (0.0, 20.0, "s"),
    "quiet_start_s": (0.0, _BIG, "s"),
    "quiet_other_share": (0.0, 1.0, ""),
    "recurrence_fast_scale": (0.1, 1.0, ""),
    "moved_fast_s": (0.1, 600.0, "s"),
    "plateau_swing": (0.0, 10.0, "log units"),
    "rest_offset": (0.0, 1.0, "x baseline"),
    "slow_strong_ratio": (0.0, 1000.0, "x baseline"),
    "rest_floor_tau_s": (0.0, 86400.0, "s"),  # restref (session 15)
    "end_weak_below": (1.0, 100.0, "x baseline"),  # heldend (session 15)
    "end_weak_ratio": (0.0, 100.0, "x baseline"),  # heldend (session 15)
    "rest_learned_ratio": (0.0, 1000.0, "x rest floor"),  # restref
    "rest_learned_ref": (0.0, 1.0, "x activity reference"),  # restref
    "learned_stand_s": (0.0, 3600.0, "s"),  # standslow (session 16)
    "learned_stand_rise": (1.0, 100.0, "x the leg's learned standing level"),  # standslow
    "learned_stand_now_s": (0.05, 60.0, "s"),  # standslow
    "learned_stand_pct": (0.0, 100.0, "percentile"),  # standslow
    "learned_stand_lag_s": (0.0, 600.0, "s"),  # standslow
    "bilateral_clear_s": (0.0, _BIG, "s"),
    "weak_s": (0.0, 20.0, "s"),
    "weak_floor": (1.0, 1000.0, "x baseline"),
    "weak_share": (0.0, 1.0, ""),
    "weak_gap_s": (0.0, 10.0, "s"),
    "weak_ratio": (1.0, 1000.0, "x baseline"),
    "weak_rest_s": (0.0, 25.0, "s"),
    "weak_min_uv": (0.0, 1e6, "µV"),
    "weak_low_uv": (0.0, 1e6, "µV"),  # nightweak (session 20)
    "weak_low_ratio": (1.0, 1000.0, "x baseline"),
    "weak_low_rest": (1.0, 1000.0, "x baseline"),
    "weak_low_move": (0.0, 1000.0, "x baseline"),  # nightweak2 (session 20)
    "weak_relax": (0.0, 1000.0, "x baseline"),  # cases (session 23)
    "weak_relaxes": (1.0, 1000.0, "relaxations in weak_s"),  # cases (session 23)
    "weak_both_s": (0.0, WEAK_SPAN_MAX_S, "s"),  # nightmiss (session 12)
    "hold_s": (0.2, 10.0, "s"),
    "hold_floor": (0.0, 1.0, "x median over the run"),
    "held_s": (0.0, HELD_SPAN_MAX_S, "s"),
    "held_floor": (0.0, 1.0, "x activity reference"),
    "held_relax": (0.0, 1.0, "x mean over held_s"),
    "held_rest_floor": (0.0, 1.0, "x activity reference"),  # trainmiss (session 24)
    "held_rest_even": (0.0, 1.0, "x the other half's mean"),  # trainmiss (session 24)
    "held_rest_gait_s": (0.0, HELD_REST_SPAN_MAX_S, "s"),  # heldrest (session 25)
    "held_rest_quiet": (0.0, 1.0, "x mean over held_s"),  # heldrest (session 25)
    "held_start_s": (0.0, _BIG, "s"),
    "rehold_confidence": (0.0, 1.0, "probability"),  # rehold (session 20)
    "settle_start_s": (0.0, _BIG, "s"),  # startfa
    "held_gait_s": (0.0, HELD_SPAN_MAX_S, "s"),  # exert2
    "held_gait_level": (0.0, 1.0, "x activity reference"),  # indgait
    "held_gait_relax": (0.0, 1.0, "x mean over held_gait_s"),  # indgait
    "held_gait_one_leg": (1.0, 100.0, "x other leg's relative level"),  # indgait
    "held_gait_stride_s": (0.5, 1.3, "s"),  # indgait: within STRIDE_LAGS_S
    "stop_s": (0.0, HELD_SPAN_MAX_S, "s"),  # gaitrun (session 17)
    "stop_level": (0.0, 1.0, "x activity reference"),  # gaitrun
    "stop_relax": (0.0, 1.0, "x mean over stop_s"),  # gaitrun
    "stop_one_leg": (1.0, 100.0, "x other leg's relative level"),  # gaitrun
    "stop_rest": (0.0, 1000.0, "x rest floor"),  # gaitrun
    "stop_after_s": (0.0, 10.0, "s"),  # gaitrun
    "stop_stay": (0.0, 10.0, "x own mean over settle_gait_s before"),  # gaitrun
    "stop_drop": (0.0, 10.0, "x other leg's mean over settle_gait_s before"),  # gaitrun
    "stop_pre_s": (0.0, 5.0, "s"),  # gaitrun
    "rest_hold_s": (0.0, _BIG, "s"),  # rebase
    "other_cramp_s": (0.0, 600.0, "s"),  # rebase
    "other_cramp_after_s": (0.0, _BIG, "s"),  # rebase
    "rebase_swing": (0.0, 5.0, "median |ln change| of the 1-s floor"),  # rebase2
    "rebase_hold_s": (0.0, _BIG, "s"),  # rebase2
    "gait_window_s": (0.0, GAIT_WINDOW_MAX_S, "s"),
    "turn_quiet_s": (0.0, 20.0, "s"),  # nightmiss (within HISTORY_S)
    "turn_rest_s": (0.5, 29.0, "s"),  # nightmiss (within HISTORY_S)
    "gait_rhythm": (0.0, 2.0, "autocorrelation difference"),
    "gait_trough": (0.0, 1.0, "x 90th percentile over gait_window_s"),
    "after_effort_s": (0.0, 60.0, "s"),  # afterhold
    "after_effort_slow_s": (0.0, 20.0, "s"),  # afterhold: within HISTORY_S
    "after_effort_level": (0.0, 10.0, "x activity reference"),  # afterhold
    "after_effort_rise_s": (0.0, 10.0, "s"),  # replead
    "after_effort_late_s": (0.0, 10.0, "s"),  # replead (within HISTORY_S)
    "after_effort_span_s": (0.5, 10.0, "s"),  # replead (within HISTORY_S)
    "slow_release": (0.0, 1.0, "x median over fast_s"),  # holds
    "resume_ratio": (0.0, 100.0, "x median before the run, either way"),  # standfa
    "resume_floor": (0.0, 1.0, "x median before the run"),  # standfa
    "own_effort_share": (0.0, 1.0, "x other leg's reference over rest"),  # startfa
    "own_effort_s": (0.0, _BIG, "s"),  # startfa
    "own_fast_share": (0.0, 1.0, "x other leg's reference over rest"),  # demofa
    "stand_effort_s": (0.0, _BIG, "s"),  # demofa
    "stand_effort_share": (0.0, 1.0, "x other leg's reference over rest"),  # demofa
    "stand_slow_share": (0.0, 1.0, "x other leg's reference over rest"),  # trainstand
    "end_gait_step_s": (0.0, 10.0, "s"),  # trainend
    "strode_watch_s": (0.0, 3600.0, "s"),  # trainend
    "strode_rise": (1.0, 100.0, "x level at the alert"),  # trainend
    "slow_step": (0.0, 100.0, "x median over fast_s"),  # holdfa
    "step_both": (0.0, 100.0, "x median over fast_s, step_back_s before"),  # trainfa
    "step_now_s": (0.05, 5.0, "s"),  # trainfa
    "step_back_s": (1.0, 25.0, "s"),  # trainfa (within HISTORY_S)
    "gait_other_fraction": (0.0, 1.0, "x activity reference"),  # gaitcramp
    "gait_other_rhythm": (0.0, 2.0, "autocorrelation difference"),  # gaitcramp
    "stand_ref_ceiling": (0.0, 1.0, "x activity reference"),  # stand
    "stand_other_share": (0.0, 10.0, "x this leg's level over its reference"),  # stand
    "watch_stand_irregular": (0.0, 1.0, "x irregular"),  # watchstand
    "watch_fast_irregular": (0.0, 1.0, "x irregular"),  # watchfast
    "watch_settle_rise": (0.0, 100.0, "x the leg's learned standing level"),  # watchsettle
    "stand_memory_other": (0.0, 10.0, "x the other leg's last standing level"),  # standmem
    "stand_memory_rise": (1.0, 100.0, "x this leg's last standing level"),  # standmem
    "turn_other_s": (0.0, 20.0, "s"),  # turnfa (within HISTORY_S)
    "turn_other_rise": (0.0, 100.0, "x the other leg's median over turn_rest_s before"),  # turnwin
    "turn_other_share": (0.0, 1.0, "share of turn_other_s"),  # turnfa
    "turn_other_ratio": (1.0, 100.0, "x the other leg's rest"),  # turnfa
    "turn_decay_s": (0.0, 20.0, "s"),  # nightmove (within HISTORY_S)
    "turn_slow_s": (0.0, 600.0, "s"),  # nightmove
    "turn_slow_ratio": (1.0, 100.0, "x the other leg's rest"),  # nightmove
    "turn_firm_ratio": (0.0, 100.0, "x the other leg's rest"),  # nightfa
    "turn_with_s": (0.0, 10.0, "s"),  # nightfa (within HISTORY_S)
    "escalate_ratio": (0.0, 100.0, "x the level at the alert"),  # nightmiss2
    "escalate_s": (0.1, 10.0, "s"),  # nightmiss2 (within HISTORY_S)
    "escalate_after_s": (0.0, 900.0, "s"),  # nightmiss2
    "escalate_within_s": (0.0, 900.0, "s"),  # nightmiss2
    "escalate_rest_s": (0.0, 60.0, "s"),  # indnight
    "escalate_other_share": (0.0, 1.0, "share of turn_other_s"),  # nightmiss2
    "escalate_hold_ratio": (0.0, 100.0, "x the level at the alert"),  # escshape
    "prodrome_s": (0.0, 18.0, "s"),  # prodrome (within HISTORY_S with prodrome_gap_s)
    "prodrome_gap_s": (0.0, 10.0, "s"),  # prodrome
    "prodrome_share": (0.0, 1.0, "share of prodrome_s"),  # prodrome
    "prodrome_step": (1.0, 100.0, "x the span's median over the resting offset"),  # prodrome
    "escalate_peak_ratio": (0.0, 100.0, "x the highest level since the alert"),  # escpeak
    "escalate_other_s": (0.0, 20.0, "s"),  # escshape (within HISTORY_S)
    "moved_swing": (0.0, 10.0, "log units"),  # latency
    "moved_dip": (0.0, 1.0, "x mean over window_s"),  # latency
    "series_s": (0.0, 600.0, "s"),  # nightmove (session 10)
    "series_moves": (1.0, 100.0, "movements"),  # nightmove (session 10)
    "series_wait_s": (0.0, 60.0, "s"),  # nightmove (session 10)
    "series_cramp_s": (0.0, 3600.0, "s"),  # nightmove (session 10)
    "series_gap_s": (0.0, 600.0, "s"),  # nightmove (session 10)
    "series_ratio": (1.0, 100.0, "x the last period"),  # nightmove (session 10)
    "watch_slow_scale": (0.0, 1.0, "x slow_s"),  # nightwatch (session 17)
    "warn_low_ratio": (1.0, 1000.0, "x resting floor"),  # warn (session 13)
    "warn_high_ratio": (1.0, 1000.0, "x resting floor"),  # warn
    "warn_confirm_s": (1.0, 600.0, "s"),  # warn
    "warn_share": (0.0, 1.0, "share of warn_confirm_s"),  # warn
    "warn_ref_s": (1.0, 3600.0, "s"),  # warn
    "warn_rest_ratio": (1.0, 1000.0, "x resting floor"),  # warn
    "warn_rest_s": (1.0, 600.0, "s"),  # warn
    "warn_rise_s": (0.0, _BIG, "s"),  # warn
    "warn_quiet_s": (0.0, 3600.0, "s"),  # warn
    "warn_other_ratio": (1.0, 1000.0, "x the other leg's resting floor"),  # warn
    "warn_other_share": (0.0, 1.0, "share of warn_confirm_s"),  # warn
    "warn_recover_s": (0.0, 3600.0, "s"),  # warn
    "warn_end_ratio": (1.0, 1000.0, "x resting floor"),  # warn
    "warn_end_s": (1.0, 600.0, "s"),  # warn
}

_PROFILES = {
    # Lying at rest: cramps start from silence; confounders are short movements and
    # bilateral turning over.
    "night": DetectorSettings(
        fast_s=4.0,
        slow_s=9.0,
        fast_ref_fraction=0.5,
        # Turning over lasts up to 45 s (domain notes §2.4): bilateral activity shorter than
        # that is not judged a cramp.
        bilateral_s=46.0,
        recurrence_fast_scale=1.0,
        # night: a leg movement is a flat plateau reached at once, a cramp builds up and
        # waxes and wanes (benchmarks/detection.md, 2026-12-05 "night false alerts")
        plateau_swing=0.6,
        # latency: after a movement, a run that builds up or waxes and wanes without relaxing
        # need not outlast a leg movement (benchmarks/detection.md, session 9, part latency)
        moved_swing=0.8,
        moved_dip=0.6,
        # miss: a turnover that goes on into a contraction of one leg: once the other leg
        # has been still for 4 s (longer than the pauses within turning over, 0.1-3 s) the
        # contraction is judged on its own (benchmarks/detection.md).
        bilateral_clear_s=4.0,
        # miss: a weak cramp never returns to the resting floor; alert it after 8 s of that
        # (longer than nearly every leg movement) when it rose from rest (benchmarks).
        weak_s=8.0,
        # nightmiss (session 12): ... and a cramp of both legs at once is no turnover: another
        # leg held over its floor like this one for the last 4 s, neither leg relaxing (hold
        # test) and both waxing and waning, does not hold the weak path back; turning over
        # returns to rest between bursts (benchmarks/detection.md, session 12, part nightmiss).
        weak_both_s=4.0,
        # nightweak (session 20): a weak cramp of 3-9x a floor of a few µV (24-45 µV) rising
        # out of a still rest; a prodrome creeps up out of a raised one (benchmarks/
        # detection.md, session 20, part nightweak).
        weak_low_uv=20.0,
        # nightweak2 (session 20): ... and waits after a leg movement read on its own scale
        # (over weak_floor for movement_min_s): at a 10-bit quantization floor a series of leg
        # movements stands at 3-5x, under the 6x of a movement (benchmarks/detection.md).
        weak_low_move=1.8,
        # cases (session 23): a weak cramp does not relax: a leg that fell back to its rest
        # (1.1x, the resting floor's own frames) in two separate dips within the weak path's
        # 8 s is twitching on a resting floor (a prodrome stepping to 2-3x), not cramping
        # (benchmarks/detection.md, session 23, part cases).
        weak_relax=1.1,
        # night (session 5): a cramp does not relax; a leg movement decays and a turnover
        # sags between bursts (benchmarks/detection.md, "a cramp does not relax").
        hold_s=3.0,
        hold_floor=0.4,
        # rebase: a cramp is not a new rest; while one leg cramps the other one moves
        # (benchmarks/detection.md, session 6, part rebase).
        rest_hold_s=60.0,
        # nightfa: a leg movement lasts up to 10 s, and the run the detector sees around it
        # is longer by its rise and fall (benchmarks/detection.md, session 7, part nightfa).
        other_cramp_s=10.5,
        other_cramp_after_s=25.0,
        # rebase2: a weak cramp of minutes waxes and wanes; a moved electrode or a new
        # posture is a step to a steady level (benchmarks/detection.md, session 17, part
        # rebase).
        rebase_swing=0.08,
        rebase_hold_s=600.0,
        # endearly (session 18): a weak cramp at night waxes and wanes at 2-4x its rest, under
        # ``off_ratio`` x it in its troughs; the rest after it sits near 1x (benchmarks/
        # detection.md, session 18, part endearly)
        end_weak_ratio=1.5,
        # nightmiss: a leg still contracted once the other one has been back at rest for 4 s
        # (longer than the pauses within turning over, 0.1-3 s) is judged from its rest, not
        # from the turnover before it (benchmarks/detection.md, session 7, part nightmiss).
        turn_quiet_s=4.0,
        # turnfa: turning over moves both legs: no early alert while another leg has been up
        # (3x its rest) for 30 % of the last 4 s (benchmarks/detection.md, session 7, turnfa).
        # nightmove: ... over 6 s, any of it (5 %); a leg relaxing after its cramp (the
        # detector ends a cramp at 30 % of its level) is not turning over; while another leg
        # moves strongly (10x its rest) and relaxes, the slow path waits too, up to the
        # longest turnover (benchmarks/detection.md, session 8, part nightmove).
        turn_other_s=6.0,
        turn_other_share=0.05,
        # turnwin (session 16): ... counting only a leg at 2x its median over the 25 s
        # (turn_rest_s) before the run: a leg bursting for minutes beside a cramp setting in
        # did not turn over with it (benchmarks/detection.md, session 16, part turnwin).
        turn_other_rise=2.0,
        turn_decay_s=10.0,
        turn_slow_s=46.0,
        turn_slow_ratio=10.0,
        # nightmiss2: a prodrome, leg movement or turnover alerted before the cramp it runs
        # into: the cramp, 2x stronger, is raised (benchmarks/detection.md, session 8).
        escalate_ratio=2.0,
        # escshape: the jump from the alerted level held (or relaxed to) after the alert,
        # within 25 % of it: a cramp alerted on its own ramp goes on rising and never does
        escalate_hold_ratio=1.25,
        # escpeak (session 18): and above the highest level since the alert: a cramp alerted
        # in a trough waxes back to its own earlier peak, which is no new contraction
        escalate_peak_ratio=1.0,
        # escshape: the other leg is read over the jump itself (a cramp set in as a turnover
        # ends: the other leg relaxed, this one did not)
        escalate_other_s=1.5,
        # indnight: a cramp never returns to rest: after a dip to the resting floor of 0.5 s
        # (weak_gap_s) within an open event, the next jump is a new contraction; a contraction
        # alerted strong whose leg is at its resting floor in a quarter of the frames of end_s
        # has ended (a motor unit firing at rest) (benchmarks/detection.md, session 11,
        # part indnight).
        escalate_rest_s=0.5,
        end_rest_share=0.25,
        # prodrome (session 22): a frame after 12 s of raised rest, 8 s before it, alerts only
        # on a step up 2.5x over it (benchmarks/detection.md, session 22, part prodrome).
        prodrome_s=12.0,
        # nightfa: a leg bursting from rest (back near it between bursts) is turning over
        # (benchmarks/detection.md, session 9, part nightfa).
        turn_firm_ratio=4.0,
        # nightmove (session 10): periodic leg movements come in series, one period apart:
        # the next burst of a series waits past the longest leg movement (10 s, with its rise
        # and fall) on every path (benchmarks/detection.md, session 10, part nightmove).
        series_s=90.0,
        series_wait_s=10.5,
        series_cramp_s=60.0,
        # nightwatch (session 17): the watch's slow path from 0.85 x slow_s (7.65 s), past
        # the early paths' moved_fast_s (7 s): leg movements after a cramp (benchmarks/
        # detection.md, session 17, part nightwatch).
        watch_slow_scale=0.85,
        # warn (session 13): a raised resting floor before a cramp is an early warning, a
        # message (no vibration unless AlertSettings.warn_prompt); never a cramp alert
        # (benchmarks/detection.md, session 13, part warn).
        early_warning=True,
        # gate (session 14): off at night. At 0.2 it lost no tuning or validation cramp but
        # one held-out night cramp of 149, for 15-20 % fewer night false alerts; the issue
        # makes the gate a default only where held-out improves (benchmarks/detection.md,
        # session 14, part gate).
    ),
    # Moving: voluntary holds last up to ~10 s and standing keeps a low tonic activity.
    "training": DetectorSettings(
        min_confidence=MIN_CONFIDENCE,  # gate (session 14)
        slow_s=9.5,
        bilateral_s=600.0,
        quiet_s=0.0,
        ref_fraction=0.12,
        onset_lookback_s=12.5,
        # train: after exertion, a contraction that stays up without the stride rhythm and
        # without relaxing, on one leg, alerts on the settle path (benchmarks/detection.md).
        settle_s=2.5,
        settle_after_s=4.0,
        settle_rhythm_now=0.7,
        settle_relax=0.35,
        # gaitcramp (session 13): a leg whose gaps between strides closed while the other
        # leg kept its own needs no irregularity on the settle path (an ENV cramp at its rail
        # is flat; benchmarks/detection.md, session 13, part gaitcramp).
        settle_gap_ratio=0.4,
        # Repetitions relax deeper than a cramp waxes and wanes; a voluntary hold lasts up to
        # ~10 s, so the recurrence watch does not shorten the slow path below that.
        relax_fraction=0.35,
        slow_min_s=9.5,
        # latency (session 24): the slow wait counted from the rise's onset, up to 2.5 s
        # before a run that broke at a trough of the rise
        slow_onset_s=2.5,
        slow_onset_min_s=0.6,
        # afterstride (session 25): ... only right after gait (a hold is held out of standing)
        slow_onset_gait_s=5.0,
        # The settle path answers within ~3 s after gait; the fast path waits 3 s (2.25 s in
        # the recurrence watch): at 2.5 s it alerted holds and calf raises (benchmarks).
        fast_s=3.0,
        # train: the fast path needs dips no deeper than a cramp's waxing and waning (gait,
        # raises and a hold's ramp fall lower; benchmarks/detection.md, 2026-12-05 "training
        # false alerts").
        fast_dip=0.4,
        # train: a hold on both legs often starts inside a longer run (standing, the first
        # seconds of a recording): both legs over the last 2 s is bilateral too.
        bilateral_recent_s=2.0,
        # exert: a one-legged contraction held without relaxing or stride rhythm for longer
        # than a voluntary hold is a cramp, however low it stands over standing's tonic level
        # (benchmarks/detection.md, "held after exertion").
        held_s=10.5,
        # trainmiss (session 24), heldrest (session 25): beside a leg at rest the held test's
        # floor is 0.12 x the reference (a cramp kept up after an effort waxes and wanes down to
        # 0.13-0.19 of it), where the leg strode within 12 s before the span and rose out of
        # rest (its mean over pre_run_s under 0.3 x the span's): standing straight out of
        # running, and holds stepped out of standing, passed the lower floor otherwise
        # (benchmarks/detection.md, session 25, part heldrest).
        held_rest_floor=0.12,
        held_rest_gait_s=12.0,
        held_rest_quiet=0.3,
        # rehold (session 20): an alert the model doubts (under 0.3: a hold, raises or standing
        # alerted) whose event ran on into a cramp: the held test after it raises the cramp;
        # at 0.5 it split two validation cramps alerted at 0.3-0.5 (benchmarks/detection.md,
        # session 20, part trainlate).
        rehold_confidence=0.3,
        rest_floor_tau_s=600.0,  # restref (session 15)
        # heldend (session 15); endearly (session 18): 1.5 -> 1.2, a weak cramp after gait
        # dips to 1.2-1.5x the baseline the gait raised; standing after it sits near 1x
        end_weak_ratio=1.2,
        rest_learned_ratio=4.0,
        # standslow (session 16): the slow and held paths need the leg 1.5x over the level it
        # stood at (30th percentile over the last 30 s of both legs standing, as of 10 s
        # before): standing held past slow_min_s stands at 1.2-1.8x it, the cramps at 1.7-20x
        # (benchmarks/detection.md, session 16, part standslow).
        learned_stand_s=30.0,
        # exert2: held straight out of gait, on one leg, is a cramp that stopped the runner
        # (benchmarks/detection.md, session 6, part exert2).
        held_gait_s=6.0,
        # indgait: ... and so is one that stays there at a third or more of its gait bursts
        # without falling below 45 % of its level, 1.5 x the other leg, straight out of
        # running (strides of 0.85 s or less; weak cramps after running;
        # benchmarks/detection.md, session 11, part indgait).
        held_gait_level=0.35,
        # gaitrun (session 17): ... and so is a leg kept up 3 s over its rest floor, at a
        # quarter of its reference and 2x the other leg's, straight out of running on both
        # legs (the run re-based the resting baseline: no run opens after the stop;
        # benchmarks/detection.md, session 17, part gaitrun).
        stop_s=3.0,
        # watchsettle (session 17): ... at 1.2 x the other leg (a leg of low gain stands beside
        # a weak cramp at 0.8x its relative level); the recurrence watch this gain opened took
        # the standing after the next run until watch_settle_rise (benchmarks/detection.md).
        held_gait_one_leg=1.2,
        # trainfa: running and walking keep the stride rhythm (1.3-1.55 / 0.85-1.05 Hz) even
        # where the envelope does not relax between strides (the MyoWare ENV filter, a tonic
        # level): the fast and slow paths do not alert on a leg striding over the last 4 s
        # (benchmarks/detection.md, 2026-12-05 session 6 "part trainfa").
        gait_window_s=4.0,
        # afterhold: a cramp strikes 0-5 s after the hold or calf raises that trigger it, a
        # voluntary hold begins after a pause: a one-legged run starting within 3 s of the end
        # of that leg's effort takes the slow path after 5 s (benchmarks/detection.md,
        # session 7, part afterhold).
        after_effort_s=3.0,
        after_effort_slow_s=5.0,
        after_effort_level=0.2,
        # replead: ... and up to 5 s after it (or with the effort seen only in the 5 s before it
        # ended) when the run rose more slowly than a voluntary contraction is ramped up: 20-80 %
        # of its level in 0.7 s or more (a cramp builds up; benchmarks/detection.md, session 10).
        after_effort_rise_s=0.7,
        after_effort_late_s=5.0,
        after_effort_span_s=5.0,
        # holds: a voluntary hold is released by ~10 s, about when the slow path would take
        # it; a cramp does not relax: no slow alert while the leg falls below half its level
        # over the last fast_s (benchmarks/detection.md, session 7, part holds).
        slow_release=0.5,
        # trainend: a cramping leg does not stride: an event ends where its leg strides with
        # the other leg again (benchmarks/detection.md, session 9, part trainend).
        end_gait_step_s=0.5,
        # ... and for minutes after, an alert on that leg must rise well above the level
        # it walked away from.
        strode_watch_s=300.0,
        strode_rise=1.5,
        # holdfa: a hold or a raise stepped up out of standing is not what the slow path found
        # sustained: no slow alert while the leg stands above 2x its median over the last
        # fast_s (benchmarks/detection.md, session 8, part holdfa).
        slow_step=2.0,
        # indtrain: ... nor while the leg stands above 2x its median over the fast_s that ended
        # fast_s before: a hold stepped up out of standing within the last seconds, and
        # standing opened the run the slow path counted (benchmarks/detection.md, session 10,
        # part indtrain).
        slow_prior_step=2.0,
        # trainfa: a voluntary hold or calf raises are commanded and often start on both legs
        # at once, out of standing; a cramp takes one leg: no fast-path alert while both legs
        # stand at 1.5x their level 8 s ago (benchmarks/detection.md, session 9, trainfa).
        step_both=1.5,
        # gaitcramp: ... and only while another leg strides too (gait is both legs in
        # antiphase; a runner stopped by a cramp stands on the other leg).
        gait_other_fraction=0.12,
        # fastfa: a voluntary hold of up to ~10 s is stepped up out of steady standing; a cramp
        # comes from rest or right after an effort: no fast or slow alert while the leg stood
        # steadily (4 s, at 0.15-0.40 of its activity reference) and stands at 2x that now,
        # the step within the last 9 s (benchmarks/detection.md, session 12, part fastfa).
        stand_step=2.0,
        # stand: standing is low against the activity reference (3-10 % MVC) and on both
        # legs; posture shifts keep it over strong_ratio x a resting baseline that standing
        # set: the slow path does not take it (benchmarks/detection.md, session 7 "stand").
        stand_ref_ceiling=0.40,
        # standfa: a sway dip splits a standing run in two; the second run resumed the steady
        # level before it, within 1.5x either way, and followed no effort: it does not take
        # the after-effort path (benchmarks/detection.md, session 11, part standfa).
        resume_ratio=1.5,
        # watchstand (session 14): within the recurrence watch the fast path's looser
        # irregularity is met by standing's sway: where the stand test finds the leg standing
        # it needs the full irregularity (benchmarks/detection.md, session 14, part standing).
        watch_stand_irregular=1.0,
        # watchfast (session 15): ... and any leg needs 0.8x (not 0.75x) of it there: voluntary
        # holds in the watch alerted at 0.75x (benchmarks/detection.md, session 15, watchfast).
        watch_fast_irregular=0.8,
        # watchsettle (session 17): ... and the settle path there needs the leg 2.5x over its
        # learned standing level: standing after gait met the watch's looser settle test at
        # 1.6-2.2x it, cramps in a watch stood at 3.7-10x (benchmarks/detection.md, session 17).
        watch_settle_rise=2.5,
        # standmem: for the slow path, a leg back at up to 2x the level it last stood at beside
        # one contracting 2.5x over its own standing level stands while the other cramps: not a
        # contraction of both legs (benchmarks/detection.md, session 12, part indtrain).
        stand_memory_other=2.0,
        stand_memory_rise=2.5,
        # startfa: in the first minute the after-effort path follows the leg's own effort: a
        # leg whose strongest activity over rest is under 0.3x the other leg's has only stood
        # while that one exerted (benchmarks/detection.md, session 11, part startfa).
        own_effort_share=0.3,
        # startfa: the settle path waits, as the held path does (held_start_s), for the
        # activity reference to see more than the walking a session opened on.
        settle_start_s=60.0,
        # demofa: ... and so does the fast path; and in the first minute an effort the leg was
        # standing at when it ended is none, judged against a reference of at least half the
        # other leg's over rest (benchmarks/detection.md, session 12, part demofa).
        own_fast_share=0.3,
        stand_effort_s=60.0,
        stand_effort_share=0.5,
        # trainstand: ... and so does the slow path's stand test in that first minute: a leg
        # that only stood beside the other one's hold is standing (benchmarks/detection.md,
        # session 23, part trainstand).
        stand_slow_share=0.5,
    ),
}


#: The MyoWare ENV output rests on a floor of rectified noise and ADC offset, so activity
#: stands fewer times above its rest than band-passed raw EMG does: lower ratios.
#: (rep) Between strides or raises the envelope falls back to that floor, not to zero: off at
#: 1.6x (not 1.4x), and the dip and relaxation tests judge what stands above the floor
#: (``rest_offset`` 1x the baseline); benchmarks/detection.md, 2026-12-05 "representation gap".
_ENV_RATIOS = {
    "on_ratio": 1.8,
    "off_ratio": 1.6,
    "strong_ratio": 3.5,
    "rise_ratio": 1.5,
    "rest_offset": 1.0,
    # miss: the ENV floor's frames stay below 1.15x; its weak cramps stand at 2.5-3x
    "weak_floor": 1.3,
    "weak_ratio": 2.2,
    "weak_min_uv": 0.0,
    "weak_low_uv": 0.0,  # nightweak: no µV scale
    # nightmiss (session 12): the ENV filter joins a turnover's bursts into one elevation
    # that never returns to the floor: "held on both legs" cannot tell it from a cramp of both
    "weak_both_s": 0.0,
}


def profile_settings(profile: str, signal: str = "raw") -> DetectorSettings:
    """Default settings of a named profile (``night`` or ``training``) for a signal type."""
    if profile not in _PROFILES:
        raise InputError(f"Invalid profile {profile!r}: must be one of {', '.join(PROFILES)}")
    settings = _PROFILES[profile]
    return settings.replace(**_ENV_RATIOS) if signal == "env" else settings
