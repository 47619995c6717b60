"""A learned gate for the cramp detector: safe on-disk format, checks on load, inference.

A model folder holds ``model.json`` (header and, for the linear model, every parameter) and,
for gradient boosting, ``model.skops`` (loaded by skops with an explicit trusted-types list;
nothing is unpickled). The header stores a SHA-256 of the payload, the feature names (which
must equal :data:`~crampdetect.detect.cramp.CANDIDATE_FEATURES`), the per-profile decision
thresholds on the calibrated probability, the sample rates and signal types seen in training,
library versions and the seed. :func:`load_model` refuses, with an
:class:`~crampdetect.core.InputError`, anything that does not match.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crampdetect.core import InputError
from crampdetect.detect.cramp import CANDIDATE_FEATURES

log = logging.getLogger(__name__)

FORMAT = "crampdetect-gate/1"
HEADER_NAME = "model.json"
SKOPS_NAME = "model.skops"
KINDS = ("logistic", "boosting")
#: Types skops may construct beyond its own defaults (numpy, scikit-learn estimators).
TRUSTED_TYPES = ("sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",)
#: Where the shipped models live (``models/`` of the package checkout).
MODELS_DIR = Path(__file__).resolve().parents[2] / "models"
#: The model that ships with the package checkout.
SHIPPED_MODEL = MODELS_DIR / "gate-v2"
#: Whether ``--model`` defaults to the shipped model (see models/gate-v2/card.md).
DEFAULT_IS_SHIPPED = False


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def library_versions() -> dict[str, str]:
    """Versions of the libraries a model's numbers depend on."""
    import sklearn

    out = {"numpy": np.__version__, "scikit-learn": sklearn.__version__}
    try:
        import skops

        out["skops"] = skops.__version__
    except ImportError:  # pragma: no cover - skops is an optional extra
        pass
    return out


def _major_minor(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split(".")[:2] if p.isdigit())


@dataclass
class CrampModel:
    """A calibrated classifier of unsure cramp candidates with per-profile thresholds.

    ``score(X)`` is the raw model output (logit of the linear model or the boosting decision
    function); ``probability(X)`` maps it through the sigmoid calibration ``a * s + b``.
    """

    kind: str
    thresholds: dict[str, float]
    calibration: tuple[float, float]
    header: dict[str, Any] = field(default_factory=dict)
    linear: dict[str, np.ndarray] | None = None
    estimator: Any = None

    def score(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float).reshape(-1, len(CANDIDATE_FEATURES))
        if self.kind == "logistic":
            p = self.linear
            assert p is not None
            return ((X - p["mean"]) / p["scale"]) @ p["coef"] + p["intercept"]
        if not len(X):  # scikit-learn refuses an empty batch
            return np.zeros(0)
        # lazy: a scikit-learn dependency, only needed by boosting models.
        from threadpoolctl import threadpool_limits

        # One thread: a handful of rows per call, and OpenMP's thread start-up on a busy
        # machine cost ~1 s per call (5 ms with one thread; benchmarks/model.md).
        with threadpool_limits(limits=1, user_api="openmp"):
            return np.asarray(self.estimator.decision_function(X), dtype=float)

    def probability(self, X: np.ndarray) -> np.ndarray:
        """Calibrated probability that each candidate row is a cramp."""
        a, b = self.calibration
        return 1.0 / (1.0 + np.exp(-(a * self.score(X) + b)))

    def gate(self, profile: str) -> Callable[[np.ndarray], np.ndarray]:
        """A detector gate: accepts the rows whose probability reaches the profile threshold."""
        if profile not in self.thresholds:
            raise InputError(f"model has no threshold for profile {profile!r}")
        threshold = self.thresholds[profile]

        def accept(X: np.ndarray) -> np.ndarray:
            return self.probability(X) >= threshold

        return accept


def save_model(
    out_dir: str | Path,
    kind: str,
    thresholds: dict[str, float],
    calibration: tuple[float, float],
    meta: dict[str, Any],
    linear: dict[str, np.ndarray] | None = None,
    estimator: Any = None,
) -> Path:
    """Write a model folder (``model.json`` and, for boosting, ``model.skops``).

    ``meta`` holds the training description: ``sample_rate_hz`` [min, max] (Hz),
    ``signals``, ``seed``, ``training_data`` and anything else worth keeping.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown model kind {kind!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    header: dict[str, Any] = {
        "format": FORMAT,
        "kind": kind,
        "features": list(CANDIDATE_FEATURES),
        "thresholds": {k: float(v) for k, v in thresholds.items()},
        "calibration": [float(calibration[0]), float(calibration[1])],
        "libraries": library_versions(),
        **meta,
    }
    if kind == "logistic":
        assert linear is not None
        params = {k: np.asarray(v, dtype=float).tolist() for k, v in linear.items()}
        header["parameters"] = params
        (out / SKOPS_NAME).unlink(missing_ok=True)  # a boosting model's payload written before
        payload = _canonical(_signed_part(header))
    else:
        import skops.io as sio

        path = out / SKOPS_NAME
        sio.dump(estimator, path)
        header["payload_file"] = SKOPS_NAME
        payload = path.read_bytes() + _canonical(_signed_part(header))
    header["payload_sha256"] = _sha256(payload)
    (out / HEADER_NAME).write_text(json.dumps(header, indent=1) + "\n")
    return out


def _signed_part(header: dict[str, Any]) -> dict[str, Any]:
    """Everything in the header that the checksum covers (all but the checksum itself)."""
    return {k: v for k, v in header.items() if k != "payload_sha256"}


def _payload_path(header_path: Path, name: object) -> Path:
    """The payload file named in a header; it must be a file inside the model's folder."""
    folder = header_path.parent.resolve()
    rel = Path(str(name))
    path = (folder / rel).resolve()
    if rel.is_absolute() or ".." in rel.parts or path.parent != folder:
        raise InputError(
            f"{header_path}: payload file {str(name)!r} must be a file name inside the model folder"
        )
    return path


