"""`stt-tui <command>`: the command line, a thin frontend over the use cases (service/). It may import
every package (and the engine, for `stt-tui serve`).

Without a command, `stt-tui [FOLDER]` opens the terminal UI.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from stt_tui.cli.output import EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED, EXIT_USER, err
from stt_tui.shared.paths import PathsError, resolve_paths
from stt_tui.shared.stopping import before_ending, on_stop_signals

_VALUED_GLOBALS = ("--home", "--profile")


def tui_request(argv: Sequence[str], commands: Iterable[str]) -> tuple[str | None, str | None, str] | None:
    """(home, profile, folder) when the arguments ask for the terminal UI, else None (a command)."""
    home = profile = folder = None
    args = list(argv)
    while args:
        arg = args.pop(0)
        name, eq, value = arg.partition("=")
        if name in _VALUED_GLOBALS:
            if not eq:
                if not args:
                    return None  # let argparse say the value is missing
                value = args.pop(0)
            home, profile = (value, profile) if name == "--home" else (home, value)
        elif arg.startswith("-") or arg in commands or folder is not None:
            return None
        else:
            folder = arg
    return home, profile, folder or ""


def _run_tui(home: str | None, profile_name: str | None, folder: str) -> int:
    from stt_tui.settings.config import ConfigError, choose_profile, load_config

    paths = resolve_paths(home)
    start = Path(folder).expanduser() if folder else Path.cwd()
    if not start.exists():
        err(f"{folder!r} is neither a command nor a folder; see `stt-tui --help`.")
        return EXIT_USER
    if not start.is_dir():
        start = start.parent
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        err("The terminal UI needs a terminal; in scripts use a command (see `stt-tui --help`).")
        return EXIT_USER
    try:
        config = load_config(paths.config_dir)
        profile = choose_profile(config, profile_name)
    except ConfigError as exc:
        err(str(exc))
        return EXIT_USER
    from stt_tui.tui import create_app

    before_ending(_terminal_restorer())
    app = create_app(paths, profile, start.resolve(), config=config)
    app.run()
    return app.return_code or EXIT_OK  # 1 when the app failed (its traceback is on the screen left)


# What the UI turns on and must be off again in the shell: the alternate screen, mouse reporting (every
# mode), bracketed paste and focus events; and the cursor shown.
_TERMINAL_RESET = "".join(
    f"\x1b[?{mode}l" for mode in (1049, 1000, 1002, 1003, 1006, 1015, 2004, 1004)
) + "\x1b[?25h"


def _terminal_restorer() -> Callable[[], None]:
    """How to give the terminal back as it is now, if the UI is ended without unwinding."""
    import termios

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)

    def restore() -> None:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
        os.write(sys.stdout.fileno(), _TERMINAL_RESET.encode())

    return restore


class Terminated(SystemExit):
    """SIGTERM: unwinds like Ctrl-C, so half-written files are removed and rows settled on the way."""


def _unwind(signum: int) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated(EXIT_TERMINATED)


def _reader_gone() -> int:
    # Point stdout at /dev/null, so the interpreter's own flush at exit does not fail again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    # gRPC's C core logs to stderr by itself; every failure here is said in a sentence instead.
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    from stt_tui.cli.parser import build_parser

    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    on_stop_signals(_unwind)  # every command and the terminal UI, before any of them starts work
    try:
        request = tui_request(argv, parser.get_default("commands"))
        if request is not None:
            return _run_tui(*request)
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_OK
        code: int = args.func(args)
        sys.stdout.flush()
        return code
    except PathsError as exc:
        err(str(exc))
        return EXIT_USER
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _reader_gone()
