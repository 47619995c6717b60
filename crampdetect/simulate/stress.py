"""The *stress* variant: widened, randomised conditions the detector was not tuned on.

Built from the same components as the standard simulator, with wider draws:

* subject: MVC 0.2-4 mV RMS, resting noise 0.5-25 µV with a drift of 5-60 %, an
  electrode/skin gain of 0.3-3x per channel (it scales EMG and electrode noise, so the
  ADC sees it), residual mains 5-100 % of the resting noise;
* hardware: ADC noise 0.5-3 LSB, ENV gain putting MVC at 0.25-3x full scale (a large
  part of the range saturates), offset drift up to 6 counts;
* cramps: plateau from 10 % of MVC, onset ramps of 0.1-8 s (log-uniform), waxing and
  waning depth 10-80 %, 10-180 s long, starting from quiet rest, after a prodrome, 0-5 s
  after a leg movement, out of a turn-over, during gait (the athlete runs on for 0.5-4 s),
  0-5 s after gait, calf raises or a hold stop;
* confounders: leg movements up to 80 % MVC, periodic series, turn-overs, stop-start
  running (bouts of 5-60 s with 2-20 s stops), holds of 3-10 s up to 100 % MVC and calf
  raises on a standing background.

Ground truth stays honest: a cramp's plateau is never drawn below ten times the channel's
noise floor (resting noise plus ADC quantisation and noise, skin-referred), see
:func:`lowest_visible_level`. Cramp labels carry ``context`` (what the cramp follows).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from crampdetect.core import Representation
from crampdetect.simulate import activities as act
from crampdetect.simulate import exercise as ex
from crampdetect.simulate.builder import SceneBuilder, SceneOptions, loguniform
from crampdetect.simulate.components import Activation
from crampdetect.simulate.subject import Hardware, Subject

LOWEST_LEVEL = 0.10  #: weakest cramp plateau drawn, fraction of MVC
MIN_SNR = 10.0  #: a cramp's RMS stands at least this many times above the noise floor
RISE_S = (0.1, 8.0)  #: cramp onset ramps, s (log-uniform)
DEPTH = (0.1, 0.8)  #: total waxing-and-waning depth of a cramp
GAP_AFTER_S = (0.0, 5.0)  #: delay between the end of an exertion and a cramp onset, s

NIGHT_CONTEXTS = ("rest", "prodrome", "leg_movement", "turnover")
TRAINING_CONTEXTS = ("standing", "gait", "after_gait", "after_raises", "after_hold")


def draw_subject(rng: np.random.Generator, n_channels: int) -> Subject:
    """A wearer drawn from the widened ranges (see the module docstring)."""
    mvc = loguniform(rng, 200.0, 4000.0)
    rest = loguniform(rng, 0.5, 25.0)
    rest = min(rest, LOWEST_LEVEL * mvc / MIN_SNR)  # a 10 % cramp stays visible
    gain = np.exp(rng.uniform(np.log(0.3), np.log(3.0), n_channels))
    scale = float(rng.uniform(0.75, 1.25))
    return Subject(
        mvc_uv=tuple(float(v) for v in mvc * gain * rng.uniform(0.9, 1.1, n_channels)),
        rest_uv=tuple(float(v) for v in rest * gain * rng.uniform(0.8, 1.25, n_channels)),
        spectral_scale=tuple(float(v) for v in scale * rng.uniform(0.95, 1.05, n_channels)),
        mains_hz=float(rng.choice([50.0, 60.0])),
        mains_uv=float(rest * rng.uniform(0.05, 1.0)),
        fasciculation_hz=float(rng.uniform(0.0, 0.1)),
        rest_drift=(
            float(rng.uniform(0.05, 0.6)),
            loguniform(rng, 600.0, 14400.0),
            float(rng.uniform(0, 2 * np.pi)),
        ),
    )


def draw_hardware(
    rng: np.random.Generator, representation: Representation, subject: Subject
) -> Hardware:
    """Board parameters with a wide ENV gain (MVC at 0.25-3x full scale) and ADC noise."""
    hw = Hardware.draw(rng, representation, float(np.mean(subject.mvc_uv)))
    changes: dict[str, object] = {}
    if representation.units == "counts":
        changes["adc_noise_lsb"] = float(rng.uniform(0.5, 3.0))
        changes["offset_drift"] = (float(rng.uniform(0.0, 6.0)), loguniform(rng, 300.0, 7200.0))
    if representation.signal == "env":
        target = loguniform(rng, 0.25, 3.0) * representation.adc_vref_v
        mvc = float(np.mean(subject.mvc_uv))
        changes["env_gain"] = target / (0.8 * mvc * 1e-6 * representation.gain)
    return dataclasses.replace(hw, **changes)


def noise_floor_uv(subject: Subject, hardware: Hardware, ch: int) -> float:
    """RMS noise floor of channel ``ch`` referred to the skin, µV.

    Resting noise plus ADC noise and quantisation; for ENV one count is expressed as the
    skin RMS whose rectified mean (0.8 x RMS) moves the output by one count.
    """
    rep = hardware.representation
    if rep.units != "counts":
        return float(subject.rest_uv[ch])
    if rep.signal == "env":
        counts_per_uv = (
            rep.gain * 1e-6 * hardware.env_gain / rep.adc_vref_v * (1 << (rep.adc_bits or 10))
        )
        lsb = 1.0 / (0.8 * counts_per_uv)
    else:
        lsb = rep.uv_per_unit
    return float(np.sqrt(subject.rest_uv[ch] ** 2 + lsb**2 * (hardware.adc_noise_lsb**2 + 1 / 12)))


def lowest_visible_level(subject: Subject, hardware: Hardware, ch: int) -> float:
    """Weakest cramp plateau (fraction of MVC) drawn on ``ch``: 10 % or ``MIN_SNR`` x floor."""
    floor = noise_floor_uv(subject, hardware, ch)
    return float(min(max(LOWEST_LEVEL, MIN_SNR * floor / subject.mvc_uv[ch]), 0.9))


def make_visible(subject: Subject, hardware: Hardware) -> Subject:
    """Raise the electrode gain of channels where even a 50 % cramp would be lost in the ADC.

    A weak subject on a 10-bit Uno (24 µV per count at the skin) cannot show a weak cramp at
    all; such a recording would test the ADC, not the detector.
    """
    mvc, rest = list(subject.mvc_uv), list(subject.rest_uv)
    for ch in range(len(mvc)):
        floor = noise_floor_uv(subject, hardware, ch)
        if hardware.representation.signal == "raw" and MIN_SNR * floor > 0.5 * mvc[ch]:
            factor = MIN_SNR * floor / (0.5 * mvc[ch])
            mvc[ch] *= factor
            rest[ch] *= factor
    return dataclasses.replace(subject, mvc_uv=tuple(mvc), rest_uv=tuple(rest))


def _cramp(
    b: SceneBuilder, ch: int, start: float, length: float, context: str, **kw: object
) -> float:
    lo = lowest_visible_level(b.subject, b.hardware, ch) if b.hardware else LOWEST_LEVEL
    return act.cramp(
        b, ch, start, length, level_range=(lo, 1.0), rise_range_s=RISE_S, depth_range=DEPTH,
        context=context, **kw,
    )  # fmt: skip


def _cramp_length(rng: np.random.Generator) -> float:
    return float(np.clip(rng.lognormal(np.log(45.0), 0.7), 10.0, 180.0))


def stress_night(b: SceneBuilder, o: SceneOptions) -> None:
    """Rest with cramps in every night context between dense leg movements and turn-overs."""
    rng, d = b.rng, b.duration
    t = float(rng.uniform(5.0, 60.0))
    while t < d - 25.0:
        kind = rng.choice(["cramp", "lm", "plm", "turnover"], p=[0.35, 0.3, 0.15, 0.2])
        if kind == "cramp":
            ch = int(rng.integers(b.n_ch))
            context = str(rng.choice(NIGHT_CONTEXTS))
            length = min(_cramp_length(rng), d - t - 2.0)
            if length < 10.0:
                break
            onset = t
            if context == "prodrome":
                onset = t + float(rng.uniform(20.0, 70.0))
            elif context == "leg_movement":
                lm = float(np.clip(rng.lognormal(np.log(2.5), 0.6), 0.5, 10.0))
                act.leg_movement(b, ch, t, lm)
                onset = t + lm + float(rng.uniform(*GAP_AFTER_S))
            elif context == "turnover":
                lead = float(rng.uniform(3.0, 20.0))
                act.turnover(b, t, lead + float(rng.uniform(0.0, 3.0)))
                onset = t + lead
            length = min(length, d - onset - 2.0)
            if length < 10.0:
                break
            end = _cramp(b, ch, onset, length, context, prodrome=context == "prodrome")
            t = end + loguniform(rng, 5.0, 60.0)
            if rng.uniform() < 0.3 and t + 30.0 < d:  # waking movements
                t = act.turnover(b, t, loguniform(rng, 3.0, 20.0)) + loguniform(rng, 5.0, 60.0)
        elif kind == "lm":
            for _ in range(int(rng.integers(1, 4))):
                length = float(np.clip(rng.lognormal(np.log(2.5), 0.7), 0.5, 10.0))
                ch = int(rng.integers(b.n_ch))
                if t + length > d - 1.0:
                    break
                _strong_leg_movement(b, ch, t, length)
                t += length + loguniform(rng, 1.0, 40.0)
        elif kind == "plm":
            t = act.plm_series(b, t, int(rng.integers(4, 15)))
        else:
            t = act.turnover(b, t, min(loguniform(rng, 3.0, 45.0), d - t - 1.0))
        t += loguniform(rng, 10.0, 240.0)
    b.artefacts(o.artefacts_per_hour, o.gaps_per_hour, o.leadoffs)


def _strong_leg_movement(b: SceneBuilder, ch: int, start: float, length: float) -> None:
    """A leg movement of 3-80 % MVC with irregular modulation (stronger than the standard)."""
    rng = b.rng
    b.scene.activations.append(
        Activation(
            ch, start, start + length, loguniform(rng, 0.03, 0.8),
            rise=float(rng.uniform(0.05, 1.0)), fall=float(rng.uniform(0.1, 1.0)),
            spectral=float(rng.uniform(0.3, 0.8)), mu_count=int(rng.integers(0, 5)),
            **b.random_mod(3, 0.2, 3.0, rng.uniform(0.1, 0.7)),
        )
    )  # fmt: skip
    b.label(ch, "leg_movement", start, start + length)
    b.occupy([ch], start, start + length)


def stress_training(b: SceneBuilder, o: SceneOptions) -> None:
    """Stop-start running, holds and raises on standing, cramps during and right after effort."""
    rng, d = b.rng, b.duration
    t = float(rng.uniform(3.0, 20.0))
    ex.standing(b, range(b.n_ch), 0.0, t + 0.5)
    while t < d - 40.0:
        kind = rng.choice(
            ["stopstart", "run", "raises", "holds", "cramp"], p=[0.25, 0.15, 0.15, 0.2, 0.25]
        )
        if kind == "stopstart":
            for _ in range(int(rng.integers(3, 9))):
                bout = float(rng.uniform(5.0, 60.0))
                if t + bout > d - 30.0:
                    break
                t = ex.gait(b, t, bout, running=rng.uniform() < 0.7)
                stop = float(rng.uniform(2.0, 20.0))
                ex.standing(b, range(b.n_ch), t, stop)
                t += stop
        elif kind == "run":
            t = ex.gait(b, t, min(loguniform(rng, 60.0, 300.0), d - t - 30.0), running=True)
        elif kind == "raises":
            t = ex.calf_raises(b, t)
        elif kind == "holds":
            for _ in range(int(rng.integers(2, 7))):
                if t > d - 30.0:
                    break
                t = _hold_on_standing(b, t)
                rest = float(rng.uniform(2.0, 15.0))
                ex.standing(b, range(b.n_ch), t, rest)
                t += rest
        else:
            t = _training_cramp(b, t)
        rest = float(rng.uniform(3.0, 40.0))
        ex.standing(b, range(b.n_ch), t, min(rest, d - t))
        t += rest
    b.artefacts(o.artefacts_per_hour, o.gaps_per_hour, o.leadoffs)


def _hold_on_standing(b: SceneBuilder, t: float) -> float:
    """A 3-10 s voluntary hold at 10-100 % MVC, one or both legs, over tonic standing."""
    rng = b.rng
    chs = list(range(b.n_ch)) if rng.uniform() < 0.5 else [int(rng.integers(b.n_ch))]
    end = ex.hold(b, chs, t, level=float(rng.uniform(0.1, 1.0)))
    ex.standing(b, chs, t - 0.5, end - t + 1.0)
    return end


def _training_cramp(b: SceneBuilder, t: float) -> float:
    """An exertion (or none), then a cramp in its training context; returns the new time."""
    rng, d = b.rng, b.duration
    context = str(rng.choice(TRAINING_CONTEXTS))
    ch = int(rng.integers(b.n_ch))
    length = _cramp_length(rng)
    start = t
    if context == "gait":  # the cramp starts while running; the athlete stops 0.5-4 s later
        bout = float(rng.uniform(8.0, 60.0))
        onset = t + bout
        t = ex.gait(b, t, bout + float(rng.uniform(0.5, 4.0)), running=rng.uniform() < 0.8)
    elif context == "after_gait":
        t = ex.gait(b, t, float(rng.uniform(8.0, 90.0)), running=rng.uniform() < 0.8)
        onset = t + float(rng.uniform(*GAP_AFTER_S))
    elif context == "after_raises":
        t = ex.calf_raises(b, t)
        onset = t + float(rng.uniform(*GAP_AFTER_S))
    elif context == "after_hold":
        t = _hold_on_standing(b, t)
        onset = t + float(rng.uniform(*GAP_AFTER_S))
    else:
        onset = t + float(rng.uniform(0.0, 5.0))
    if context in ("after_raises", "after_hold"):  # the cramp strikes a leg that worked
        kind = "calf_raise" if context == "after_raises" else "voluntary_hold"
        worked = [i["channel"] for i in b.scene.intervals
                  if i["kind"] == kind and i["start_s"] >= start - 1.0]  # fmt: skip
        ch = b.channels.index(str(rng.choice(worked)))
    if onset > t:
        ex.standing(b, range(b.n_ch), t, onset - t + 0.5)
    length = min(length, d - onset - 2.0)
    if length < 10.0:
        return max(t, onset)
    end = _cramp(b, ch, onset, length, context)
    others = [c for c in range(b.n_ch) if c != ch]
    if others:
        ex.standing(b, others, onset, end - onset)
    ex.standing(b, [ch], end - 0.5, 5.0)
    return end
