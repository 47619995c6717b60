"""Lab Streaming Layer both ways (optional extra ``lsl``: ``pip install 'crampdetect[lsl]'``).

- :class:`LslSource` (``lsl://NAME``, ``lsl://type=EMG``): any LSL stream of EMG feeds the
  pipeline, like a board. Channel labels and units come from the stream's metadata; a
  stream that goes away and comes back (same source id, or name and type) is picked up
  again, the time it was away marked as a gap. Times (blocks, so events and quality) are
  the outlet's own LSL time stamps, as LabRecorder stores them in an XDF file: the first
  sample received and the first after each gap carry their stamp, the others follow at the
  nominal rate. ``LslSource.time_correction()`` maps them onto this computer's LSL clock.
- :class:`LslPublisher` (``monitor --lsl``): publishes three streams, each with channel
  metadata: ``<name> EMG`` (type ``EMG``, the signal in µV, or mV for the MyoWare ENV
  output), ``<name> envelope`` (type ``EMGEnvelope``, the detector's 100 ms RMS envelope in
  the same unit) and ``<name> markers`` (type ``Markers``: one JSON string per cramp onset,
  alert and end, prompt, and quality flag raised or cleared, time-stamped when it happened).

LSL time stamps follow the stream's own time axis: ``lsl_time = stream_time + offset``,
``offset`` fixed when the first block arrives, so the three streams line up exactly.

Network scope (:func:`configure`, once per process, before any LSL use): ``machine`` (the
default) finds and announces streams on this computer only: discovery on 127.0.0.1, IPv6
off, liblsl's INFO lines silenced. liblsl (1.18) has no setting for the address of an
outlet's data ports (TCP and UDP, 16572 and up): they listen on every IPv4 address, so a
host that knows the port can still connect; :class:`LslPublisher` warns about that.
``link`` (the local network segment) and ``site`` (liblsl's default) share the streams on the
network. A file named by the ``LSLAPICFG`` environment variable replaces all of this.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import time
from typing import Any

import numpy as np

from crampdetect.core import Block, Event, InputError, QualityInterval, Representation
from crampdetect.ingest.blocks import StreamInfo
from crampdetect.ingest.link import LinkStats

logger = logging.getLogger(__name__)

#: LSL unit names (XDF conventions) for our units.
LSL_UNITS = {"uV": "microvolts", "mV": "millivolts", "V": "volts"}
_FROM_LSL = {
    "microvolts": "uV",
    "microvolt": "uV",
    "uv": "uV",
    "µv": "uV",
    "millivolts": "mV",
    "millivolt": "mV",
    "mv": "mV",
    "volts": "V",
    "volt": "V",
    "v": "V",
}
#: Samples pulled from an inlet at most per read.
MAX_PULL = 4096
#: A jump in LSL time larger than this many samples (or 50 ms) is a gap, not clock jitter.
GAP_SAMPLES = 3


#: Who can find the streams: this computer only, the local network segment, the site.
SCOPES = ("machine", "link", "site")
#: liblsl's first data port (``[ports] BasePort``); each outlet takes the next free one.
BASE_PORT = 16572
_LOG = "[log]\nlevel = -1\n"  # loguru: -1 = warnings and errors, no INFO lines
_CONFIG = {
    "machine": _LOG + "[ports]\nIPv6 = disable\n"
    "[multicast]\nResolveScope = machine\nListenAddress = 127.0.0.1\n",
    "link": _LOG + "[multicast]\nResolveScope = link\n",
    "site": _LOG + "[multicast]\nResolveScope = site\n",
}
_scope: str | None = None  # set by the first configure() of this process


def configure(scope: str | None = None) -> Any:
    """pylsl, with liblsl set up for ``scope`` (one of :data:`SCOPES`; default ``machine``).

    liblsl reads its settings once per process, at its first use: a later call with another
    scope is an :class:`InputError`; ``None`` keeps the scope already set.
    """
    global _scope
    if scope is not None and scope not in SCOPES:
        raise InputError(f"invalid LSL scope {scope!r}: {', '.join(SCOPES)}")
    import pylsl  # the optional extra, imported on use

    if _scope is None:
        _scope = scope or "machine"
        if os.environ.get("LSLAPICFG"):
            logger.warning(
                "LSL settings from LSLAPICFG=%s (scope %s not applied)",
                os.environ["LSLAPICFG"],
                _scope,
            )
        else:
            pylsl.set_config_content(_CONFIG[_scope])
    elif scope is not None and scope != _scope:
        raise InputError(
            f"LSL is already set up for scope {_scope!r} in this process, not {scope!r} "
            "(give --lsl-scope and lsl://...?scope= the same scope)"
        )
    return pylsl


def _describe(info: Any, labels: list[str], unit: str, kind: str) -> None:
    channels = info.desc().append_child("channels")
    for label in labels:
        ch = channels.append_child("channel")
        ch.append_child_value("label", label)
        ch.append_child_value("unit", unit)
        ch.append_child_value("type", kind)
    info.desc().append_child("acquisition").append_child_value("software", "crampdetect")


class LslPublisher:
    """Publishes the raw signal, the envelope and event markers of a live session.

    Parameters
    ----------
    name : str
        Prefix of the stream names (``<name> EMG``, ``<name> envelope``, ``<name> markers``).
    scope : str, optional
        Who can find the streams (:data:`SCOPES`, see :func:`configure`).
    """

    def __init__(self, name: str = "crampdetect", scope: str | None = None) -> None:
        self.name = name
        self._lsl = configure(scope)
        if os.environ.get("LSLAPICFG"):
            pass  # the user's own settings: configure() said so
        elif _scope == "machine":
            logger.warning(
                "LSL streams are announced on this machine only, but liblsl listens for their "
                "data on TCP/UDP ports %d and up of every IPv4 address (it has no setting for "
                "that): block them in a firewall on an untrusted network",
                BASE_PORT,
            )
        else:
            logger.warning("LSL streams are shared with the network (scope %s)", _scope)
        self._markers = self._outlet("markers", "Markers", ["marker"], "", 0.0, "string")
        self._raw: Any = None
        self._env: Any = None
        self._key: tuple | None = None
        self._offset: float | None = None
        self._scale = 1.0
        self._shift = 0.0
        self._env_scale = 1.0

    def _outlet(
        self, what: str, kind: str, labels: list[str], unit: str, rate: float, fmt: str
    ) -> Any:
        lsl = self._lsl
        info = lsl.StreamInfo(
            f"{self.name} {what}", kind, len(labels), rate, fmt, f"crampdetect-{self.name}-{what}"
        )
        _describe(info, labels, unit, "EMG" if kind != "Markers" else "Marker")
        return lsl.StreamOutlet(info)

    def _streams_for(self, block: Block, pipeline: Any) -> None:
        rep: Representation = pipeline.representation
        key = (block.fs, block.channels, rep, pipeline.hop_s)
        if key == self._key:
            return
        unit, self._scale, self._shift = rep.physical
        self._env_scale = self._scale / rep.uv_per_unit  # pipeline envelope (µV) -> unit
        lsl_unit = LSL_UNITS.get(unit, unit)
        labels = list(block.channels)
        self._raw = self._outlet("EMG", "EMG", labels, lsl_unit, block.fs, "float32")
        env_labels = [f"{c} envelope" for c in labels]
        self._env = self._outlet(
            "envelope", "EMGEnvelope", env_labels, lsl_unit, 1.0 / pipeline.hop_s, "float32"
        )
        self._key = key

    def lsl_time(self, t_s: float) -> float:
        """LSL time of stream time ``t_s`` (s)."""
        return t_s + (self._offset or 0.0)

    def block(self, block: Block, out: Any, pipeline: Any) -> None:
        """Publish one block of samples and the envelope frames it completed."""
        if block.n_samples == 0:
            return
        if self._offset is None:
            self._offset = self._lsl.local_clock() - block.t_end
        self._streams_for(block, pipeline)
        x = ((np.asarray(block.data, dtype=float) - self._shift) * self._scale).T
        self._raw.push_chunk(
            np.ascontiguousarray(x, dtype=np.float32), self.lsl_time(block.t_end - 1 / block.fs)
        )
        env = getattr(out, "envelope_uv", None)
        if env is not None and env.shape[1]:
            self._env.push_chunk(
                np.ascontiguousarray((env * self._env_scale).T, dtype=np.float32),
                self.lsl_time(out.envelope_end_s - pipeline.hop_s),
            )

    def marker(self, t_s: float, **fields: Any) -> None:
        """Push one JSON marker at stream time ``t_s`` (also given in it as ``t_s``)."""
        doc = {k: v for k, v in fields.items() if v is not None} | {"t_s": round(t_s, 4)}
        text = json.dumps(doc, default=float)
        self._markers.push_sample([text], self.lsl_time(t_s))

    def events(self, events: list[Event], quality: list[QualityInterval], actions: list) -> None:
        """Markers for new and ended events, quality flags and prompts."""
        for e in events:
            common = {"kind": e.kind, "channel": e.channel, "id": e.id}
            if e.end_s is None:
                self.marker(e.onset_s, marker=f"{e.kind}_onset", **common)
                self.marker(e.alert_s, marker=f"{e.kind}_alert", **common, onset_s=e.onset_s)
            else:
                self.marker(e.end_s, marker=f"{e.kind}_end", **common, onset_s=e.onset_s)
        for q in quality:
            state = "cleared" if q.end_s is not None else "flagged"
            t = q.end_s if q.end_s is not None else q.start_s
            self.marker(t, marker=f"quality_{state}", issue=q.issue, channel=q.channel)
        for a in actions:  # crampdetect.alerts.policy.Action
            self.marker(
                a.t_s, marker=f"prompt_{a.kind}", channel=a.channel, reason=a.reason or None
            )

    def close(self) -> None:
        self._raw = self._env = self._markers = None


class LslSource:
    """An LSL stream of EMG as a source of :class:`~crampdetect.core.Block` s.

    Parameters
    ----------
    query : str
        ``NAME`` (the stream's name) or ``PROP=VALUE`` (``type=EMG``, ``source_id=...``).
    timeout_s : float
        How long to wait for the stream to appear when opened.
    signal, units : str, optional
        Override what the stream's metadata says (or what would be inferred).
    scope : str, optional
        Where to look for the stream (:data:`SCOPES`, see :func:`configure`).
    """

    accepts_commands = False  # an LSL stream has no motor
    profile = None  # nor a detector profile of its own

    def __init__(
        self,
        query: str,
        timeout_s: float = 10.0,
        signal: str | None = None,
        units: str | None = None,
        scope: str | None = None,
    ) -> None:
        self.query = query
        self.scope = scope
        self.timeout_s = timeout_s
        self._signal, self._units = signal, units
        self.ended = False
        self.connected = False
        self.acks: list[object] = []
        self.info: Any = None
        self._inlet: Any = None
        self._channels: tuple[str, ...] = ()
        self._first_ts: float | None = None
        self._anchor = (0, 0.0)  # (sample index, its LSL time stamp): the first, or after a gap
        self._next = 0  # index of the next sample on the stream's clock
        self._last_ts: float | None = None
        self._last_wall = 0.0
        self._frames = self._gaps = self._gap_samples = self._reconnects = 0
        self._silent = False

    def __enter__(self) -> LslSource:
        lsl = configure(self.scope)
        prop, sep, value = self.query.partition("=")
        prop, value = (prop, value) if sep else ("name", self.query)
        found = lsl.resolve_byprop(prop.strip(), value.strip(), timeout=self.timeout_s)
        if not found:
            raise InputError(f"no LSL stream with {prop}={value!r} found in {self.timeout_s:g} s")
        self._inlet = lsl.StreamInlet(found[0], max_buflen=360, recover=True)
        full = self._inlet.info(timeout=self.timeout_s)
        self.info = self._stream_info(full)
        self._inlet.open_stream(timeout=self.timeout_s)
        self.connected = True
        self._last_wall = time.monotonic()
        return self

    def _stream_info(self, full: Any) -> Any:
        fs = float(full.nominal_srate())
        if fs <= 0:
            raise InputError(f"LSL stream {full.name()!r} has no regular sample rate")
        labels, units = [], []
        ch = full.desc().child("channels").child("channel")
        for i in range(full.channel_count()):
            label = ch.child_value("label") if not ch.empty() else ""
            labels.append(label or f"ch{i + 1}")
            units.append((ch.child_value("unit") if not ch.empty() else "").strip().lower())
            ch = ch.next_sibling()
        self._channels = tuple(labels)
        unit = self._units or _FROM_LSL.get(units[0] if units else "")
        rep = Representation(self._signal or "raw", unit or "uV")
        if unit is None:
            logger.warning("LSL stream %r gives no unit: reading it as µV", full.name())
        return StreamInfo(fs=fs, representation=rep, firmware=f"lsl:{full.name()}", confirmed=True)

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._inlet is not None:
            self._inlet.close_stream()
            self._inlet = None
        self.connected = False

    def read(self, timeout_s: float = 0.1) -> list[Block]:
        """The samples received so far as blocks (one per run between gaps); waits up to
        ``timeout_s`` for them."""
        if self._inlet is None or self.ended:
            return []
        data, stamps = self._inlet.pull_chunk(timeout=timeout_s, max_samples=MAX_PULL)
        now = time.monotonic()
        if not stamps:
            if now - self._last_wall > 1.0 and not self._silent:
                self._silent, self.connected = True, False
            return []
        if self._silent:
            self._reconnects += 1
            self._silent = False
        self.connected, self._last_wall = True, now
        fs = self.info.fs
        x = np.asarray(data, dtype=np.float64).T
        ts = np.asarray(stamps, dtype=np.float64)
        self._frames += 1
        # A gap may fall inside one pull too (the stream came back before this read):
        # cut there, so every block's samples follow each other at the nominal rate.
        limit = max(GAP_SAMPLES, 0.05 * fs)
        cuts = (np.flatnonzero(np.round(np.diff(ts) * fs) - 1 > limit) + 1).tolist()
        bounds = [0, *cuts, ts.size]
        return [self._block(x[:, a:b], ts[a:b], fs, limit) for a, b in itertools.pairwise(bounds)]

    def _block(self, x: np.ndarray, ts: np.ndarray, fs: float, limit: float) -> Block:
        """One run of samples without a gap inside, on the outlet's LSL clock."""
        if self._first_ts is None:
            self._first_ts = float(ts[0])
            self._anchor = (self._next, float(ts[0]))
        gap = 0
        if self._last_ts is not None:
            missing = round((ts[0] - self._last_ts) * fs) - 1
            if missing > limit:
                gap = missing
                self._gaps += 1
                self._gap_samples += gap
                self._next += gap
                self._anchor = (self._next, float(ts[0]))  # the outlet's stamp after the gap
        start = self._next
        self._next += x.shape[1]
        self._last_ts = float(ts[-1])
        # the outlet's LSL time: the anchor's stamp, then the nominal rate (the stamps of one
        # chunk carry network jitter; the detector's times stay exact and cut-invariant)
        t0 = self._anchor[1] + (start - self._anchor[0]) / fs
        return Block(x, fs, start=start, t0=t0, gap=gap, channels=self._channels)

    def drain(self) -> list[Block]:
        """At a stop: the samples the inlet has received and not handed out yet."""
        blocks: list[Block] = []
        for _ in range(64):  # 64 pulls of MAX_PULL: far more than a stop leaves behind
            got = self.read(0.0)
            if not got:
                break
            blocks += got
        return blocks

    def time_correction(self, timeout_s: float = 2.0) -> float:
        """Seconds to add to this source's times (the outlet's LSL clock) to get this
        computer's :func:`pylsl.local_clock` (0 when both run on one computer)."""
        if self._inlet is None:
            raise InputError("the LSL stream is not open")
        return float(self._inlet.time_correction(timeout=timeout_s))

    def send(self, command: str, **fields: object) -> bool:
        """No motor behind an LSL stream: the command is dropped."""
        return False

    def take_button_presses(self) -> int:
        """No button behind an LSL stream."""
        return 0

    @property
    def stats(self) -> Any:
        return LinkStats(
            frames=self._frames,
            gaps=self._gaps,
            gap_samples=self._gap_samples,
            reconnects=self._reconnects,
            connected=self.connected,
        )
