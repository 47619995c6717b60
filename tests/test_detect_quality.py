"""Signal-quality flags: injected problems are flagged, clean signal and real EMG onsets are not."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SHARED_REAL, detect_array
from synth import add_burst, scene, slow_modulation

from crampdetect.core import Block, Representation
from crampdetect.pipeline import Pipeline
from crampdetect.pipeline.offline import Collector

FS = 1000.0
UV = Representation("raw", "uV")


def flags(x, rep=UV, profile="night"):
    channels = tuple(f"c{i}" for i in range(x.shape[0]))
    return detect_array(x, FS, rep, profile, block=1500, channels=channels)


def _covered(quality, issue, t0, t1):
    return sum(max(0.0, min(q.end_s, t1) - max(q.start_s, t0)) for q in quality if q.issue == issue)


def test_hum_the_notch_removes_is_not_flagged_hum_it_has_not_caught_is():
    t, x, _ = scene(duration_s=90.0, seed=21, n_channels=2)
    # Continuous mild hum on both legs, its level drifting between 2 and 80 µV.
    level = 41.0 + 39.0 * np.sin(2 * np.pi * t / 37.0)
    x += level * np.sin(2 * np.pi * 50 * t)
    # On the right leg a strong hum appears, with a harmonic the notches do not have yet.
    ramp = np.clip(np.minimum(t - 45.0, 75.0 - t) / 0.5, 0.0, 1.0)
    x[1] += ramp * (400.0 * np.sin(2 * np.pi * 50 * t) + 150.0 * np.sin(2 * np.pi * 150 * t))
    _, q = flags(x)
    # Only the first analysis segment, before the notch is in, may be flagged.
    assert [i for i in q if i.channel == "c0" and i.end_s > 4.0] == []
    assert _covered(q, "mains", 4.0, 44.0) == 0.0
    caught = _covered(q, "mains", 44.0, 80.0)
    assert caught > 1.5  # flagged until the notches have the new line ...
    assert caught < 20.0  # ... not for the whole episode they remove


def test_bad_values_are_flagged_and_never_alert():
    """NaN, inf and absurd samples in rest and in strong activity: flagged, no alert, and the
    same output whatever the block size."""
    t, x, rng = scene(duration_s=60.0, seed=25, n_channels=2)
    add_burst(x, t, FS, rng, 1, 30.0, 32.0, 200.0)  # a short voluntary burst
    for at, v in ((10.0, np.nan), (20.0, 1e300), (20.5, -np.inf), (31.0, 1e300), (40.0, np.inf)):
        i = int(at * FS)
        x[:, i : i + 3] = v
    outs = []
    for block in (1500, 37, 10_000):
        ch = ("c0", "c1")
        pipe = Pipeline(FS, ch, UV, "night")
        col = Collector()
        for a in range(0, x.shape[1], block):
            col.add(pipe.push(Block(x[:, a : a + block], FS, a, a / FS, 0, ch)))
        col.add(pipe.finish())
        outs.append(col.result())
    events, q = outs[0]
    assert all(o == outs[0] for o in outs[1:])
    assert [e for e in events if e.kind == "cramp"] == []
    bad = [i for i in q if i.issue == "bad_value"]
    for at in (10.0, 20.0, 31.0, 40.0):
        assert sum(1 for i in bad if i.start_s <= at + 0.01 and i.end_s >= at) == 2, at
    assert all(i.end_s - i.start_s < 2.0 for i in bad)
    assert not [i for i in q if i.issue != "bad_value" and i.start_s < 29.0]


@pytest.mark.skipif(not SHARED_REAL.exists(), reason="shared real recordings absent")
def test_a_huge_value_in_a_real_recording_is_a_flag_not_a_cramp():
    """Through the pipeline (a CSV file with 1e300 is refused before, with exit 2)."""
    from crampdetect.ingest.inference import infer_over
    from crampdetect.storage.csvfile import open_csv

    src = SHARED_REAL / "elderly-ta-gl-isometric-hermescb" / "id01_ta_dorsiflexion_hold.csv"
    stream = open_csv(src)
    blocks = list(stream.blocks())
    rep = infer_over([b.data for b in blocks], stream.fs).finish()
    mid = sum(b.n_samples for b in blocks) // 2
    for profile in ("night", "training"):
        pipe, col, seen = Pipeline(stream.fs, stream.channels, rep, profile), Collector(), 0
        for b in blocks:
            data = b.data.copy()
            if seen <= mid < seen + b.n_samples:
                data[:, mid - seen] = 1e300  # one absurd sample on every channel
            seen += b.n_samples
            col.add(pipe.push(Block(data, b.fs, b.start, b.t0, b.gap, b.channels)))
        col.add(pipe.finish())
        events, q = col.result()
        assert [e for e in events if e.kind == "cramp"] == [], profile
        assert {i.channel for i in q if i.issue == "bad_value"} == set(stream.channels)


def test_pops_are_flagged_but_an_emg_onset_is_not():
    t, x, rng = scene(duration_s=60.0, seed=23)
    for at in (10.0, 30.5):
        i = int(at * FS)
        x[0, i : i + 300] += 2500.0 * np.exp(-np.arange(300) / 40.0)  # decaying step
    add_burst(x, t, FS, rng, 0, 45.0, 47.0, 800.0, ramp_s=0.02)  # abrupt voluntary burst
    _, q = flags(x)
    pops = [p.start_s for p in q if p.issue == "pop"]
    assert any(abs(p - 10.0) < 0.3 for p in pops) and any(abs(p - 30.5) < 0.3 for p in pops)
    assert not any(44.5 < p < 47.5 for p in pops)


def test_clipping_at_the_rails_is_saturation_and_clean_counts_are_not_flagged():
    rep = Representation("raw", "counts", 10)
    t, x, rng = scene(duration_s=60.0, seed=24)
    add_burst(x, t, FS, rng, 0, 30.0, 40.0, 9000.0, ramp_s=0.5, irregular=0.3)
    counts = np.round(512 + x / rep.uv_per_unit).clip(0, 1023)
    _, q = flags(counts, rep)
    assert _covered(q, "saturation", 30.0, 40.0) > 5.0
    assert sum(i.end_s - i.start_s for i in q if i.start_s < 28.0 or i.start_s > 42.0) == 0.0


def test_heel_strikes_are_not_pops():
    t, x, rng = scene(duration_s=60.0, seed=26)
    for k, at in enumerate(np.arange(10.0, 50.0, 0.95)):  # gait: a stride every 0.95 s
        m = (t >= at) & (t < at + 0.15)
        tt = t[m] - at
        f1, f2 = 4.0 + 8.0 * rng.uniform(), 8.0 + 12.0 * rng.uniform()
        amp = 1500.0 if k % 2 else 600.0
        ramp = np.minimum(1.0, np.minimum(tt, 0.15 - tt) / 0.05)
        x[0, m] += (
            amp * ramp * (0.7 * np.sin(2 * np.pi * f1 * tt) + 0.3 * np.sin(2 * np.pi * f2 * tt))
        )
        add_burst(x, t, FS, rng, 0, at + 0.1, at + 0.5, 150.0, ramp_s=0.15)
    _, q = flags(x)
    assert [i for i in q if i.issue == "pop"] == []


def _counts_csv(path, x, rep, fs=FS):
    from synth import write_csv

    counts = np.round(rep.offset + x / rep.uv_per_unit).clip(0, rep.full_scale)
    write_csv(path, np.arange(x.shape[1]) / fs, counts, fmt="%d")


def _lead_off_share(doc, channel, t0, t1):
    qs = [q for q in doc["quality"] if q["channel"] == channel and q["issue"] == "lead_off"]
    return sum(max(0.0, min(q["end_s"], t1) - max(q["start_s"], t0)) for q in qs) / (t1 - t0)


def test_a_channel_at_the_bottom_rail_from_the_start_is_lead_off(tmp_path):
    from crampdetect.pipeline.offline import detect_file

    rep = Representation("raw", "counts", 10)
    t, x, rng = scene(duration_s=130.0, seed=27, n_channels=2)
    add_burst(x, t, FS, rng, 1, 20.0, 26.0, 400.0)
    x[0, : int(100 * FS)] = -1e9  # the electrode was never on for the first 100 s: code 0
    _counts_csv(tmp_path / "r.csv", x, rep)
    doc = detect_file(tmp_path / "r.csv")
    assert (doc["input"]["signal"], doc["input"]["adc_bits"]) == ("raw", 10)
    assert _lead_off_share(doc, "ch0", 0.0, 100.0) >= 0.98
    assert _lead_off_share(doc, "ch0", 101.0, 130.0) == 0.0
    assert [e for e in doc["events"] if e["channel"] == "ch0"] == []


def test_an_envelope_stuck_at_the_top_rail_for_minutes_is_lead_off(tmp_path):
    from synth import slow_modulation, write_csv

    from crampdetect.pipeline.offline import detect_file

    fs, n = 100.0, 30_000  # 5 min of 12-bit ENV at 100 Hz
    rng = np.random.default_rng(28)
    env = 30 + 3 * slow_modulation(n, fs, rng, 0.3, 0.5) + rng.normal(0, 1.5, (2, n))
    burst = 2500 * np.hanning(800) * (1 + 0.2 * rng.normal(size=800))
    env[1, 4000:4800] += np.convolve(burst, np.ones(5) / 5, "same")  # a contraction > 1023
    env[0, 9000:21_000] = 4095  # two minutes at the top rail: electrodes off
    write_csv(tmp_path / "e.csv", np.arange(n) / fs, np.round(env).clip(0, 4095), fmt="%d")
    doc = detect_file(tmp_path / "e.csv")
    assert (doc["input"]["signal"], doc["input"]["adc_bits"]) == ("env", 12)
    assert _lead_off_share(doc, "ch0", 90.0, 210.0) >= 0.98
    assert [q for q in doc["quality"] if q["channel"] == "ch1"] == []


def test_hum_raising_an_envelope_is_flagged_a_contraction_is_not():
    """The envelope detector cannot remove a hum at the skin: an envelope raised smoothly far
    above its floor is flagged (and never alerts); a contraction, as rough as EMG, is not."""
    fs, n = 100.0, 18_000  # 3 min of 10-bit ENV
    rep = Representation("env", "counts", 10)
    rng = np.random.default_rng(29)
    t = np.arange(n) / fs
    rest = 20 + rng.normal(0, 1.0, (2, n))
    # Leg 0: a hum at the skin rises over 20 s to 6x the resting level and stays 60 s.
    hum = 100 * np.clip(np.minimum(t - 60, 160 - t) / 20, 0, 1)
    # Leg 1: a 60-s contraction of similar level, waxing and waning like EMG.
    m = (t >= 60) & (t < 120)
    emg = np.zeros(n)
    emg[m] = 100 * slow_modulation(int(m.sum()), fs, rng, 0.3, 2.0)
    emg[m] *= 1 + 0.15 * rng.normal(size=int(m.sum()))
    env = np.round(rest + np.stack([hum, np.convolve(emg, np.ones(8) / 8, "same")])).clip(0, 1023)
    ch = ("c0", "c1")
    pipe = Pipeline(fs, ch, rep, "night")
    col = Collector()
    for a in range(0, n, 250):
        col.add(pipe.push(Block(env[:, a : a + 250], fs, a, a / fs, 0, ch)))
    col.add(pipe.finish())
    events, q = col.result()
    # Flagged from the rise until the raised level has become the floor (a minute later).
    assert _covered(q, "mains", 62.0, 120.0) > 45.0
    assert not [i for i in q if i.channel == "c1"]
    assert not [e for e in events if e.channel == "c0" and e.kind == "cramp"]


@pytest.mark.parametrize(
    "rep,fs",
    [(Representation("raw", "counts", 10), 500.0), (Representation("env", "counts", 12), 100.0)],
)
def test_flags_under_everyday_interference_do_not_depend_on_block_size(rep, fs):
    from crampdetect.simulate import simulate

    session = simulate("interference", seed=11, duration_s=200.0, fs=fs, representation=rep)
    x = np.concatenate([c for _, c in session.iter_chunks(50.0)], axis=1)
    ch = session.channels
    results = []
    for sizes in ([round(fs)], [37], [1, 5, 400, 13, 2999]):
        pipe = Pipeline(fs, ch, rep, "night")
        col = Collector()
        a, k = 0, 0
        while a < x.shape[1]:
            b = a + sizes[k % len(sizes)]
            col.add(pipe.push(Block(x[:, a:b], fs, a, a / fs, 0, ch)))
            a, k = b, k + 1
        col.add(pipe.finish())
        results.append(col.result())
    assert results[0][1], "the scene should raise some flags"
    assert all(r == results[0] for r in results[1:])


ENV_REP = Representation("env", "counts", 12)


def _env_rest(seed: int) -> tuple[float, int, np.random.Generator, np.ndarray, np.ndarray]:
    """6 min of two-leg 12-bit ENV at rest at 100 Hz: (fs, n, rng, envelope, time in s)."""
    fs, n = 100.0, 36_000
    rng = np.random.default_rng(seed)
    env = 30 + 3 * slow_modulation(n, fs, rng, 0.3, 0.5) + rng.normal(0, 1.5, (2, n))
    return fs, n, rng, env, np.arange(n) / fs


def _env_detect_any_blocks(env: np.ndarray, fs: float) -> tuple:
    """Events and quality of the night detector; asserts three block sizes agree."""
    x = np.round(env).clip(0, 4095)
    outs = [detect_array(x, fs, ENV_REP, "night", block=b) for b in (250, 37, 4000)]
    assert all(o == outs[0] for o in outs[1:])
    return outs[0]


def test_an_envelope_that_climbs_beyond_the_adc_range_is_a_contraction_not_a_lead_off():
    """ENV at a high gain: a cramp that builds up over 1.5 s pins the envelope at the top; it
    is flagged as saturation, not lead-off, and alerts. Electrodes coming off (a jump to the
    top) stay a lead-off without an alert. Any block size gives the same output."""
    fs, n, rng, env, t = _env_rest(29)
    rise = np.clip((t - 120.0) / 1.5, 0.0, 1.0) * (t < 170.0)  # a cramp from 120 s to 170 s
    env[0] += rise * 6000 * (1 + 0.15 * slow_modulation(n, fs, rng, 1.0, 0.7)[0])
    env[1, 22_000:31_000] = 4095  # electrodes off from 220 s to 310 s
    events, quality = _env_detect_any_blocks(env, fs)
    cramps = [e for e in events if e.kind == "cramp"]
    assert [e.channel for e in cramps] == ["ch0"]
    assert 120.0 < cramps[0].alert_s < 130.0
    assert _covered(quality, "saturation", 121.0, 169.0) > 30.0
    assert [q for q in quality if q.issue == "lead_off" and q.channel == "ch0"] == []
    off = [q for q in quality if q.issue == "lead_off" and q.channel == "ch1"]
    assert sum(min(q.end_s, 310.0) - max(q.start_s, 220.0) for q in off) > 85.0


def test_an_envelope_that_jumps_to_the_top_and_then_wanes_is_a_contraction():
    """envrail: ENV at a high gain, a cramp that reaches the top within one frame (a jump, like
    electrodes coming off) but then waxes and wanes (dips below the top and comes back) is a
    contraction: it alerts and is no lead-off. Electrodes off pin the envelope (flat, or with a
    mains ripple of 1 %): a lead-off throughout, no alert. Any block size gives the same output."""
    fs, n, rng, env, t = _env_rest(31)
    on = np.clip((t - 120.0) / 0.05, 0.0, 1.0) * (t < 170.0)  # a cramp from 120 s to 170 s
    wax = 4000 * slow_modulation(n, fs, rng, 0.2, 0.7) + rng.normal(0, 400, n)  # +-20 %, rough
    env[0] += on * wax
    env[1, 22_000:26_000] = 4095  # electrodes off from 220 s to 260 s: at the rail
    hum = 4140 * (1 + rng.normal(0, 0.01, n))  # floating from 280 s to 320 s: mains ripple
    env[1, 28_000:32_000] = hum[28_000:32_000]
    events, quality = _env_detect_any_blocks(env, fs)
    cramps = [e for e in events if e.kind == "cramp"]
    assert [e.channel for e in cramps] == ["ch0"]
    assert 120.0 < cramps[0].alert_s < 130.0
    assert [q for q in quality if q.issue == "lead_off" and q.channel == "ch0"] == []
    off = [q for q in quality if q.issue == "lead_off" and q.channel == "ch1"]
    assert _covered(off, "lead_off", 220.0, 260.0) > 38.0
    assert _covered(off, "lead_off", 280.0, 320.0) > 38.0


def test_raw_clipping_both_rails_about_mid_scale_is_trusted_a_pushed_baseline_is_not():
    """rail: a cramp whose raw EMG swings beyond both ADC rails about mid-scale is flagged as
    saturation but trusted (a lower bound on its level, like an ENV beyond the range): it
    alerts within 10 s, not when the clipping stops. Clipping with the frame mean pushed
    toward a rail (a shifted baseline) stays untrusted: no alert while it lasts."""
    rep = Representation("raw", "counts", 10)
    t, x, rng = scene(duration_s=200.0, seed=33, n_channels=2)
    # A strong, waxing and waning cramp on each leg, 60-180 s; on ch1 (3 mV, its baseline
    # pushed up by 0.35 of full scale) it clips the top rail only.
    for ch, amp_uv in ((0, 9000.0), (1, 3000.0)):
        add_burst(x, t, FS, rng, ch, 60.0, 180.0, amp_uv, ramp_s=1.0, irregular=0.3)
    counts = rep.offset + x / rep.uv_per_unit
    counts[1] += 0.35 * rep.full_scale * ((t > 55.0) & (t < 185.0))
    counts = np.round(counts).clip(0, rep.full_scale)
    events, q = flags(counts, rep)
    for ch in ("c0", "c1"):
        assert _covered([i for i in q if i.channel == ch], "saturation", 60.0, 180.0) > 60.0
    alerts = {e.channel: e.alert_s for e in events if e.kind == "cramp"}
    assert 60.0 < alerts["c0"] < 70.0
    assert "c1" not in alerts
    # Any block size gives the same events and flags (the off-centre state carries over).
    for block in (377, 4000):
        assert detect_array(counts, FS, rep, "night", block=block, channels=("c0", "c1")) == (
            events,
            q,
        )
