"""Lab Streaming Layer both ways, with real liblsl outlets and inlets on this machine's loopback."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from crampdetect.core import Representation
from crampdetect.simulate import simulate

try:  # pylsl raises RuntimeError, not ImportError, when it is there but liblsl is not
    import pylsl
except (ImportError, RuntimeError) as exc:
    pytest.skip(f"pylsl with liblsl is not installed ({exc})", allow_module_level=True)

FS = 1000


@pytest.fixture(scope="module")
def cramp_uv() -> np.ndarray:
    """3 min of two calves in µV, a cramp on calf_right from about 53 s."""
    _, x = next(simulate("cramp", seed=1, fs=FS).iter_chunks(1e9))
    return x


def _amplifier(name: str, source_id: str):
    info = pylsl.StreamInfo(name, "EMG", 2, FS, "float32", source_id)
    chans = info.desc().append_child("channels")
    for label in ("calf_left", "calf_right"):
        ch = chans.append_child("channel")
        ch.append_child_value("label", label)
        ch.append_child_value("unit", "microvolts")
        ch.append_child_value("type", "EMG")
    return pylsl.StreamOutlet(info)


@pytest.mark.slow  # real-time device/stream test; run by .ci/run's slow pass
def test_lsl_source_feeds_the_pipeline_and_survives_a_lost_stream(cramp_uv) -> None:
    from crampdetect.ingest.sources import open_source
    from crampdetect.pipeline.live import LiveMonitor

    name, sid = f"amp-{uuid.uuid4().hex[:8]}", f"amp-{uuid.uuid4().hex}"
    speed, step = 20.0, FS // 10  # pushed at 20x real time, 100 ms chunks
    lost = (20 * FS, 30 * FS)  # the amplifier goes away for 10 s of signal
    t0 = pylsl.local_clock()
    outlet = [_amplifier(name, sid)]
    done = threading.Event()

    def amplifier() -> None:
        outlet[0].wait_for_consumers(10)
        for i in range(0, cramp_uv.shape[1], step):
            if lost[0] <= i < lost[1]:
                if outlet[0] is not None:
                    outlet[0] = None  # the stream goes away...
                continue
            if outlet[0] is None:  # ...and comes back with the same source id
                outlet[0] = _amplifier(name, sid)
                outlet[0].wait_for_consumers(20)
            chunk = np.ascontiguousarray(cramp_uv[:, i : i + step].T, dtype=np.float32)
            outlet[0].push_chunk(chunk, t0 + (i + chunk.shape[0] - 1) / FS)
            time.sleep(step / FS / speed)
        done.set()

    source = open_source(f"lsl://{name}?timeout=10")
    monitor = LiveMonitor(source, "night")
    pusher = threading.Thread(target=amplifier, daemon=True)
    with source:
        assert source.info.representation == Representation("raw", "uV")
        pusher.start()
        summary = monitor.run(stop=done, duration_s=60)
        summary = monitor.summary
    pusher.join(5)
    assert done.is_set(), "the amplifier thread did not finish"
    stats = summary.stats
    assert stats.gaps == 1 and stats.gap_samples >= lost[1] - lost[0]
    assert stats.reconnects >= 1  # silent for over 1 s, then back
    (cramp,) = summary.cramps
    truth = simulate("cramp", seed=1, fs=FS).labels["intervals"]
    (expected,) = [i for i in truth if i["kind"] == "cramp"]
    assert cramp.channel == expected["channel"] == "calf_right"
    # on the outlet's LSL clock (sample i stamped t0 + i / FS, the 10 s away included)
    assert expected["start_s"] <= cramp.alert_s - t0 <= expected["start_s"] + 10.0
    assert abs(cramp.end_s - t0 - expected["end_s"]) < 3.0
    assert summary.stream_s - t0 > 150  # the stream after the loss was read too


def test_lsl_source_times_are_the_outlets_time_stamps() -> None:
    """A subscriber that joins a running stream: its blocks (and so its events) carry the
    outlet's LSL times, which a researcher aligns with the outlet's other streams and XDF
    files, not seconds since it joined; after a gap they follow the outlet's stamps again."""
    from crampdetect.ingest.sources import open_source

    name, sid = f"amp-{uuid.uuid4().hex[:8]}", f"amp-{uuid.uuid4().hex}"
    outlet = _amplifier(name, sid)
    began = pylsl.local_clock() - 100.0  # the outlet's stream began 100 s before we join
    source = open_source(f"lsl://{name}?timeout=10")
    blocks = []
    with source:
        assert outlet.wait_for_consumers(10)
        for lo, hi in ((100_000, 101_000), (101_300, 102_000)):  # 300 samples lost between
            for i in range(lo, hi, 100):  # sample i holds the value i % 4096, stamped as i
                values = np.repeat((np.arange(i, i + 100) % 4096)[:, None], 2, axis=1)
                outlet.push_chunk(values.astype(np.float32), began + (i + 99) / FS)
        deadline = time.monotonic() + 10
        while sum(b.n_samples for b in blocks) < 1700 and time.monotonic() < deadline:
            blocks += source.read(0.2)
    assert sum(b.n_samples for b in blocks) == 1700
    index = 100_000  # the first sample the subscriber got
    for block in blocks:
        index += block.gap
        assert block.data[0, 0] == index % 4096
        assert block.t0 == pytest.approx(began + index / FS, abs=1e-6), (block.t0 - began) * FS
        index += block.n_samples
    assert [b.gap for b in blocks if b.gap] == [300]


