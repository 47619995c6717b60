"""crampdetect: streaming surface-EMG calf-cramp detection.

The data flow is visible in the sub-packages: ``ingest`` (bytes -> frames -> blocks),
``filters``, ``features``, ``detect`` (events and quality), ``alerts``, ``storage``. On top,
``pipeline`` drives them (files, replays, live monitoring, bulk runs), ``evaluate`` scores
labelled recordings and trains the gate, ``reports`` writes human reports and ``cli`` is the
command line; ``simulate`` makes labelled synthetic sessions and ``testing`` holds the stage
conformance kit and a fake BLE radio (``testing.ble``). Imports run one way, from the top
down. Importing this package is light: numpy only, no bleak, pyserial, matplotlib or
scikit-learn.

One call on an array, any recording or its path (:mod:`crampdetect.api`; several:
:mod:`crampdetect.many`; loaded on first use)::

    result = crampdetect.detect(emg_uv, fs=1000, profile="night", units="uV")
    result = crampdetect.detect(crampdetect.open("night.edf"))
    result = crampdetect.detect("night.edf", channels=["calf_left"])  # as `detect --channels`
    result = crampdetect.detect("night.edf", settings={"slow_s": 9}, user="anna")  # --set, --user
    for result in crampdetect.detect_many("study/"):  # as `detect study/`: one per recording
        rows = result.table()  # a DetectionFailure (path, error) for a file that cannot be read
"""

from crampdetect.core import (
    Block,
    CrampDetectError,
    Event,
    InputError,
    QualityInterval,
    Representation,
)

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """``open`` and ``Detection`` from :mod:`crampdetect.api`, ``detect_many`` and
    ``DetectionFailure`` from :mod:`crampdetect.many`, imported on first use."""
    if name in ("open", "Detection"):
        from crampdetect import api  # lazy: `import crampdetect` stays light

        return getattr(api, name)
    if name in ("detect_many", "DetectionFailure"):
        from crampdetect import many  # lazy: `import crampdetect` stays light

        return getattr(many, name)
    if name == "detect":  # the detect package, callable as crampdetect.api.detect
        import crampdetect.detect  # lazy: `import crampdetect` stays light

        return crampdetect.detect
    raise AttributeError(f"module 'crampdetect' has no attribute {name!r}")


__all__ = [
    "Block",
    "CrampDetectError",
    "Detection",
    "DetectionFailure",
    "Event",
    "InputError",
    "QualityInterval",
    "Representation",
    "__version__",
    "detect",
    "detect_many",
    "open",
]
