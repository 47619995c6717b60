"""Command-line entry point: ``crampdetect <command> ...``.

Each command lives in its own module of this package and defines::

    def add_arguments(parser: argparse.ArgumentParser) -> None: ...
    def run(args: argparse.Namespace) -> int: ...

with a one-line module docstring used as its help. Commands are discovered automatically;
heavy imports belong inside ``run`` so that start-up stays fast (this is the one package
whose lazy imports need no per-line reason). Modules starting with ``_`` are helpers, not
commands: ``_statusview`` is the live terminal view of ``monitor`` and ``demo``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import pkgutil
import sys
from collections.abc import Callable, Iterator, Sequence

from crampdetect import __version__
from crampdetect.core import CrampDetectError, InputError


def _commands() -> dict[str, object]:
    mods = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        mods[info.name] = importlib.import_module(f"{__name__}.{info.name}")
    return mods


#: Optional packages and the extra of ``pyproject.toml`` that installs each.
EXTRAS = {
    "edfio": "formats",
    "soundfile": "formats",
    "matplotlib": "report",
    "dask": "dask",
    "distributed": "dask",
    "skops": "model",
    "mne": "mne",
    "pylsl": "lsl",
}


def missing_extra(exc: ModuleNotFoundError) -> str | None:
    """The one-line install advice for an optional package that is not installed."""
    top = (exc.name or "").split(".")[0]
    extra = EXTRAS.get(top)
    if extra is None:
        return None
    from crampdetect.core import install_command

    return f"this needs the optional package {top}: {install_command(extra)}"


def add_quiet_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar on stderr")


@contextlib.contextmanager
def progress(
    args: argparse.Namespace, total: float | None, desc: str, unit: str = " s signal"
) -> Iterator[Callable[[float], None]]:
    """A progress bar on stderr (seconds of signal done, by default); yields its ``update``.

    Silent with ``--quiet`` and when stderr is not a terminal (pipes, logs, CI).
    """
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        yield lambda seconds: None  # no bar, and no tqdm import (~40 ms of start-up)
        return
    from tqdm import tqdm

    # Updates come once per block (seconds of signal), few enough to draw each one; a short job
    # would otherwise end inside tqdm's 0.1 s redraw interval without ever showing progress.
    with tqdm(
        total=total,
        desc=desc,
        unit=unit,
        leave=False,
        file=sys.stderr,
        mininterval=0,
    ) as bar:
        yield lambda seconds: bar.update(round(seconds, 3))


def require(*modules: str) -> None:
    """Import optional packages now, so a missing one stops a command before its work."""
    for name in modules:
        importlib.import_module(name)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit status 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="crampdetect", description="Calf-cramp detection from surface EMG.")
    parser.add_argument("--version", action="version", version=f"crampdetect {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, mod in _commands().items():
        doc = (mod.__doc__ or name).strip().splitlines()[0]
        p = sub.add_parser(name, help=doc, description=doc)
        mod.add_arguments(p)  # type: ignore[attr-defined]
        p.set_defaults(_run=mod.run)  # type: ignore[attr-defined]
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
        force=True,  # bind to this call's stderr (main() may run more than once in a process)
    )
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except (InputError, CrampDetectError, OSError) as exc:
        if args.debug:
            raise
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"crampdetect {args.command}: error: {msg}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug: say so in one line; --debug shows the traceback
        if args.debug:
            raise
        if isinstance(exc, ModuleNotFoundError) and (advice := missing_extra(exc)):
            print(f"crampdetect {args.command}: error: {advice}", file=sys.stderr)
            return 2
        print(
            f"crampdetect {args.command}: internal error: {type(exc).__name__}: {exc} "
            "(run with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