def test_lsl_source_drain_hands_out_what_the_inlet_holds() -> None:
    """At a stop the live loop drains the source into the recording: nothing received is lost."""
    from crampdetect.ingest.sources import open_source

    name, sid = f"amp-{uuid.uuid4().hex[:8]}", f"amp-{uuid.uuid4().hex}"
    outlet = _amplifier(name, sid)
    source = open_source(f"lsl://{name}?timeout=10")
    with source:
        assert outlet.wait_for_consumers(10)
        t = pylsl.local_clock()
        for k in range(5):
            outlet.push_chunk(np.zeros((100, 2), np.float32), t + (k * 100 + 99) / FS)
        time.sleep(0.5)  # on the inlet's side by now
        assert sum(b.n_samples for b in source.drain()) == 500


def _inlet(prop: str, value: str):
    (info,) = pylsl.resolve_byprop(prop, value, timeout=10)
    inlet = pylsl.StreamInlet(info, max_buflen=360)
    inlet.open_stream(timeout=10)
    return inlet


def _labels(info) -> list[tuple[str, str, str]]:
    out, ch = [], info.desc().child("channels").child("channel")
    while not ch.empty():
        out.append((ch.child_value("label"), ch.child_value("unit"), ch.child_value("type")))
        ch = ch.next_sibling()
    return out


@pytest.mark.slow  # real-time device/stream test; run by .ci/run's slow pass
def test_monitor_publishes_signal_envelope_and_markers() -> None:
    from crampdetect.cli import main

    name = f"cd-{uuid.uuid4().hex[:8]}"
    argv = ["monitor", "sim://cramp?seed=1&speed=15", "--no-view", "--lsl", "--lsl-name", name]
    argv += ["--json-events"]
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
    thread.start()
    markers = _inlet("name", f"{name} markers")
    raw = _inlet("name", f"{name} EMG")
    env = _inlet("name", f"{name} envelope")
    got: dict[str, list] = {"raw": [], "raw_t": [], "env": [], "markers": [], "markers_t": []}
    while thread.is_alive() or any(i.samples_available() for i in (raw, env, markers)):
        for key, inlet in (("raw", raw), ("env", env), ("markers", markers)):
            x, t = inlet.pull_chunk(timeout=0.05, max_samples=100_000)
            got[key].extend(x)
            if key != "env":
                got[key + "_t"].extend(t)
    assert result == [0]

    info = raw.info()
    assert (info.type(), info.nominal_srate(), info.channel_format()) == (
        "EMG",
        FS,
        pylsl.cf_float32,
    )
    assert _labels(info) == [
        ("calf_left", "microvolts", "EMG"),
        ("calf_right", "microvolts", "EMG"),
    ]
    env_info = env.info()
    assert env_info.type() == "EMGEnvelope" and env_info.nominal_srate() > 0
    assert [lab for lab, _, _ in _labels(env_info)] == ["calf_left envelope", "calf_right envelope"]

    texts = [json.loads(m[0]) for m in got["markers"]]
    kinds = [m["marker"] for m in texts]
    for expected in ("cramp_onset", "cramp_alert", "cramp_end", "prompt_vibrate", "prompt_stop"):
        assert expected in kinds, kinds
    alert = next(m for m in texts if m["marker"] == "cramp_alert")
    assert alert["channel"] == "calf_right" and alert["t_s"] > alert["onset_s"]

    # the raw samples are the simulated board's ADC counts in µV, on the markers' time axis
    offset = np.median([t - m["t_s"] for m, t in zip(texts, got["markers_t"], strict=True)])
    session = simulate("cramp", seed=1, fs=FS, representation=Representation("raw", "counts", 10))
    _, counts = next(session.iter_chunks(1e9))
    rep = Representation("raw", "counts", 10)
    truth = (counts - rep.offset) * rep.uv_per_unit
    samples = np.array(got["raw"])
    index = np.round((np.array(got["raw_t"]) - offset) * FS).astype(int)
    assert samples.shape[0] > 0.5 * truth.shape[1]  # most of the session was received
    np.testing.assert_allclose(samples, truth[:, index].T, rtol=1e-6, atol=1e-3)
    envelope = np.array(got["env"])
    assert envelope.shape[1] == 2 and np.all(envelope >= 0)
    assert envelope[:, 1].max() > 5 * np.median(envelope[:, 1])  # the cramp stands out


