"""Simulated sessions: determinism, chunk independence, labels that agree with the data."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crampdetect.core import QUALITY_ISSUES, InputError, Representation
from crampdetect.simulate import SCENARIOS, SceneOptions, simulate, write_session

ACTIVITIES = {
    "cramp",
    "prodrome",
    "voluntary_hold",
    "calf_raise",
    "gait",
    "standing",
    "leg_movement",
    "turnover",
    "twitch",
}
COUNTS10 = Representation("raw", "counts", 10)


def collect(session, chunk_s: float = 30.0) -> tuple[np.ndarray, np.ndarray]:
    parts = list(session.iter_chunks(chunk_s))
    return np.concatenate([t for t, _ in parts]), np.concatenate([x for _, x in parts], axis=1)


def test_same_seed_same_output_and_other_seed_differs() -> None:
    a = simulate("night-short", seed=7, duration_s=60.0)
    b = simulate("night-short", seed=7, duration_s=60.0)
    c = simulate("night-short", seed=8, duration_s=60.0)
    ta, xa = collect(a)
    tb, xb = collect(b)
    _, xc = collect(c)
    assert np.array_equal(ta, tb) and np.array_equal(xa, xb)
    assert a.labels == b.labels
    assert xc.shape != xa.shape or not np.allclose(xa, xc)


SCENE = "night-short"  # motor-unit trains, fasciculations, a prodrome, a cramp
GAPPY = SceneOptions(gaps_per_hour=500.0)
_REFERENCE: dict[str, tuple[np.ndarray, np.ndarray, list]] = {}


def _reference(rep_name: str):
    reps = {"uv": Representation("raw", "uV"), "env": Representation("env", "counts", 12)}
    if rep_name not in _REFERENCE:
        session = simulate(SCENE, seed=11, duration_s=40.0, fs=500.0,
                           representation=reps[rep_name], options=GAPPY)  # fmt: skip
        t, x = collect(session, chunk_s=1000.0)
        _REFERENCE[rep_name] = (t, x, session.labels["intervals"])
    return reps[rep_name], _REFERENCE[rep_name]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chunk_s=st.floats(min_value=0.003, max_value=25.0), rep_name=st.sampled_from(["uv", "env"]))
def test_output_does_not_depend_on_chunk_size(chunk_s: float, rep_name: str) -> None:
    rep, (t_ref, x_ref, labels_ref) = _reference(rep_name)
    session = simulate(SCENE, seed=11, duration_s=40.0, fs=500.0, representation=rep,
                       options=GAPPY)  # fmt: skip
    parts = list(session.iter_chunks(chunk_s))
    assert all(t.size > 0 for t, _ in parts)
    t = np.concatenate([p[0] for p in parts])
    x = np.concatenate([p[1] for p in parts], axis=1)
    assert np.array_equal(t, t_ref)
    assert np.array_equal(x, x_ref)
    assert session.labels["intervals"] == labels_ref  # saturation found identically


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_scenario_has_valid_labels(name: str) -> None:
    session = simulate(name, seed=3, duration_s=min(SCENARIOS[name].default_s, 900.0))
    labels = session.planned_labels
    assert labels["format"] == "crampdetect-labels/1"
    assert labels["profile"] == SCENARIOS[name].profile == session.profile
    assert labels["channels"] == ["calf_left", "calf_right"]
    assert labels["mains_hz"] in (50, 60)
    for iv in labels["intervals"]:
        assert iv["kind"] in ACTIVITIES | set(QUALITY_ISSUES)
        assert iv["channel"] in labels["channels"]
        assert 0.0 <= iv["start_s"] < iv["end_s"] <= labels["duration_s"]
        if iv["kind"] == "cramp":
            assert 10.0 - 1e-6 <= iv["end_s"] - iv["start_s"] <= 600.0
            assert isinstance(iv["recurrence"], bool)
    json.dumps(labels)  # serialisable


def test_night_has_cramps_and_confounders() -> None:
    labels = simulate("night", seed=2, duration_s=4 * 3600.0).planned_labels
    kinds = [iv["kind"] for iv in labels["intervals"]]
    assert kinds.count("cramp") >= 1
    assert kinds.count("turnover") >= 2 and kinds.count("twitch") >= 10
    turnovers = [iv for iv in labels["intervals"] if iv["kind"] == "turnover"]
    assert all(3.0 - 1e-6 <= iv["end_s"] - iv["start_s"] <= 45.0 for iv in turnovers)
    starts = {(iv["start_s"], iv["end_s"]) for iv in turnovers}
    assert len(starts) * 2 == len(turnovers)  # both legs, one interval each


def test_training_has_gait_holds_and_a_late_cramp() -> None:
    for seed in range(4):
        labels = simulate("training", seed=seed, options=SceneOptions(cramps=1)).planned_labels
        kinds = [iv["kind"] for iv in labels["intervals"]]
        assert "gait" in kinds and "voluntary_hold" in kinds and "standing" in kinds
        cramps = [iv for iv in labels["intervals"] if iv["kind"] == "cramp"]
        assert len(cramps) == 1
        assert cramps[0]["start_s"] > 0.3 * labels["duration_s"]


def test_cramp_is_much_louder_than_rest_on_its_own_leg_only() -> None:
    session = simulate("cramp", seed=5, fs=1000.0)
    t, x = collect(session)
    (cramp,) = [iv for iv in session.labels["intervals"] if iv["kind"] == "cramp"]
    ch = session.channels.index(cramp["channel"])
    during = (t >= cramp["start_s"] + 5.0) & (t < cramp["end_s"] - 1.0)
    before = t < 20.0
    rms = lambda v: float(np.sqrt(np.mean(v**2)))  # noqa: E731
    assert rms(x[ch, during]) > 10 * rms(x[ch, before])
    assert rms(x[1 - ch, during]) < 3 * rms(x[1 - ch, before])  # other leg stays at rest
    # waxing and waning, but never back to rest before the end
    win = int(0.5 * session.fs)
    seg = x[ch, during][: (during.sum() // win) * win].reshape(-1, win)
    level = np.sqrt(np.mean(seg**2, axis=1))
    assert level.min() > 4 * rms(x[ch, before])
    assert np.std(level) / np.mean(level) > 0.1


def test_leadoff_is_at_a_rail_or_mains_dominated() -> None:
    session = simulate("leadoff", seed=1, fs=1000.0, representation=COUNTS10)
    t, x = collect(session)
    leadoffs = [iv for iv in session.labels["intervals"] if iv["kind"] == "lead_off"]
    assert {iv["mode"] for iv in leadoffs} == {"high", "low", "float"}
    mains = session.labels["mains_hz"]
    for iv in leadoffs:
        v = x[session.channels.index(iv["channel"]), (t >= iv["start_s"]) & (t < iv["end_s"])]
        if iv["mode"] == "high":
            assert np.all(v == 1023)
        elif iv["mode"] == "low":
            assert np.all(v == 0)
        else:
            spec = np.abs(np.fft.rfft(v - v.mean())) ** 2
            f = np.fft.rfftfreq(v.size, 1.0 / session.fs)
            near = np.abs(f - mains) < 2.0
            assert spec[near].sum() > 0.5 * spec.sum()
            assert np.ptp(v) > 200  # tens of mV at the skin: hundreds of counts


def test_gaps_are_absent_rows() -> None:
    session = simulate(
        "plm", seed=4, duration_s=300.0, fs=1000.0, options=SceneOptions(gaps_per_hour=200.0)
    )
    t, _ = collect(session, chunk_s=9.0)
    gaps = [
        iv
        for iv in session.labels["intervals"]
        if iv["kind"] == "gap" and iv["channel"] == "calf_left"
    ]
    assert len(gaps) >= 5
    dt = np.diff(t)
    jumps = t[1:][dt > 1.5e-3]
    assert len(jumps) <= len(gaps)
    for iv in gaps:
        assert not np.any((t >= iv["start_s"] - 1e-6) & (t < iv["end_s"] - 1e-6))
        assert np.any(np.isclose(t, iv["end_s"])) or iv["end_s"] == session.duration_s
        assert np.any(np.isclose(t, iv["start_s"] - 1e-3))  # the last sample before it
    assert np.allclose(dt[dt <= 1.5e-3], 1e-3)


def test_write_session_csv_and_sidecar(tmp_path) -> None:
    session = simulate("night-short", seed=1, duration_s=30.0, fs=2000.0, representation=COUNTS10)
    csv_path, labels_path = write_session(session, tmp_path / "night.csv")
    assert labels_path == tmp_path / "night.labels.json"
    lines = csv_path.read_text().splitlines()
    assert lines[0] == "time_s,calf_left,calf_right"
    data = np.loadtxt(csv_path, delimiter=",", skiprows=1)
    t, x = collect(session)
    assert np.allclose(data[:, 0], t, atol=5e-7)
    assert np.array_equal(data[:, 1:].T, x)
    assert all("." not in cell for cell in lines[5].split(",")[1:])  # integer counts
    assert json.loads(labels_path.read_text()) == session.labels
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scenario": "nope"},
        {"fs": 100.0},
        {"fs": 50.0, "representation": Representation("env", "counts", 10)},
        {"representation": Representation("env", "uV")},
        {"duration_s": 0.1},
        {"channels": ("a", "a")},
        {"channels": ("a,b",)},
        {"seed": -1},
    ],
)
def test_bad_arguments_raise_input_error(kwargs: dict) -> None:
    args = {"scenario": "cramp", **kwargs}
    with pytest.raises(InputError):
        simulate(**args)


@pytest.mark.slow
def test_writing_one_hour_at_2khz_keeps_memory_bounded(tmp_path) -> None:
    session = simulate("night", seed=9, duration_s=3600.0, fs=2000.0, representation=COUNTS10)
    write_session(simulate("cramp", duration_s=5.0), tmp_path / "warm-up.csv")  # imports
    tracemalloc.start()
    try:
        write_session(session, tmp_path / "long.csv", chunk_s=30.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (tmp_path / "long.csv").stat().st_size > 7_200_000 * 8
    assert peak < 30e6  # the session as float64 would be 115 MB


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(sorted(SCENARIOS)),
    duration=st.floats(min_value=1.0, max_value=60.0),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_any_scenario_any_short_length_renders(name: str, duration: float, seed: int) -> None:
    session = simulate(name, seed=seed, duration_s=duration, fs=500.0, channels=("calf",))
    t, x = collect(session)
    assert x.shape == (1, t.size) and np.all(np.isfinite(x))
    assert all(iv["end_s"] <= duration + 1e-6 for iv in session.labels["intervals"])