def load_model(path: str | Path) -> CrampModel:
    """Load and verify a model folder (or its ``model.json``); a shipped model by its name.

    Raises
    ------
    InputError
        Missing or unreadable files, another format, a feature list other than
        :data:`CANDIDATE_FEATURES`, incompatible library versions, a checksum that does not
        match (tampered or corrupt), or parameters of the wrong shape.
    """
    p = Path(path)
    if not p.exists() and (MODELS_DIR / p.name / HEADER_NAME).is_file():
        p = MODELS_DIR / p.name  # a shipped model by name (gate-v2, models/gate-v2), any cwd
    header_path = p / HEADER_NAME if p.is_dir() else p
    if not header_path.is_file():
        raise InputError(f"{p}: no model here (expected {HEADER_NAME})")
    try:
        header = json.loads(header_path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{header_path}: not a model header ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError(f"{header_path}: not a {FORMAT} model file")
    if header.get("features") != list(CANDIDATE_FEATURES):
        raise InputError(
            f"{header_path}: model features {header.get('features')} do not match this "
            f"detector's {list(CANDIDATE_FEATURES)}; retrain with `crampdetect train`"
        )
    _check_versions(header_path, header.get("libraries", {}))
    kind = header.get("kind")
    if kind not in KINDS:
        raise InputError(f"{header_path}: unknown model kind {kind!r}")
    signed = _canonical(_signed_part(header))
    estimator = None
    if kind == "boosting":
        blob_path = _payload_path(header_path, header.get("payload_file", SKOPS_NAME))
        if not blob_path.is_file():
            raise InputError(f"{header_path}: payload file {blob_path.name} is missing")
        blob = blob_path.read_bytes()
        signed = blob + signed
    if _sha256(signed) != header.get("payload_sha256"):
        raise InputError(f"{header_path}: checksum mismatch: the model was modified or corrupted")
    linear = None
    try:
        if kind == "boosting":
            estimator = _load_skops(blob)
        else:
            linear = {k: np.asarray(v, dtype=float) for k, v in header["parameters"].items()}
            n = len(CANDIDATE_FEATURES)
            if any(linear[k].shape != (n,) for k in ("mean", "scale", "coef")) or linear[
                "intercept"
            ].shape not in ((), (1,)):
                raise ValueError("parameter shapes")
            linear["intercept"] = linear["intercept"].reshape(())
        thresholds = {str(k): float(v) for k, v in header["thresholds"].items()}
        a, b = (float(v) for v in header["calibration"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{header_path}: malformed model parameters ({exc})") from None
    log.info("loaded %s gate from %s", kind, header_path)
    return CrampModel(kind, thresholds, (a, b), header, linear, estimator)


def _check_versions(where: Path, libs: dict[str, str]) -> None:
    """Refuse a model made with another major.minor scikit-learn (or skops) than installed."""
    have = library_versions()
    for name in ("scikit-learn", "skops"):
        if name in libs and name in have and _major_minor(libs[name]) != _major_minor(have[name]):
            raise InputError(
                f"{where}: made with {name} {libs[name]}, installed {have[name]}: "
                "retrain with `crampdetect train` or install the matching version"
            )


def _load_skops(blob: bytes) -> Any:
    import skops.io as sio

    try:
        untrusted = set(sio.get_untrusted_types(data=blob)) - set(TRUSTED_TYPES)
        if untrusted:
            raise InputError(f"model payload holds untrusted types: {sorted(untrusted)}")
        return sio.loads(blob, trusted=list(TRUSTED_TYPES))
    except InputError:
        raise
    except Exception as exc:  # skops raises many kinds on corrupt payloads
        raise InputError(f"model payload cannot be read safely ({type(exc).__name__})") from None


def check_recording(model: CrampModel, sample_rate_hz: float, signal: str) -> None:
    """Refuse a recording outside the sample rates or signal types the model was trained on."""
    lo, hi = model.header.get("sample_rate_hz", [0.0, float("inf")])
    if not lo <= sample_rate_hz <= hi:
        raise InputError(
            f"sample rate {sample_rate_hz:g} Hz is outside the model's training range "
            f"{lo:g}-{hi:g} Hz; use --model none"
        )
    signals = model.header.get("signals")
    if signals and signal not in signals:
        raise InputError(f"signal type {signal!r} was not in the model's training data {signals}")


def resolve_model(choice: str | None) -> CrampModel | None:
    """``--model`` value to a model: ``none``, a path, or None for the default."""
    if choice is None:
        return load_model(SHIPPED_MODEL) if DEFAULT_IS_SHIPPED else None
    if choice.lower() == "none":
        return None
    return load_model(choice)


def model_path_for(choice: str | None) -> str | None:
    """``--model`` value to a verified model path (for workers that load it themselves)."""
    if choice is None:
        return str(SHIPPED_MODEL) if DEFAULT_IS_SHIPPED else None
    if choice.lower() == "none":
        return None
    load_model(choice)  # fail early, with the loader's message
    return choice