@pytest.mark.slow  # > 3 s: the default suite stays under its 4 min budget
def test_lsl_source_by_property_and_missing_streams(cramp_uv) -> None:
    from crampdetect.core import InputError
    from crampdetect.ingest.sources import open_source

    kind = f"EMG-{uuid.uuid4().hex[:8]}"  # a type no other stream on this machine has
    info = pylsl.StreamInfo("no-metadata amp", kind, 2, FS, "float32", uuid.uuid4().hex)
    outlet = pylsl.StreamOutlet(info)  # no channel labels, no units
    with open_source(f"lsl://type={kind}?units=uV&timeout=10") as source:
        assert source.info.fs == FS and source.info.representation.units == "uV"
        outlet.wait_for_consumers(10)
        outlet.push_chunk(np.ascontiguousarray(cramp_uv[:, :500].T, dtype=np.float32))
        blocks = []
        for _ in range(50):
            blocks += source.read(0.1)
            if sum(b.n_samples for b in blocks) >= 500:
                break
    assert blocks[0].channels == ("ch1", "ch2")
    np.testing.assert_allclose(np.hstack([b.data for b in blocks]), cramp_uv[:, :500], rtol=1e-6)
    with pytest.raises(InputError, match="no LSL stream"):
        with open_source(f"lsl://nothing-{uuid.uuid4().hex[:6]}?timeout=0.5"):
            pass


def _ip(hex_addr: str) -> str:
    """An address as /proc/net/* writes it (32-bit words in host order) -> text."""
    raw = b"".join(bytes.fromhex(hex_addr[i : i + 8])[::-1] for i in range(0, len(hex_addr), 8))
    return socket.inet_ntop(socket.AF_INET if len(raw) == 4 else socket.AF_INET6, raw)


def _listeners(pid: int) -> list[tuple[str, str, int]]:
    """(protocol, local address, port) of every listening TCP and every UDP socket of ``pid``."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    out = []
    for proto in ("tcp", "tcp6", "udp", "udp6"):
        for line in Path(f"/proc/{pid}/net/{proto}").read_text().splitlines()[1:]:
            f = line.split()
            if f[9] in inodes and (proto.startswith("udp") or f[3] == "0A"):  # 0A: LISTEN
                addr, port = f[1].split(":")
                out.append((proto, _ip(addr), int(port, 16)))
    return out


def _monitor_sockets(scope: str) -> tuple[list[tuple[str, str, int]], str]:
    """Sockets of ``monitor --lsl --lsl-scope SCOPE`` once its streams are up, and its stderr."""
    name = f"cd-{uuid.uuid4().hex[:8]}"
    argv = ["monitor", "sim://night-short?speed=10", "--no-view", "--duration", "30", "--lsl"]
    env = {k: v for k, v in os.environ.items() if k != "LSLAPICFG"}
    cmd = [sys.executable, "-m", "crampdetect", *argv, "--lsl-name", name, "--lsl-scope", scope]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        # all three outlets are open once the envelope stream (made on the first block) is found
        found = pylsl.resolve_byprop("name", f"{name} envelope", timeout=20)
        assert found, "the monitor's streams were not found on this machine"
        sockets = _listeners(proc.pid)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    return sockets, err.decode()


@pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="reads Linux /proc/net")
def test_monitor_lsl_stays_on_this_machine_unless_asked() -> None:
    from crampdetect.lsl import BASE_PORT

    sockets, err = _monitor_sockets("machine")
    assert "INFO|" not in err, err  # liblsl's INFO lines are silenced
    assert not [s for s in sockets if s[0].endswith("6")], sockets  # no IPv6 at all
    discovery = [s for s in sockets if s[2] == BASE_PORT - 1]  # multicast port 16571
    assert discovery and all(addr == "127.0.0.1" for _, addr, _ in discovery), sockets
    # what liblsl cannot restrict: each outlet's data port (TCP) and time/info port (UDP),
    # one each per outlet (EMG, envelope, markers), on 0.0.0.0; the monitor warns about that
    exposed = [s for s in sockets if not ipaddress.ip_address(s[1]).is_loopback]
    assert sorted(proto for proto, _, _ in exposed) == ["tcp"] * 3 + ["udp"] * 3, sockets
    assert min(port for _, _, port in exposed) >= BASE_PORT, sockets
    assert "block them in a firewall" in err and f"ports {BASE_PORT} and up" in err, err

    shared, err = _monitor_sockets("site")  # asked for: discovery open to the network
    assert [s for s in shared if s[2] == BASE_PORT - 1 and s[1] in ("0.0.0.0", "::")], shared
    assert "shared with the network (scope site)" in err and "INFO|" not in err, err


def test_lsl_scope_is_set_once_per_process() -> None:
    from crampdetect import lsl
    from crampdetect.core import InputError

    with pytest.raises(InputError, match="invalid LSL scope"):
        lsl.configure("planet")
    lsl.configure()  # the scope already set, or machine
    other = "site" if lsl._scope != "site" else "machine"
    with pytest.raises(InputError, match="already set up"):
        lsl.configure(other)
