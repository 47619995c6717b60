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
a submodule would otherwise replace a function of that name on the ``crampdetect`` package);
``help()`` and ``inspect.signature`` show that function's signature and parameters.
"""

import inspect
import sys
import types


def _api_detect():
    from crampdetect.api import detect  # lazy: the API drives pipeline/, loaded on call

    return detect


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return _api_detect()(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        """The call's signature (``inspect.signature``, IDEs): that of ``api.detect``."""
        return inspect.signature(_api_detect())

    @property
    def __doc__(self) -> str:  # type: ignore[override]
        """``help(crampdetect.detect)``: how to call it first, then what the package holds."""
        call = _api_detect()
        return (
            f"crampdetect.detect{inspect.signature(call)}\n\n"
            f"{inspect.cleandoc(call.__doc__ or '')}\n\n"
            f"The package crampdetect.detect:\n\n{inspect.cleandoc(self.__dict__['__doc__'])}"
        )

    @__doc__.setter
    def __doc__(self, text: str) -> None:
        self.__dict__["__doc__"] = text


sys.modules[__name__].__class__ = _CallableModule
