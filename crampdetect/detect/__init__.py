"""From feature frames to events and quality flags: the streaming decisions.

- ``cramp``: ``CrampDetector`` (rules, optional learned gate) -> ``FrameEvent``;
- ``early_warning``: ``EarlyWarning``, a raised resting floor before a cramp (night);
- ``baseline``: ``BaselineTracker``, resting level and activity reference per channel;
- ``quality``: ``QualityMonitor``, lead-off, saturation, mains, pops, wander;
- ``intervals``, ``onset``: masks -> intervals; where a cramp began;
- ``settings``: ``DetectorSettings`` per profile and signal;
- ``model``: loading and running a trained gate (training is in ``crampdetect.evaluate``).

The package is also callable: ``crampdetect.detect(data, fs, ...)`` is
:func:`crampdetect.api.detect` (one name for the stage and the one-call API, because importing
a submodule would otherwise replace a function of that name on the ``crampdetect`` package).
"""

import sys
import types


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        from crampdetect.api import detect  # lazy: the API drives pipeline/, loaded on call

        return detect(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
