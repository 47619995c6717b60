"""crampdetect: streaming surface-EMG calf-cramp detection.

The data flow is visible in the sub-packages: ``ingest`` (bytes -> frames -> blocks),
``filters``, ``features``, ``detect`` (events and quality), ``alerts``, ``storage``. On top,
``pipeline`` drives them (files, replays, live monitoring, bulk runs), ``evaluate`` scores
labelled recordings and trains the gate, ``reports`` writes human reports and ``cli`` is the
command line; ``simulate`` makes labelled synthetic sessions and ``testing`` is the stage
conformance kit. Imports run one way, from the top down. Importing this package is light:
numpy only, no bleak, pyserial, matplotlib or scikit-learn.
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

__all__ = [
    "Block",
    "CrampDetectError",
    "Event",
    "InputError",
    "QualityInterval",
    "Representation",
    "__version__",
]
