"""Reassembly of decoded frames into sample :class:`~crampdetect.core.Block` s.

Sample frames carry a 16-bit sequence number (wraps) and the device time of their first
sample (32-bit µs, wraps every ~71.6 min). :class:`Reassembler` turns them into blocks on one
sample clock: duplicates (bleak can deliver a notification twice, also the last one again
right after a reconnect) and stale frames are dropped and counted, lost frames become
``Block.gap`` (sized from the device time, so samples the device itself dropped are counted
too), a device restart starts a new segment whose gap comes from the host clock. Status
frames set the stream's rate, ADC bits and signal.

A 16-bit CRC lets about one damaged frame in 65,000 through, so a frame's content is checked
too: samples must fit the board's ADC bits, and only the frame that simply continues the
timeline (next ``seq``, ``t_us`` where the sample clock says) is believed at once. A frame
that jumps (forward, backward, in ``seq`` or in time) is held until a later frame continues
it; a frame nothing confirms is dropped and counted as implausible. So a corrupt frame
that passed the CRC shifts the timeline by nothing, and gaps and lost frames stay exact.

Blocks are cut on fixed windows of the sample clock (``block_s``, 0.1 s by default: ten Uno
frames), and at gaps, so the output does not depend on how the bytes were cut, and the
pipeline sees a few blocks per second instead of one per frame.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import numpy as np

from crampdetect.core import Block, Representation
from crampdetect.ingest.clock import ClockMap
from crampdetect.ingest.frames import SampleFrame, StatusFrame
from crampdetect.ingest.window import BlockWindow

logger = logging.getLogger(__name__)

SEQ_MOD = 1 << 16
DEVICE_US_MOD = 1 << 32
#: A frame this many sequence numbers behind the newest one is stale; further back is a restart.
STALE_WINDOW = 256
#: Sample rates a status frame may announce, Hz (others are ignored as corrupt).
MIN_RATE_HZ, MAX_RATE_HZ = 10, 20_000
#: Consecutive frames that look stale but follow each other mean the board restarted.
RESTART_RUN = 8
#: Device time (s) of sample frames held back while waiting for the first status frame (then
#: the URL's hints or the defaults are used). The firmware sends one every second, so a host
#: that joins a stream anywhere in that period meets one within a second (at 1 kHz, 100 Uno
#: frames); two and a half periods leave room for one status frame lost to a damaged byte.
STATUS_WAIT_S = 2.5
#: At most this many sample frames are held, whatever their device time (a memory bound).
HOLD_FRAMES = 8192
#: A silence longer than this (s of host time) is sized by the host clock: device time may alias.
MAX_DEVICE_GAP_S = 1800.0
#: Frames that jump, held until a later frame confirms one of them (older ones are dropped).
MAX_UNCONFIRMED = 8

DEFAULT_CHANNEL_NAMES = ("calf_left", "calf_right")


def channel_names(mask: int, names: tuple[str, ...] = DEFAULT_CHANNEL_NAMES) -> tuple[str, ...]:
    """Names of the channels set in a channel bit mask (bit i -> ``names[i]`` or ``ch<i>``).

    >>> channel_names(0b11)
    ('calf_left', 'calf_right')
    >>> channel_names(0b100)
    ('ch2',)
    """
    out = []
    for bit in range(16):
        if mask >> bit & 1:
            out.append(names[bit] if bit < len(names) else f"ch{bit}")
    return tuple(out)


@dataclass(frozen=True, slots=True)
class StreamInfo:
    """What the device says about its stream (from status frames, else defaults).

    ``fs`` in Hz; ``representation`` of the sample values (ADC counts); ``confirmed`` is
    False until a status frame arrived.
    """

    fs: float = 1000.0
    representation: Representation = field(
        default_factory=lambda: Representation("raw", "counts", 10)
    )
    firmware: str = ""
    battery_pct: int = -1
    lost_samples: int = 0
    confirmed: bool = False
    channel_mask: int = 0  # 0: not known yet

    @property
    def max_count(self) -> int:
        """Largest sample value the ADC can produce (counts)."""
        bits = self.representation.adc_bits
        return (1 << bits) - 1 if bits else 0xFFFF


@dataclass(slots=True)
class ReassemblyStats:
    """Counters: frames accepted, duplicates, stale frames, lost frames, gaps, restarts,
    status frames ignored as implausible, sample frames dropped as implausible (samples out
    of the ADC range, another channel set, or a jump no later frame confirmed)."""

    frames: int = 0
    samples: int = 0
    duplicates: int = 0
    stale: int = 0
    lost_frames: int = 0
    gaps: int = 0
    gap_samples: int = 0
    restarts: int = 0
    bad_status: int = 0
    implausible: int = 0


class Reassembler:
    """Frames in, blocks out, on one sample clock.

    Parameters
    ----------
    info : StreamInfo, optional
        Stream description to assume until the device sends a status frame.
    names : tuple of str
        Channel names by bit of the channel mask.
    timebase : {"host", "device"}
        ``Block.t0`` on the host clock, or on the device's sample clock (seconds of stream
        since the first sample, gaps included: for replays and simulated boards running
        faster than real time). On the host clock the times are still the sample clock's
        between gaps: a block of n samples covers n/fs s, so they never run backwards, and
        a backlog the board sends in a burst (after a reconnect) keeps the times its samples
        were taken at. The stream starts at the host time of its first sample; at each gap
        the times catch up with the drift-corrected host clock (:class:`ClockMap`) if they
        fell behind it, never earlier than the gap's own length (see ``_host_t0``).
    block_s : float or None
        Blocks end on multiples of this many seconds of the sample clock (and at gaps);
        None gives one block per frame.

    Examples
    --------
    >>> import numpy as np
    >>> r = Reassembler(StreamInfo(confirmed=True), block_s=None)
    >>> s = np.zeros((1, 20), np.uint16)
    >>> frames = [SampleFrame(k, k * 20_000 - 100_000, 1, s) for k in (5, 7, 8)]  # 6 is lost
    >>> blocks = r.feed(frames, host_s=1.0)  # a jump counts once a later frame confirms it
    >>> [(b.start, b.gap) for b in blocks], r.stats.lost_frames
    ([(0, 0), (40, 20), (60, 0)], 1)
    """

    def __init__(
        self,
        info: StreamInfo | None = None,
        names: tuple[str, ...] = DEFAULT_CHANNEL_NAMES,
        timebase: str = "host",
        block_s: float | None = 0.1,
    ) -> None:
        if timebase not in ("host", "device"):
            raise ValueError(f"Invalid value for 'timebase': host or device, got {timebase!r}")
        if block_s is not None and not block_s > 0:
            raise ValueError(f"Invalid value for 'block_s': must be > 0 or None, got {block_s}")
        self.initial_info = info or StreamInfo()
        self.names = names
        self.timebase = timebase
        self.block_s = block_s
        self.reset()

    def reset(self) -> None:
        """Back to a fresh stream."""
        self.info = self.initial_info
        self.stats = ReassemblyStats()
        self.clock = ClockMap()
        self._last_seq = -1  # none yet
        self._next_t_us = 0  # device time (µs, u32) expected for the next frame
        self._device_s = 0.0  # unwrapped device time in s of the next expected sample
        self._stream_s = 0.0  # stream time in s of the next expected sample (survives restarts)
        self._next_index = 0  # sample index of the next expected sample
        self._last_host_s = 0.0
        # host timebase: (time s, sample index, rate Hz) the current run of samples counts from
        self._anchor: tuple[float, int, float] | None = None
        self._pending: list[tuple[SampleFrame, float]] = []
        self._gave_up = False  # no status frame came in time: the stream's frames go on unheld
        self._jumps: list[tuple[SampleFrame, float]] = []  # frames waiting for confirmation
        self._status_candidate: StreamInfo | None = None
        self._last_n = 0  # samples per channel of the last accepted frame
        self._last_frame: SampleFrame | None = None
        self._relinked = False
        self._first_after_link = False  # the next sample frame is the first on a new link
        self._names: dict[tuple[int, int], tuple[str, ...]] = {}
        self._rejected_run = 0
        self._last_rejected_seq = -1
        self._window = BlockWindow(self.block_s)

    @property
    def held(self) -> int:
        """Sample frames held back while waiting for the first status frame."""
        return len(self._pending)

    def link_reset(self) -> None:
        """The link was re-established: the board may have restarted while it was down."""
        self._relinked = True
        self._first_after_link = True

    def feed(self, frames: list[object], host_s: float) -> list[Block]:
        """Take frames decoded from bytes received at host time ``host_s`` (s)."""
        blocks: list[Block] = []
        accepted = False
        for frame in frames:
            if isinstance(frame, SampleFrame):
                if self._hold(frame):
                    self._pending.append((frame, host_s))
                    continue
                if self._pending:
                    blocks += self._release()
                accepted = self._sample(frame, host_s, blocks) or accepted
            elif isinstance(frame, StatusFrame):
                self._status(frame, blocks)
                blocks += self._release()
        if accepted:
            # The newest frame of a chunk waited least in buffers: it anchors the clock best.
            self.clock.update(self._device_s, host_s)
        return blocks

    def flush(self) -> list[Block]:
        """Emit the samples of the unfinished window (end of stream or link loss).

        Frames still waiting for confirmation are kept only if they continue the timeline
        exactly as their sequence numbers say (lost frames of the usual size, no time jump).
        """
        blocks = self._release()
        jumps, self._jumps = self._jumps, []
        for frame, host_s in jumps:
            if self._exact_jump(frame):
                self._place(frame, host_s, self._gap_before(frame, host_s), blocks)
            else:
                self.stats.implausible += 1
        return blocks + self._window.flush()

    def _hold(self, frame: SampleFrame) -> bool:
        """True while sample frames wait for the first status frame: until the frames held
        span ``STATUS_WAIT_S`` of device time (read from their ``t_us``: no rate is needed) or
        number ``HOLD_FRAMES``. Once given up, the rest of the stream is not held again."""
        if self.info.confirmed or self._gave_up:
            return False
        if self._pending:
            first = self._pending[0][0]
            span_us = (int(frame.t_us) - int(first.t_us)) % DEVICE_US_MOD
            if span_us < DEVICE_US_MOD // 2 and span_us >= STATUS_WAIT_S * 1e6:
                self._gave_up = True
            elif len(self._pending) >= HOLD_FRAMES:
                self._gave_up = True
        return not self._gave_up

    def _release(self) -> list[Block]:
        """Process the frames held while waiting for the first status frame."""
        pending, self._pending = self._pending, []
        blocks: list[Block] = []
        for frame, host_s in pending:
            self._sample(frame, host_s, blocks)
        return blocks

    def _status(self, frame: StatusFrame, blocks: list[Block]) -> None:
        rate, bits = int(frame.sample_rate_hz), int(frame.adc_bits)
        if not (MIN_RATE_HZ <= rate <= MAX_RATE_HZ and 8 <= bits <= 16):
            self.stats.bad_status += 1
            logger.warning("ignoring a status frame with rate %d Hz, %d ADC bits", rate, bits)
            return
        signal = frame.signal if frame.signal in ("raw", "env") else "raw"
        rep = Representation(signal, "counts", bits)
        info = StreamInfo(
            fs=float(rate),
            representation=rep,
            firmware=frame.firmware,
            battery_pct=int(frame.battery_pct),
            lost_samples=int(frame.lost_samples),
            confirmed=True,
            channel_mask=int(frame.channel_mask),
        )
        key = (info.fs, info.representation, info.channel_mask)
        if self.info.confirmed and key != (
            self.info.fs,
            self.info.representation,
            self.info.channel_mask,
        ):
            # A change of rate, bits, signal or channels is believed when the next status
            # frame says the same (a corrupt status frame would bend the whole timeline).
            cand = self._status_candidate
            self._status_candidate = info
            if cand is None or key != (cand.fs, cand.representation, cand.channel_mask):
                return
        self._status_candidate = None
        if (info.fs, info.representation) != (self.info.fs, self.info.representation):
            logger.info("stream: %g Hz, %s", info.fs, rep.to_dict())
            blocks += self._window.flush()
        self.info = info

    def _sample(self, frame: SampleFrame, host_s: float, blocks: list[Block]) -> bool:
        """Check one frame and place it on the sample clock (now, or once confirmed);
        completed blocks go to ``blocks``. True if a frame was placed."""
        info = self.info
        samples = frame.samples
        if info.confirmed and (
            (info.channel_mask and int(frame.channel_mask) != info.channel_mask)
            or (samples.size and int(samples.max()) > info.max_count)
        ):
            self.stats.implausible += 1
            return False
        if self._last_seq < 0:
            return self._place(frame, host_s, 0, blocks)
        seq = int(frame.seq) & 0xFFFF
        if self._continues(frame, host_s):
            self._drop_jumps()
            return self._place(frame, host_s, 0, blocks)
        step = (seq - self._last_seq) % SEQ_MOD
        first_after_link, self._first_after_link = self._first_after_link, False
        if first_after_link and self._repeats_last(frame):
            # bleak hands the last (cached) notification over again on the new link.
            self.stats.duplicates += 1
            return False
        if not self._relinked and (step == 0 or SEQ_MOD - step <= STALE_WINDOW):
            if self._restart_run(seq):
                self._drop_jumps()
                return self._place(frame, host_s, self._restart(host_s), blocks)
            # Not newer than the newest frame: a repeated or late notification.
            if step == 0:
                self.stats.duplicates += 1
            else:
                self.stats.stale += 1
            return False
        if self._jumps and self._exact_jump(frame) and self._place_between(frame, host_s, blocks):
            return self._place(frame, host_s, self._gap_before(frame, host_s), blocks)
        # A jump: believed once a later frame continues one of the frames held.
        for held, held_host_s in self._jumps:
            if self._follows(held, frame) and self._jump_agrees(held):
                self.stats.implausible += len(self._jumps) - 1
                self._jumps = []
                self._place(held, held_host_s, self._gap_before(held, held_host_s), blocks)
                return self._place(frame, host_s, self._gap_before(frame, host_s), blocks)
        self._jumps.append((frame, host_s))
        if len(self._jumps) > MAX_UNCONFIRMED:
            del self._jumps[0]
            self.stats.implausible += 1
        return False

    def _place_between(self, frame: SampleFrame, host_s: float, blocks: list[Block]) -> bool:
        """``frame`` lies exactly where its sequence number puts it on the sample clock, and
        frames held as unconfirmed jumps carry the numbers between, each within half a frame of
        its place: their numbers are right and their device times slightly damaged (a CRC
        miss; the same damage in two frames can make them confirm each other). They are placed
        where their numbers say, the rest of the held frames dropped. False (nothing placed)
        if no held frame lies between."""
        step = (int(frame.seq) - self._last_seq) % SEQ_MOD
        fs = self.info.fs
        between: dict[int, tuple[SampleFrame, float]] = {}
        for held, held_host_s in self._jumps:
            k = (int(held.seq) - self._last_seq) % SEQ_MOD
            if not (0 < k < step and held.samples.shape[1] == self._last_n):
                continue
            off_us = self._late_us(int(held.t_us) & 0xFFFFFFFF) - (k - 1) * self._last_n * 1e6 / fs
            if abs(off_us) * fs < 5e5 * self._last_n:  # within half a frame of its place
                between.setdefault(k, (held, held_host_s))
        if not between or host_s - self._last_host_s >= MAX_DEVICE_GAP_S:
            return False
        self.stats.implausible += len(self._jumps) - len(between)
        self._jumps = []
        n, done = self._last_n, 0
        for k in sorted(between):
            held, held_host_s = between[k]
            missing = k - done - 1
            gap = missing * n
            if missing:
                self.stats.lost_frames += missing
                self._device_s += gap / fs
            t_us = (self._next_t_us + round(gap * 1e6 / fs)) & 0xFFFFFFFF
            self._place(replace(held, t_us=t_us), held_host_s, gap, blocks)
            done = k
        return True

    def _drop_jumps(self) -> None:
        self.stats.implausible += len(self._jumps)
        self._jumps = []

    def _repeats_last(self, frame: SampleFrame) -> bool:
        """The frame is the last accepted one again: same seq, device time, channels, samples.

        Checked only on the first sample frame of a new link: a restarted board sends its own
        first frame then, not the last one heard before the link went down.
        """
        last = self._last_frame
        return (
            last is not None
            and int(frame.seq) & 0xFFFF == self._last_seq
            and int(frame.t_us) == int(last.t_us)
            and int(frame.channel_mask) == int(last.channel_mask)
            and np.array_equal(frame.samples, last.samples)
        )

    def _late_us(self, t_us: int) -> int:
        """Device time of a frame minus the time the sample clock expects, µs (signed)."""
        late = (t_us - self._next_t_us) % DEVICE_US_MOD
        return late - DEVICE_US_MOD if late >= DEVICE_US_MOD // 2 else late

    def _continues(self, frame: SampleFrame, host_s: float) -> bool:
        """The frame is the next one, where the sample clock expects it (within half a sample)."""
        return (
            int(frame.seq) & 0xFFFF == (self._last_seq + 1) & 0xFFFF
            and abs(self._late_us(int(frame.t_us) & 0xFFFFFFFF)) * self.info.fs < 5e5
            and not self._relinked
            and host_s - self._last_host_s < MAX_DEVICE_GAP_S
        )

    def _exact_jump(self, frame: SampleFrame) -> bool:
        """The frame lies ahead exactly where its sequence number puts it (lost frames of the
        usual size, no samples dropped by the device, no time jump)."""
        step = (int(frame.seq) - self._last_seq) % SEQ_MOD
        if self._relinked or not 0 < step <= STALE_WINDOW:
            return False
        expected_us = (step - 1) * self._last_n * 1e6 / self.info.fs
        return abs(self._late_us(int(frame.t_us) & 0xFFFFFFFF) - expected_us) * self.info.fs < 5e5

    def _jump_agrees(self, frame: SampleFrame) -> bool:
        """A jump's sequence step and device time do not contradict each other: a frame several
        numbers ahead whose device time puts it exactly where the next frame belongs carries a
        damaged number (two such frames in a row, both missed by the CRC, are not believed)."""
        step = (int(frame.seq) - self._last_seq) % SEQ_MOD
        if step <= 1:
            return True
        return abs(self._late_us(int(frame.t_us) & 0xFFFFFFFF)) * self.info.fs >= 5e5

    def _follows(self, held: SampleFrame, frame: SampleFrame) -> bool:
        """``frame`` continues ``held``: a few sequence numbers later and, on the sample clock,
        exactly as many frames of ``held``'s size later (within half a sample)."""
        step = (int(frame.seq) - int(held.seq)) % SEQ_MOD
        if not 0 < step <= STALE_WINDOW:
            return False
        n = held.samples.shape[1]
        late_us = (int(frame.t_us) - int(held.t_us)) % DEVICE_US_MOD
        return abs(late_us - step * n * 1e6 / self.info.fs) * self.info.fs < 5e5

    def _place(self, frame: SampleFrame, host_s: float, gap: int, blocks: list[Block]) -> bool:
        """Put a frame on the sample clock after ``gap`` missing samples."""
        seq, t_us = int(frame.seq) & 0xFFFF, int(frame.t_us) & 0xFFFFFFFF
        fs = self.info.fs
        samples = frame.samples
        n = samples.shape[1]
        start = self._next_index + gap
        if gap:
            self.stats.gaps += 1
            self.stats.gap_samples += gap
            self._stream_s += gap / fs
        clock = self.clock
        if not clock.ready:  # the frame arrived once its last sample was taken
            clock.update(self._device_s + n / fs, host_s)
        t0 = self._host_t0(start, gap, fs) if self.timebase == "host" else self._stream_s
        self._last_seq = seq
        self._last_n = n
        self._last_frame = frame
        self._rejected_run = 0
        self._next_t_us = (t_us + round(n * 1e6 / fs)) & 0xFFFFFFFF
        self._device_s += n / fs
        self._stream_s += n / fs
        self._next_index = start + n
        self._last_host_s = host_s
        self.stats.frames += 1
        self.stats.samples += n
        key = (frame.channel_mask, samples.shape[0])
        names = self._names.get(key)
        if names is None:
            names = channel_names(int(frame.channel_mask), self.names)
            if len(names) != samples.shape[0]:
                names = tuple(f"ch{i}" for i in range(samples.shape[0]))
            self._names[key] = names
        self._window.add(samples, start, t0, gap, fs, names, blocks)
        return True

    def _host_t0(self, start: int, gap: int, fs: float) -> float:
        """Host time in s of sample ``start`` (after ``gap`` missing samples), on the one time
        axis of the stream: strictly increasing, n/fs s per n samples between gaps.

        Within a run of samples the time is the sample clock's (the pipeline counts time in
        samples between gaps, and a backlog flushed in a burst arrives faster than real time:
        its host arrival times say nothing of when it was sampled). A gap lasts at least its
        samples' time; if the host clock map puts the next sample later (a board clock that
        runs slow, a restart sized by the host clock), the gap is that much longer, so the
        axis catches up at gaps and never runs back.
        """
        anchor = self._anchor
        if anchor is None:  # the first sample: the host clock map (its arrival, so far)
            self._anchor = (self.clock.to_host(self._device_s), start, fs)
            return self._anchor[0]
        t_anchor, i_anchor, fs_anchor = anchor
        if gap or fs != fs_anchor:
            end = t_anchor + (start - gap - i_anchor) / fs_anchor  # after the last sample placed
            t = end + gap / fs
            if gap:
                t = max(t, self.clock.to_host(self._device_s))
            self._anchor = (t, start, fs)
            return t
        return t_anchor + (start - i_anchor) / fs_anchor

    def _gap_before(self, frame: SampleFrame, host_s: float) -> int:
        """Samples missing before a frame that is not simply the next one (believed jump)."""
        seq, t_us = int(frame.seq) & 0xFFFF, int(frame.t_us) & 0xFFFFFFFF
        fs = self.info.fs
        step = (seq - self._last_seq) % SEQ_MOD
        late_us = self._late_us(t_us)
        forward = 0 < step < SEQ_MOD // 2 and late_us * fs > -5e5  # within half a sample
        self._relinked = False
        if forward and host_s - self._last_host_s < MAX_DEVICE_GAP_S:
            gap = max(0, round(late_us * fs / 1e6))
            if step > 1:
                self.stats.lost_frames += step - 1
                gap = max(gap, 1)
            self._device_s += gap / fs
            return gap
        return self._restart(host_s)

    def _restart_run(self, seq: int) -> bool:
        """True once RESTART_RUN rejected frames in a row carry consecutive sequence numbers."""
        consecutive = seq == (self._last_rejected_seq + 1) % SEQ_MOD
        self._rejected_run = self._rejected_run + 1 if consecutive else 1
        self._last_rejected_seq = seq
        return self._rejected_run >= RESTART_RUN

    def _restart(self, host_s: float) -> int:
        """The device restarted (or the link was down for long): size the gap by host time."""
        self.stats.restarts += 1
        expected_host = self.clock.to_host(self._device_s)
        gap = max(round((host_s - expected_host) * self.info.fs), 1)
        logger.warning("device clock restarted; gap of %d samples from host time", gap)
        self.clock.reset()
        self._device_s = 0.0
        return gap
