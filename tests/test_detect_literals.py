"""No bare numeric literal decides anything in the detector's decision code (issue 10): every
threshold is a field of ``DetectorSettings`` or a named module constant (``docs/detection.md``,
"Where each number lives").

The test reads ``detect/cramp.py``, ``baseline.py``, ``onset.py`` and ``early_warning.py`` with
``ast`` and lists every numeric literal inside a function (module-level assignments are the
named constants) that takes part in a comparison, arithmetic, a boolean or conditional
expression or a call's arguments, other than the structural ones: 0, 1, 2, -1 and 0.5 (an
index, a count, a half), and numerical guards below ``GUARD`` in size (a floor before a log, a
nudge before a ceiling: never a threshold). What remains must be in ``ALLOWED`` with a reason.
A new threshold written as a literal fails here: make it a setting (with its unit and bounds)
or a named constant, and document it.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

DETECT = Path(__file__).resolve().parents[1] / "crampdetect" / "detect"
FILES = ("cramp.py", "baseline.py", "onset.py", "early_warning.py")
STRUCTURAL = {0, 1, 2, -1, 0.5, -0.5}
#: Literals smaller than this in size are numerical guards (1e-9 under a log, 1e-12 above 0).
GUARD = 1e-5
#: (file, enclosing function, value) -> (occurrences, why it stays a literal).
ALLOWED: dict[tuple[str, str, float], tuple[int, str]] = {
    ("cramp.py", "_update_part", 9): (1, "the optional tenth array (rebase2) of update()'s list"),
}
#: Where a literal counts: it is used in these.
_USES = (ast.Compare, ast.BinOp, ast.AugAssign, ast.BoolOp, ast.IfExp, ast.Call, ast.keyword)


def _literals(path: Path) -> Counter:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parent = {ch: node for node in ast.walk(tree) for ch in ast.iter_child_nodes(node)}
    found: Counter = Counter()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and type(node.value) in (int, float)):
            continue
        value, at = node.value, parent.get(node)
        if isinstance(at, ast.UnaryOp) and isinstance(at.op, ast.USub):
            value, at = -value, parent.get(at)
        if isinstance(at, ast.Tuple | ast.List):  # (10, 90) given to a call
            at = parent.get(at)
        if not isinstance(at, _USES) or value in STRUCTURAL or abs(value) < GUARD:
            continue
        func, up = None, node
        while up in parent:
            up = parent[up]
            if isinstance(up, ast.FunctionDef | ast.AsyncFunctionDef) and func is None:
                func = up.name
        if func is not None:  # module level: a named constant's definition
            found[(path.name, func, value)] += 1
    return found


def test_the_scan_finds_a_bare_threshold(tmp_path: Path) -> None:
    bad = tmp_path / "cramp.py"
    bad.write_text(
        "LIMIT = 3.5\n"
        "def f(x, s):\n"
        "    y = np.log(np.maximum(x, 1e-9))  # a guard\n"
        "    return (y >= 3.5) & (x < LIMIT) & (x > s.ratio * 2) & (max(4, x) > 0)\n"
    )
    assert _literals(bad) == Counter({("cramp.py", "f", 3.5): 1, ("cramp.py", "f", 4): 1})


@pytest.mark.parametrize("name", FILES)
def test_no_bare_numeric_literal_decides(name: str) -> None:
    found = _literals(DETECT / name)
    allowed = {k: n for k, (n, _) in ALLOWED.items() if k[0] == name}
    extra = {k: n for k, n in found.items() if n > allowed.get(k, 0)}
    assert not extra, (
        f"bare numeric literals in {name} (file, function, value: count): {extra}; make each a "
        "DetectorSettings field or a named module constant, or allow it with a reason"
    )
    stale = {k for k in allowed if found.get(k, 0) < allowed[k]}
    assert not stale, f"allow-list entries no longer needed: {stale}"
