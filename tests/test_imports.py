"""`import crampdetect` stays light, and the CLI starts without the heavy optional libraries."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("bleak", "serial", "matplotlib", "sklearn", "dask", "edfio", "soundfile", "scipy")


def _modules_loaded_by(code: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "; import sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _loaded(code: str) -> list[str]:
    return sorted({m.split(".")[0] for m in _modules_loaded_by(code)} & set(HEAVY))


def test_import_crampdetect_is_light():
    assert _loaded("import crampdetect") == []


def test_cli_parser_is_light():
    assert _loaded("from crampdetect.cli import build_parser; build_parser()") == []


def test_one_call_api_names_load_lazily():
    # reaching the names imports neither the pipeline nor scipy until detect() runs
    assert _loaded("import crampdetect; crampdetect.open; crampdetect.detect") == []
    # detect() may load scipy's compiled filter kernel, never scipy.signal or other heavy libraries
    assert _loaded("import crampdetect; crampdetect.detect([0.0] * 300, fs=300)") in ([], ["scipy"])
    raw = "import numpy as np, crampdetect; crampdetect.detect(np.sin(np.arange(3000.0)), fs=1000)"
    assert "scipy.signal" not in _modules_loaded_by(raw)


# -- the flow runs one way: bytes -> ... -> events -> side effects; drivers and reports on top ----

PKG = Path(__file__).resolve().parents[1] / "crampdetect"
#: Packages of the data flow: they never import the drivers, evaluation, reports or the CLI.
FLOW = ("core", "errors", "ingest", "filters", "features", "detect", "alerts", "storage")
TOP = ("pipeline", "evaluate", "reports", "cli", "api", "many")
#: The one upward import allowed: ``crampdetect.detect`` is also callable as the one-call API.
UPWARD_OK = {("crampdetect.detect", "crampdetect.api")}
#: Packages whose command modules import their work inside ``run`` so ``--help`` stays light.
LAZY_OK = ("cli",)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _imports(
    path: Path, modules: dict[str, Path], typing: bool = True
) -> list[tuple[str, int, bool]]:
    """(imported crampdetect module, line, inside a function) for every import in ``path``.

    ``typing=False`` leaves out the imports under ``if TYPE_CHECKING:`` (never run).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]

    def inside(kind: type | tuple[type, ...], test=lambda node: True) -> set[int]:
        return {
            id(node)
            for outer in ast.walk(tree)
            if isinstance(outer, kind) and test(outer)
            for node in ast.walk(outer)
        }

    lazy = inside((ast.FunctionDef, ast.AsyncFunctionDef))
    unrun = inside(ast.If, lambda n: ast.unparse(n.test).endswith("TYPE_CHECKING"))
    out = []
    for node in ast.walk(tree):
        if not typing and id(node) in unrun:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            # ``from pkg import mod`` imports the module pkg.mod
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names
            ]
        for name in names:
            if name.split(".")[0] == "crampdetect":
                out.append((name, node.lineno, id(node) in lazy))
    return out


def _package(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_flow_packages_never_import_drivers_reports_or_cli():
    modules = _modules()
    bad = [
        f"{name} imports {target} (line {line})"
        for name, path in modules.items()
        if _package(name) in FLOW
        for target, line, _ in _imports(path, modules)
        if _package(target) in TOP and (name, target) not in UPWARD_OK
    ]
    assert bad == []


def test_storage_does_not_import_alerts():
    modules = _modules()
    bad = [
        f"{name} imports {target}"
        for name, path in modules.items()
        if _package(name) == "storage"
        for target, _, _ in _imports(path, modules)
        if _package(target) == "alerts"
    ]
    assert bad == []


def test_no_import_cycles_between_files():
    modules = _modules()
    graph = {
        name: {t for t, _, _ in _imports(path, modules, typing=False) if t in modules and t != name}
        for name, path in modules.items()
    }
    # a package's __init__ is imported with each of its modules: that edge is not a cycle
    for name in graph:
        graph[name] -= {p for p in graph[name] if name.startswith(p + ".")}
    cycles = []
    for start in graph:
        stack, seen = [(start, (start,))], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(" -> ".join((*trail, start)))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, (*trail, nxt)))
    assert cycles == []


def _says_why(lines: list[str], i: int) -> bool:
    """A ``# lazy:`` comment on line ``i`` or above it, within the same block of imports."""
    while i >= 0:
        text = lines[i].strip()
        if "# lazy:" in text:
            return True
        part_of_imports = text.startswith(("from ", "import ", ")")) or text.endswith(",")
        if not part_of_imports:
            return False
        i -= 1
    return False


def test_lazy_imports_say_why():
    """An import inside a function carries a ``# lazy: <reason>`` comment on its line or above
    its block of imports."""
    modules = _modules()
    bad = []
    for name, path in modules.items():
        if _package(name) in LAZY_OK:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for _, line, inside in _imports(path, modules):
            if inside and not _says_why(lines, line - 1):
                bad.append(f"{name}:{line}")
    assert sorted(set(bad)) == []


def test_every_cli_option_says_what_it_does():
    import argparse

    from crampdetect.cli import build_parser

    silent = []
    for action in build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                silent += [
                    (command, a.option_strings or a.dest)
                    for a in sub._actions
                    if not a.help and not isinstance(a, argparse._HelpAction)
                ]
    assert silent == []
