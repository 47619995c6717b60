"""Offline evaluation on labelled recordings and training of the learned gate.

- ``score``: score detections against ``.labels.json`` (sensitivity, latency, false alerts).
- ``train``: candidate collection and fitting of the gate model.
- ``select``: choice of the gate's threshold from out-of-fold scores.

Inference of a trained gate lives in :mod:`crampdetect.detect.model`.
"""
