"""``monitor --json-events``: the line of a raised event and the line that ends it share an id."""

from __future__ import annotations

import json

from conftest import run_cli


def test_raised_and_ended_lines_pair_by_id(tmp_path) -> None:
    res = run_cli(
        "monitor", "sim://cramp?seed=1&speed=0", "--json-events", "--no-view", home=tmp_path
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    raised = [e for e in lines if e["end_s"] is None]
    ended = [e for e in lines if e["end_s"] is not None]
    assert any(e["kind"] == "cramp" for e in raised)
    assert all(isinstance(e["id"], int) for e in lines)
    for e in raised:  # each raised event is ended by the line with its id, same leg and kind
        (end,) = [x for x in ended if x["id"] == e["id"]]
        assert (end["channel"], end["kind"]) == (e["channel"], e["kind"])
    assert len({e["id"] for e in raised}) == len(raised)
