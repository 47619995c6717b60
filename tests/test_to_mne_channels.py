"""``to_mne``: the annotations of one channel (events, quality, ground-truth labels) are bound
to it (``Annotations.ch_names``), which MNE keeps through a FIF file read back by MNE; a path is
opened, anything else is a clear TypeError; docs/recordings.md names every annotation form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO

import crampdetect
from crampdetect.core import Event, QualityInterval
from crampdetect.storage.formats import to_mne


def _annotations(raw) -> list[tuple[str, tuple[str, ...]]]:
    return [(str(a["description"]), tuple(a["ch_names"])) for a in raw.annotations]


def test_channel_bound_annotations_survive_a_fif_read_back_by_mne(labelled: Path, tmp_path):
    mne = pytest.importorskip("mne")
    rec = crampdetect.open(labelled / "cramp.csv")
    truth = json.loads((labelled / "cramp.labels.json").read_text())
    cramp = next(i for i in truth["intervals"] if i["kind"] == "cramp")
    leg = cramp["channel"]
    other = next(c for c in rec.channels if c != leg)
    t0 = rec.t_start
    rec.events = [Event(leg, "cramp", t0 + 30.0, t0 + 38.0, end_s=t0 + 60.0)]
    rec.quality = [QualityInterval(other, "lead_off", t0 + 10.0, t0 + 12.0)]
    raw = to_mne(rec)
    raw.save(tmp_path / "cramp_raw.fif", verbose=False)
    back = mne.io.read_raw_fif(tmp_path / "cramp_raw.fif", verbose=False)
    shown = _annotations(back)
    assert (f"cramp/{leg}", (leg,)) in shown
    assert (f"BAD_lead_off/{other}", (other,)) in shown
    labels = [(text, chans) for text, chans in shown if text.startswith("label ")]
    assert labels and all(chans == (text.split(" ")[2],) for text, chans in labels), labels
    assert any(text.startswith(f"label cramp {leg}") for text, _ in labels)
    (header,) = [(t, c) for t, c in shown if t.startswith("crampdetect-labels ")]
    assert header[1] == ()  # the labels' header concerns no one channel


def test_to_mne_refuses_anything_but_an_opened_recording_in_words(labelled: Path) -> None:
    pytest.importorskip("mne")
    path = labelled / "cramp.csv"
    assert _annotations(to_mne(crampdetect.open(path)))
    for wrong, name in ((path, "PosixPath"), (str(path), "str"), (42, "int")):
        with pytest.raises(
            TypeError, match=rf"opened recording: to_mne\(crampdetect\.open\(path\)\), got {name}"
        ):
            to_mne(wrong)


def test_the_docs_name_every_annotation_form_to_mne_writes() -> None:
    row = next(
        line
        for line in (REPO / "docs" / "recordings.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| MNE `Raw`")
    )
    for form in ("`<kind>/<channel>`", "`BAD_<issue>/<channel>`", "`label <kind> <channel>",
                 "`crampdetect-labels", "`BAD_ACQ_SKIP`", "ch_names"):  # fmt: skip
        assert form in row, form
