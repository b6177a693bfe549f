"""`stt-tui <command>`: the command line."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .api.channel import is_local_target
from .paths import resolve_paths

EXIT_OK = 0
EXIT_USER = 2  # bad arguments or input: fix the command
EXIT_SERVICE = 3  # the service or engine failed or refused


def _serve(args: argparse.Namespace) -> int:
    # Imported here: the engine's model stack is heavy and only `serve` needs it.
    from .engine.engine import EngineConfig
    from .engine.recognizer import ModelUnavailable
    from .engine.server import EngineAlreadyRunning, EngineServer, ListenError, serve_until_signalled

    paths = resolve_paths(args.home)
    data_dir = Path(args.data_dir) if args.data_dir else paths.engine_dir
    listen = args.listen or (f"unix:{data_dir / 'engine.sock'}" if args.data_dir else paths.engine_target)
    roots = [Path(r) for r in args.allow_root]
    for root in roots:
        if not root.is_dir():
            print(f"stt-tui: --allow-root {root} is not a folder.", file=sys.stderr)
            return EXIT_USER
    if args.listen and not is_local_target(args.listen):
        print(
            f"stt-tui: warning: {args.listen} is reachable from other machines, without TLS or "
            "authentication; anyone who can reach it can submit audio and read results.",
            file=sys.stderr,
        )
    config = EngineConfig(
        data_dir=data_dir,
        allowed_roots=roots,
        retention_hours=args.retention_hours,
        workers=args.workers,
        model=args.model,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network for a model
    try:
        server = EngineServer(config, listen)
    except (ModelUnavailable, EngineAlreadyRunning) as exc:
        print(f"stt-tui: {exc}", file=sys.stderr)
        return EXIT_USER
    try:
        serve_until_signalled(server, lambda address: print(f"listening on {address}", flush=True))
    except ListenError as exc:
        print(f"stt-tui: {exc}", file=sys.stderr)
        return EXIT_USER
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stt-tui",
        description="Asynchronous speech recognition (Yandex SpeechKit v2) from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"stt-tui {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="keep all state, config and the local engine's data under DIR (default: $STT_TUI_HOME, "
        "else the platform's user folders)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="run the embedded recognition engine (SpeechKit v2 over gRPC)",
        description="Run the embedded engine: a local gRPC server speaking SpeechKit v2 "
        "(LongRunningRecognize, OperationService Get/Cancel) that transcribes offline. It prints the "
        "address it listens on and runs until SIGINT or SIGTERM.",
    )
    serve.add_argument(
        "--listen",
        metavar="ADDR",
        help="HOST:PORT (port 0 picks a free one) or unix:PATH; default: the local profile's socket "
        "in the engine's data folder, reachable only from this machine",
    )
    serve.add_argument("--data-dir", metavar="DIR", help="where operations and spooled audio are kept")
    serve.add_argument(
        "--allow-root",
        metavar="DIR",
        action="append",
        default=[],
        help="a folder that file:// URIs may point into (repeatable; default: none)",
    )
    serve.add_argument(
        "--retention-hours", type=float, default=72.0, metavar="H", help="keep results H hours (default 72)"
    )
    serve.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        help="a faster-whisper model folder or a cached model name (default: the bundled tiny.en)",
    )
    serve.add_argument(
        "--workers", type=int, default=1, metavar="N", help="recognize N jobs at once (default 1)"
    )
    serve.set_defaults(func=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_OK
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return 130
