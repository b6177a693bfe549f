"""`stt-tui serve`: the embedded engine, with every setting checked before anything starts."""

from __future__ import annotations

import argparse
import logging
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from stt_tui.api.channel import is_local_target
from stt_tui.cli.output import EXIT_OK, EXIT_USER, err, out, out_json, warn
from stt_tui.shared.paths import resolve_paths
from stt_tui.shared.private import private_dir

if TYPE_CHECKING:
    from stt_tui.engine.cloud import CloudConfig

MAX_WORKERS = 64  # far past what a machine's cores can recognize at once
_HOST_PORT = re.compile(r"^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.\-]+):(\d{1,5})$")


def listen_problem(listen: str) -> str | None:
    """Why `listen` is not an address to listen on (HOST:PORT with a port up to 65535, or unix:PATH)."""
    if listen.startswith("unix:"):
        return None if listen.removeprefix("unix:").strip() else "--listen unix: needs a path."
    m = _HOST_PORT.match(listen)
    if m is None:
        return f"--listen {listen[:60]!r} is not HOST:PORT or unix:PATH."
    if int(m.group(1)) > 65535:
        return f"--listen {listen!r}: the port must be between 0 and 65535."
    return None


def tls_pair(args: argparse.Namespace) -> tuple[bytes, bytes] | None:
    """(key, certificate chain) in PEM, each checked to be what it claims; ValueError says which is not."""
    if bool(args.tls_cert) != bool(args.tls_key):
        raise ValueError("--tls-cert and --tls-key go together.")
    if not args.tls_cert:
        return None
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key, cert = Path(args.tls_key).read_bytes(), Path(args.tls_cert).read_bytes()
    try:
        x509.load_pem_x509_certificates(cert)
    except ValueError:
        raise ValueError(f"--tls-cert {args.tls_cert} is not a PEM certificate.") from None
    try:
        load_pem_private_key(key, password=None)
    except (ValueError, TypeError):
        raise ValueError(f"--tls-key {args.tls_key} is not an unencrypted PEM private key.") from None
    return key, cert


def cloud_config(args: argparse.Namespace) -> CloudConfig:
    from stt_tui.engine.cloud import AccountKey, CloudConfig

    if not args.storage_endpoint:
        raise ValueError("--cloud needs --storage-endpoint: audio comes only from Object Storage.")
    keys = []
    if args.api_keys_file:
        keys = [line.strip() for line in Path(args.api_keys_file).read_text().splitlines() if line.strip()]
    accounts = [AccountKey.from_file(Path(f)) for f in args.service_account_key]
    if not keys and not accounts:
        raise ValueError("--cloud needs --api-keys-file or --service-account-key: nobody could call it.")
    return CloudConfig(
        api_keys=keys,
        account_keys=accounts,
        token_lifetime=args.iam_token_lifetime,
        requests_per_window=args.requests_per_hour,
        checks_per_window=args.checks_per_hour,
        quota_window=args.quota_window,
        storage_endpoint=args.storage_endpoint,
        storage_uri_base=args.storage_uri_base.rstrip("/"),
        storage_ca_file=args.storage_ca_file,
    )


def serve(args: argparse.Namespace) -> int:
    # Imported here: the engine's model stack is heavy and only `serve` needs it.
    from stt_tui.engine.allocator import limit_allocator
    from stt_tui.engine.engine import EngineConfig
    from stt_tui.engine.recognizer import ModelUnavailable
    from stt_tui.engine.server import EngineAlreadyRunning, EngineServer, ListenError, serve_until_signalled

    if args.list_models:
        return list_models(args)
    paths = resolve_paths(args.home)
    data_dir = Path(args.data_dir) if args.data_dir else paths.engine_dir
    listen = args.listen or (f"unix:{data_dir / 'engine.sock'}" if args.data_dir else paths.engine_target)
    problem = listen_problem(listen)
    if problem:
        err(problem)
        return EXIT_USER
    roots = [Path(r) for r in args.allow_root]
    try:
        if not args.data_dir:
            # The local profile's own engine reads the audio its clients prepared.
            roots.append(private_dir(paths.outbox))
        private_dir(data_dir)
    except OSError as exc:
        err(f"{exc.filename} cannot be used as a folder: {exc.strerror}.")
        return EXIT_USER
    for root in roots:
        if not root.is_dir():
            err(f"--allow-root {root} is not a folder.")
            return EXIT_USER
    if args.listen and not is_local_target(args.listen) and not (args.cloud and args.tls_cert):
        warn(
            f"{args.listen} is reachable from other machines, without TLS or authentication; anyone who "
            "can reach it can submit audio and read results."
        )
    try:
        tls = tls_pair(args)
        cloud = cloud_config(args) if args.cloud else None
    except OSError as exc:
        err(f"{exc.filename} cannot be read: {exc.strerror}.")
        return EXIT_USER
    except ValueError as exc:
        err(str(exc))
        return EXIT_USER
    config = EngineConfig(
        data_dir=data_dir,
        allowed_roots=roots,
        retention_hours=args.retention_hours,
        workers=args.workers,
        model=args.model,
        cloud=cloud,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network for a model
    limit_allocator()
    try:
        server = EngineServer(config, listen, tls=tls)
    except (ModelUnavailable, EngineAlreadyRunning) as exc:
        err(str(exc))
        return EXIT_USER
    try:
        serve_until_signalled(
            server, lambda address: print(f"listening on {address}", flush=True), args.idle_exit * 60
        )
    except ListenError as exc:
        err(str(exc))
        return EXIT_USER
    return EXIT_OK


def model_lines(rows: list[dict[str, object]]) -> list[str]:
    """`base     installed  145 MB  99 languages… (default)` per bundled model (pure)."""
    lines = []
    for row in rows:
        state = "installed" if row["installed"] else "not installed"
        size = f"{int(str(row['size_bytes'])) / 1e6:.0f} MB"
        default = " (default)" if row["default"] else ""
        lines.append(
            f"{str(row['name']).ljust(8)} {state.ljust(13)} {size.rjust(7)}  {row['languages']}{default}"
        )
    return lines


def list_models(args: argparse.Namespace) -> int:
    from stt_tui.engine.models import installed_models

    rows = installed_models()
    if args.json:
        out_json(rows)
    else:
        for line in model_lines(rows):
            out(line)
        out("--model also takes a faster-whisper model folder, or a model name already in the local cache.")
    return EXIT_OK


def positive_int(limit: int) -> type:
    """An argparse type: a whole number from 1 to `limit`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not 1 <= value <= limit:
            raise argparse.ArgumentTypeError(f"must be between 1 and {limit}, not {value}")
        return value

    return parse  # type: ignore[return-value]


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


def non_negative_float(text: str) -> float:
    """An argparse type: a number of at least 0 (0 often means "never")."""
    try:
        if float(text) == 0:
            return 0.0
    except ValueError:
        pass  # said by positive_float
    return positive_float(text)
