"""Device clock (µs counter) to host clock (s) mapping with drift correction.

The host receives a frame some time after the device stamped it: ``host = offset +
(1 + drift) * device + latency`` with latency >= 0 and jittery (USB polling, BLE connection
intervals, OS scheduling). :class:`ClockMap` fits the drift by recursive least squares
with forgetting, and places the line on the lower envelope of the points (the frames that
had the least latency), so jitter does not push the mapped times late.

Frames that arrive far later than the envelope says (``late_s``: a backlog the board flushes
in a burst after a reconnect, a host that stalled) tell nothing of the drift: their latency
falls by one second per second of the burst, which a fit would read as a clock running at a
fraction of its rate. They are left out of the fit, and the drift is bounded by ``max_drift``
(far beyond any crystal or ceramic resonator), so a source played faster than real time
cannot bend the map either.
"""

from __future__ import annotations

import math

#: Frames over which the drift fit forgets (e.g. 2000 frames of 20 ms = 40 s).
DEFAULT_MEMORY_FRAMES = 2000
#: Rate in s/s at which the lower envelope may rise again (lets a lasting latency step in).
DEFAULT_ENVELOPE_LEAK = 2e-4
#: A frame this many s later than the lower envelope is a late delivery, left out of the fit.
DEFAULT_LATE_S = 0.25
#: Largest drift believed, s/s (1 %: a ceramic resonator is within 0.5 %).
DEFAULT_MAX_DRIFT = 0.01


class ClockMap:
    """Running map from device seconds to host seconds.

    Parameters
    ----------
    memory_frames : int
        Effective window of the drift fit, in observations.
    envelope_leak : float
        How fast (s per s of device time) the offset may rise when latency grows for good.
    late_s : float
        Observations more than this many s above the lower envelope (a backlog delivered in
        a burst) are left out of the drift fit.
    max_drift : float
        Bound of the drift estimate, s/s.

    Examples
    --------
    >>> clock = ClockMap()
    >>> for k in range(100):
    ...     clock.update(k * 0.02, 5.0 + k * 0.02 * 1.0001 + (0.004 if k % 3 else 0.0))
    >>> round(clock.to_host(2.0), 4)
    7.0002
    """

    def __init__(
        self,
        memory_frames: int = DEFAULT_MEMORY_FRAMES,
        envelope_leak: float = DEFAULT_ENVELOPE_LEAK,
        late_s: float = DEFAULT_LATE_S,
        max_drift: float = DEFAULT_MAX_DRIFT,
    ) -> None:
        if memory_frames < 2:
            raise ValueError(
                f"Invalid value for 'memory_frames': must be >= 2, got {memory_frames}"
            )
        if not late_s > 0:
            raise ValueError(f"Invalid value for 'late_s': must be > 0, got {late_s}")
        if not 0 <= max_drift < 1:
            raise ValueError(f"Invalid value for 'max_drift': must be in [0, 1), got {max_drift}")
        self.memory_frames = memory_frames
        self.envelope_leak = envelope_leak
        self.late_s = late_s
        self.max_drift = max_drift
        self.reset()

    def reset(self) -> None:
        """Forget everything (device restarted: its clock has a new origin)."""
        self._forget = 1.0 - 1.0 / self.memory_frames
        self._n = 0
        self._d0 = 0.0  # first device time, keeps the numbers small
        self._h0 = 0.0
        # Exponentially weighted sums of x = device - d0, y = host - h0 - x.
        self._sw = self._sx = self._sy = self._sxx = self._sxy = 0.0
        self._drift = 0.0
        self._envelope = math.inf
        self._last_x = 0.0

    @property
    def ready(self) -> bool:
        """True once at least one point was seen."""
        return self._n > 0

    @property
    def drift_ppm(self) -> float:
        """Estimated rate error of the device clock, in parts per million (host/device - 1)."""
        return self._drift * 1e6

    def update(self, device_s: float, host_s: float) -> None:
        """Add one observation: a frame stamped ``device_s`` was received at ``host_s``."""
        if self._n == 0:
            self._d0, self._h0 = device_s, host_s
        x = device_s - self._d0
        y = host_s - self._h0 - x
        leaked = self._envelope + self.envelope_leak * max(x - self._last_x, 0.0)
        f = self._forget
        if self._n and y - self._drift * x > leaked + self.late_s:
            # A late delivery (a backlog in a burst) says nothing of the drift: it is not
            # fitted, but the fit still forgets and the envelope still leaks, so a latency
            # that grew for good is let in as before.
            self._sw, self._sx, self._sy = f * self._sw, f * self._sx, f * self._sy
            self._sxx, self._sxy = f * self._sxx, f * self._sxy
            self._envelope, self._last_x = leaked, x
            return
        self._sw = f * self._sw + 1.0
        self._sx = f * self._sx + x
        self._sy = f * self._sy + y
        self._sxx = f * self._sxx + x * x
        self._sxy = f * self._sxy + x * y
        self._n += 1
        var = self._sxx * self._sw - self._sx * self._sx
        span = x - (self._sx / self._sw)
        # Fit the slope only once the points span enough device time to be meaningful.
        if self._n >= 8 and var > 0.0 and abs(span) > 1.0:
            slope = (self._sxy * self._sw - self._sx * self._sy) / var
            self._drift = min(max(slope, -self.max_drift), self.max_drift)
        residual = y - self._drift * x
        self._envelope = min(leaked, residual)
        self._last_x = x

    def to_host(self, device_s: float) -> float:
        """Host time in s of a device time in s (identity before the first update)."""
        if self._n == 0:
            return device_s
        x = device_s - self._d0
        return self._h0 + x * (1.0 + self._drift) + self._envelope
