"""What produced a result: the ``provenance`` block of ``detect --json`` and ``evaluate --json``.

One helper for both, so a result file says which crampdetect, profile, detector settings (those
that differ from the profile's defaults, ``--set`` included), learned gate and calibration user
made it, and a run can be repeated or two results compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def provenance(
    profile: str | None,
    signal: str | None = "raw",
    overrides: Mapping[str, object] | None = None,
    model: Any = None,
    user: str | None = None,
) -> dict[str, Any]:
    """The ``provenance`` block of a result.

    Parameters
    ----------
    profile : str or None
        Profile the recording was scored with; None when each recording's own decides
        (``evaluate`` without ``--profile``): then ``settings`` holds one such dict per
        profile.
    signal : {"raw", "env"} or None
        Signal type (the envelope's defaults differ); None: each recording's own (a setting
        is listed if it differs from the default of either).
    overrides : mapping
        Settings given with ``--set`` (name -> value): ``settings`` lists those that change
        the profile's default (name -> value used).
    model : CrampModel, path or None
        The learned gate in use: its kind and checksum, None for rules only.
    user : str or None
        Calibration user, if any.
    """
    # lazy: the CLI imports this module at start; the settings load only for a result
    from crampdetect import __version__
    from crampdetect.core import PROFILES, SIGNALS
    from crampdetect.detect.settings import profile_settings

    def changed(name: str) -> dict[str, object]:
        defaults = [profile_settings(name, s) for s in ([signal] if signal else SIGNALS)]
        return {
            key: value
            for key, value in sorted((overrides or {}).items())
            if any(getattr(d, key) != value for d in defaults)
        }

    return {
        "crampdetect": __version__,
        "profile": profile or "per recording (its labels)",
        "settings": changed(profile) if profile else {p: changed(p) for p in PROFILES},
        "model": model_id(model),
        "user": user,
    }


def model_id(model: Any) -> dict[str, str] | None:
    """A learned gate as ``{"kind", "sha256"}`` (the checksum its header signs), None if none."""
    if model is None:
        return None
    if isinstance(model, str | Path):
        from crampdetect.detect.model import load_model  # lazy: only for a model path

        model = load_model(model)
    header = getattr(model, "header", {}) or {}
    return {"kind": str(model.kind), "sha256": str(header.get("payload_sha256", ""))}
