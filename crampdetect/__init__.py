"""crampdetect: streaming surface-EMG calf-cramp detection.

The data flow is visible in the sub-packages: ``ingest`` (bytes -> frames -> blocks),
``filters``, ``features``, ``detect`` (events and quality), ``alerts``, ``storage``,
``reports``; ``simulate`` makes labelled synthetic sessions. Importing this package is
light: numpy only, no bleak, pyserial, matplotlib or scikit-learn.
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
