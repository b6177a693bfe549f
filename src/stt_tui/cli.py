"""`stt-tui <command>`: the command line, a thin frontend over the job core (service.py)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from . import __version__
from .api.channel import is_local_target
from .jobs import JobState
from .paths import resolve_paths
from .speechkit import CHECKS_PER_HOUR, REQUESTS_PER_HOUR, STORAGE_URL

EXIT_OK = 0
EXIT_USER = 2  # bad arguments or input: fix the command
EXIT_SERVICE = 3  # the service or engine failed, refused, or could not be reached
EXIT_JOB_FAILED = 4  # a job ended without a transcript (failed, expired, cancelled)
EXIT_TIMEOUT = 5  # --timeout passed while jobs were still running
EXIT_INTERRUPTED = 130

EXIT_CODES_HELP = """exit codes:
  0  success
  2  user error: bad arguments, a file the service cannot take, an unknown job
  3  service error: the engine or the service failed, refused, or could not be reached
  4  a job ended without a transcript (failed, expired or cancelled)
  5  --timeout passed while jobs were still running (they keep running)
"""


def _err(message: str) -> None:
    print(f"stt-tui: {message}", file=sys.stderr)


def _serve(args: argparse.Namespace) -> int:
    # Imported here: the engine's model stack is heavy and only `serve` needs it.
    from .engine.engine import EngineConfig
    from .engine.recognizer import ModelUnavailable
    from .engine.server import EngineAlreadyRunning, EngineServer, ListenError, serve_until_signalled

    paths = resolve_paths(args.home)
    data_dir = Path(args.data_dir) if args.data_dir else paths.engine_dir
    listen = args.listen or (f"unix:{data_dir / 'engine.sock'}" if args.data_dir else paths.engine_target)
    roots = [Path(r) for r in args.allow_root]
    if not args.data_dir:
        # The local profile's own engine reads the audio its clients prepared.
        paths.outbox.mkdir(parents=True, exist_ok=True, mode=0o700)
        roots.append(paths.outbox)
    for root in roots:
        if not root.is_dir():
            print(f"stt-tui: --allow-root {root} is not a folder.", file=sys.stderr)
            return EXIT_USER
    if args.listen and not is_local_target(args.listen) and not (args.cloud and args.tls_cert):
        print(
            f"stt-tui: warning: {args.listen} is reachable from other machines, without TLS or "
            "authentication; anyone who can reach it can submit audio and read results.",
            file=sys.stderr,
        )
    try:
        tls = _serve_tls(args)
        cloud = _serve_cloud(args) if args.cloud else None
    except OSError as exc:
        _err(f"{exc.filename} cannot be read: {exc.strerror}.")
        return EXIT_USER
    except ValueError as exc:
        _err(str(exc))
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
    try:
        server = EngineServer(config, listen, tls=tls)
    except (ModelUnavailable, EngineAlreadyRunning) as exc:
        print(f"stt-tui: {exc}", file=sys.stderr)
        return EXIT_USER
    try:
        serve_until_signalled(server, lambda address: print(f"listening on {address}", flush=True))
    except ListenError as exc:
        print(f"stt-tui: {exc}", file=sys.stderr)
        return EXIT_USER
    return EXIT_OK


def _serve_tls(args: argparse.Namespace) -> tuple[bytes, bytes] | None:
    if bool(args.tls_cert) != bool(args.tls_key):
        raise ValueError("--tls-cert and --tls-key go together.")
    if not args.tls_cert:
        return None
    return Path(args.tls_key).read_bytes(), Path(args.tls_cert).read_bytes()


def _serve_cloud(args: argparse.Namespace):
    from .engine.cloud import AccountKey, CloudConfig

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


# --- job commands -------------------------------------------------------------------------------


class _Progress:
    """Conversion and hashing progress on stderr, only when a person is watching it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.enabled = sys.stderr.isatty()
        self._last = ""

    def __call__(self, stage: str, fraction: float) -> None:
        if not self.enabled:
            return
        text = f"{stage} {self.name} {fraction:4.0%}"
        if text != self._last:
            self._last = text
            print(f"\r{text}", end="", file=sys.stderr, flush=True)

    def done(self) -> None:
        if self.enabled and self._last:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _warn(message: str) -> None:
    _err(f"warning: {message}")


def _open_service(args: argparse.Namespace):
    from .config import choose_profile, load_config
    from .service import Service

    paths = resolve_paths(args.home)
    config = load_config(paths.config_dir)
    for warning in config.warnings:
        _warn(warning)
    service = Service.open(paths, choose_profile(config, args.profile), warn=_warn)
    for job in service.recover_interrupted():
        _err(f"job #{job.id} ({Path(job.file_path).name}): {job.last_error}")
    return service


def _emit_jobs(args: argparse.Namespace, jobs: list) -> None:
    from .formatting import JOB_COLUMNS, job_row, job_summary, job_to_dict, table

    now = time.time()
    if args.json:
        print(json.dumps([job_to_dict(j, now) for j in jobs], indent=2, ensure_ascii=False))
    elif args.command == "jobs":
        print(table(JOB_COLUMNS, [job_row(j, now) for j in jobs]))
    else:
        for job in jobs:
            print(job_summary(job, now))


def _wait_and_report(service, args: argparse.Namespace, jobs: list) -> int:
    from .formatting import job_summary

    def on_update(job) -> None:
        if job.finished and not args.json:
            print(job_summary(job, time.time()), file=sys.stderr)

    try:
        final = service.wait(jobs, timeout=args.timeout, on_update=on_update)
    except KeyboardInterrupt:
        ids = " ".join(str(j.id) for j in jobs)
        _err(f"stopped waiting; the jobs keep running, and `stt-tui wait {ids}` picks them up.")
        return EXIT_INTERRUPTED
    _emit_jobs(args, final)
    if any(j.state == JobState.RUNNING or j.state == JobState.SUBMITTING for j in final):
        _err(f"{args.timeout:g} s passed; the unfinished jobs keep running.")
        return EXIT_TIMEOUT
    return EXIT_OK if all(j.state == JobState.DONE for j in final) else EXIT_JOB_FAILED


def _options(args: argparse.Namespace, service):
    from .jobs import RequestOptions

    return RequestOptions(
        language=args.language or service.profile.default_language,
        model=args.model or service.profile.default_model,
        profanity_filter=args.profanity_filter,
        literature_text=args.literature_text,
        raw_results=args.raw_results,
    )


def _submit(args: argparse.Namespace, service) -> int:
    from .api import ServiceError
    from .formatting import job_summary
    from .service import QuotaExceeded, UserError
    from .storage import StorageError

    options = _options(args, service)
    submitted, code = [], EXIT_OK
    for name in args.files:
        progress = _Progress(Path(name).name)
        try:
            job = service.submit(name, options, progress)
        except UserError as exc:
            _err(str(exc))
            code = max(code, EXIT_USER)
            continue
        except QuotaExceeded as exc:
            _err(f"{Path(name).name} and the files after it were not sent: {exc}")
            code = max(code, EXIT_SERVICE)
            break
        except (ServiceError, StorageError) as exc:
            _err(f"{Path(name).name}: {exc}")
            code = max(code, EXIT_SERVICE)
            continue
        finally:
            progress.done()
        submitted.append(job)
        if not args.json:
            print(job_summary(job, time.time()), file=sys.stderr if args.wait else sys.stdout)
    if args.wait and submitted:
        return max(code, _wait_and_report(service, args, submitted))
    if args.json:
        _emit_jobs(args, submitted)
    return code


def _jobs(args: argparse.Namespace, service) -> int:
    jobs = service.history.jobs(None if args.all_profiles else service.profile.name)
    if args.state:
        jobs = [j for j in jobs if j.state.value in args.state]
    _emit_jobs(args, jobs)
    return EXIT_OK


def _find(service, refs: Sequence[str]) -> list:
    from .history import JobNotFound
    from .service import UserError

    try:
        return [service.history.find(ref) for ref in refs]
    except JobNotFound as exc:
        raise UserError(str(exc)) from None


def _show(args: argparse.Namespace, service) -> int:
    from .formatting import job_details, job_to_dict

    (job,) = _find(service, [args.id])
    text = service.export(job, "txt") if job.has_result and job.state.value == "done" else None
    if args.json:
        print(json.dumps({**job_to_dict(job, time.time()), "transcript": text}, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(job_details(job, time.time()))
    if text is not None:
        print()
        print(text, end="")
    return EXIT_OK


def _wait(args: argparse.Namespace, service) -> int:

    if args.ids:
        jobs = _find(service, args.ids)
    else:
        jobs = [j for j in service.history.pollable(service.profile.name)]
        jobs += [j for j in service.history.submissions() if j.profile == service.profile.name]
        if not jobs:
            if not args.json:
                _err("no jobs are running.")
            else:
                print("[]")
            return EXIT_OK
    jobs = [service.refresh(j) if j.state == JobState.RUNNING and j.next_poll_at is None else j for j in jobs]
    return _wait_and_report(service, args, jobs)


def _export(args: argparse.Namespace, service) -> int:
    from .export import FORMATS
    from .service import UserError

    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lstrip(".").lower() if args.output else ""
        fmt = suffix if suffix in FORMATS else "txt"
    (job,) = _find(service, [args.id])
    text = service.export(job, fmt, args.channel)
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return EXIT_OK
    out = Path(args.output)
    tmp = out.with_name(f".{out.name}.part")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"Cannot write {out}: {exc.strerror}.") from None
    _err(f"wrote {out}")
    return EXIT_OK


def _import(args: argparse.Namespace, service) -> int:
    from .jobs import RequestOptions

    options = RequestOptions(language=args.language or "", model=args.model or "")
    job = service.import_operation(args.id, options)
    _emit_jobs(args, [job])
    return EXIT_OK


def _cancel(args: argparse.Namespace, service) -> int:
    jobs = [service.cancel(job) for job in _find(service, args.ids)]
    _emit_jobs(args, jobs)
    return EXIT_OK


def _forget(args: argparse.Namespace, service) -> int:
    from .service import UserError

    jobs = _find(service, args.ids)
    for job in jobs:
        if not job.finished and not args.force:
            raise UserError(
                f"Job #{job.id} is {job.state}: forgetting it loses its operation id and its result; "
                "add --force to forget it anyway."
            )
    for job in jobs:
        service.forget(job)
        if not args.json:
            _err(f"forgot job #{job.id}")
    if args.json:
        print(json.dumps([j.id for j in jobs]))
    return EXIT_OK


def _paths(args: argparse.Namespace) -> int:
    from .config import CONFIG_FILE

    paths = resolve_paths(args.home)
    rows = {
        "config": str(paths.config_dir),
        "config_file": str(paths.config_dir / CONFIG_FILE),
        "data": str(paths.data_dir),
        "history": str(paths.history),
        "outbox": str(paths.outbox),
        "engine_data": str(paths.engine_dir),
        "engine_socket": paths.engine_target,
        "engine_log": str(paths.engine_log),
    }
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        width = max(map(len, rows))
        for key, value in rows.items():
            print(f"{key.ljust(width)}  {value}")
    return EXIT_OK


def _profiles(args: argparse.Namespace) -> int:
    from .config import CONFIG_FILE, TEMPLATE, ConfigError, load_config
    from .credentials import describe_profiles

    paths = resolve_paths(args.home)
    if args.template:
        sys.stdout.write(TEMPLATE)
        return EXIT_OK
    try:
        config = load_config(paths.config_dir)
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_USER
    for warning in config.warnings:
        _warn(warning)
    rows = describe_profiles(config, os.environ)
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    print(f"config: {config.path or paths.config_dir / CONFIG_FILE}{'' if config.path else ' (none yet)'}")
    for row in rows:
        print(f"\n{row['name']}{' (default)' if row['default'] else ''}: {row['backend']}")
        for key in ("operations", "bucket", "credentials", "storage_key"):
            if row.get(key):
                print(f"  {key.replace('_', ' ')}: {row[key]}")
        if row["problem"]:
            print(f"  not ready: {row['problem']}.")
    return EXIT_OK


def _with_service(
    command: Callable[[argparse.Namespace, object], int],
) -> Callable[[argparse.Namespace], int]:
    """Run a job command with the history open, every failure a person can cause as one sentence."""

    def run(args: argparse.Namespace) -> int:
        from .api import ProtocolError, ServiceError
        from .config import ConfigError
        from .history import HistoryError
        from .service import UserError
        from .storage import StorageError

        try:
            service = _open_service(args)
        except (ConfigError, HistoryError) as exc:
            _err(str(exc))
            return EXIT_USER
        try:
            return command(args, service)
        except (UserError, ConfigError) as exc:
            _err(str(exc))
            return EXIT_USER
        except (ServiceError, ProtocolError, StorageError) as exc:
            _err(str(exc))
            return EXIT_SERVICE
        finally:
            service.close()

    return run


# --- the parser ----------------------------------------------------------------------------------


def _common() -> argparse.ArgumentParser:
    """Options every command takes, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="output JSON for scripts"
    )
    return common


def _request_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--language", metavar="CODE", help="language code, e.g. en-US, ru-RU (default: the profile's)"
    )
    p.add_argument(
        "--model",
        metavar="NAME",
        help="general (default), general:rc, or deferred-general (cheaper, done within 24 h, polled rarely)",
    )
    p.add_argument("--profanity-filter", action="store_true", help="mask profanities in the transcript")
    p.add_argument(
        "--literature-text", action="store_true", help="punctuation and capitals, as in written text"
    )
    p.add_argument("--raw-results", action="store_true", help="numbers spelled out as words")


def _timeout(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--timeout",
        type=float,
        metavar="S",
        help="stop waiting after S seconds (exit 5; the jobs keep running)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stt-tui",
        usage="stt-tui [--home DIR] [--profile NAME] [FOLDER]\n"
        "       stt-tui [--home DIR] [--profile NAME] [--json] COMMAND ...",
        description="Asynchronous speech recognition (Yandex SpeechKit v2) from the terminal. Jobs are "
        "kept in a local history with their results, so nothing is lost when the service forgets them "
        "after 3 days.\n\nWithout a command, opens the terminal UI on FOLDER (default: the current folder).",
        epilog=EXIT_CODES_HELP + "\nRun `stt-tui COMMAND --help` for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"stt-tui {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="keep all state, config and the local engine's data under DIR (default: $STT_TUI_HOME, "
        "else the platform's user folders)",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="which backend to use: local (the embedded engine), yandex, or one from config.toml "
        "(default: $STT_TUI_PROFILE, else default_profile in config.toml, else local)",
    )
    parser.add_argument("--json", action="store_true", help="output JSON for scripts")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.commands = sub.choices  # the names that are commands, not a folder to open the UI on
    common = _common()

    def command(name: str, func, help: str, description: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            prog=f"stt-tui {name}",  # the top level's own usage line would otherwise prefix it
            parents=[common],
            help=help,
            description=description,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        return p

    p = command(
        "submit",
        _with_service(_submit),
        "send audio files for recognition",
        "Check each file against the service's limits, convert what it cannot take as is (FLAC, AAC, "
        "Vorbis, 44.1 kHz or 24-bit WAV, video) to Ogg Opus, and submit it. Each job is recorded in the "
        "history before the call, so its operation id is never lost.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    _request_options(p)
    p.add_argument("--wait", action="store_true", help="wait until every job is finished")
    _timeout(p)

    p = command(
        "jobs",
        _with_service(_jobs),
        "list the jobs in the history",
        "List jobs, newest first, with their state and how long the service keeps a result not yet "
        "saved locally (RETENTION: 'saved' once it is).",
    )
    p.add_argument(
        "--state",
        action="append",
        choices=[state.value for state in JobState],
        help="only jobs in this state (repeatable)",
    )
    p.add_argument(
        "--all-profiles", action="store_true", help="jobs of every profile, not only the current one"
    )

    p = command(
        "show",
        _with_service(_show),
        "show one job and its transcript",
        "Show a job (by number, operation id, or a unique prefix of one) and, when done, its transcript.",
    )
    p.add_argument("id", metavar="ID")

    p = command(
        "wait",
        _with_service(_wait),
        "wait until jobs are finished",
        "Poll the service on the stored schedule, within the status-check budget, until the jobs are "
        "finished; every result is stored as soon as it is ready. With no ID, waits for every running job.",
    )
    p.add_argument("ids", nargs="*", metavar="ID")
    _timeout(p)

    p = command(
        "export",
        _with_service(_export),
        "write a transcript as txt, json, srt or vtt",
        "Render a stored result; the service is not asked again. All channels are merged into one "
        "dialogue in time order with channel labels, unless --channel picks one.",
    )
    p.add_argument("id", metavar="ID")
    p.add_argument(
        "--format", "-f", choices=["txt", "json", "srt", "vtt"], help="default: from -o's extension, else txt"
    )
    p.add_argument("-o", "--output", metavar="PATH", help="write to PATH instead of standard output")
    p.add_argument("--channel", type=int, metavar="N", help="only channel N (1 or 2)")

    p = command(
        "import",
        _with_service(_import),
        "add an operation started elsewhere, by its id",
        "Record an operation id started by another tool, check it once, and keep polling it with the rest.",
    )
    p.add_argument("id", metavar="OPERATION_ID")
    p.add_argument("--language", metavar="CODE", help="what it was submitted with, for the record")
    p.add_argument("--model", metavar="NAME", help="what it was submitted with, for the record")

    p = command(
        "cancel",
        _with_service(_cancel),
        "ask the service to stop running jobs",
        "Ask the service to cancel running jobs. The service may finish a job anyway; whatever it "
        "answers is recorded.",
    )
    p.add_argument("ids", nargs="+", metavar="ID")

    p = command(
        "forget",
        _with_service(_forget),
        "remove jobs and their stored results from the history",
        "Remove jobs from the history, with their stored results. A job still running is kept unless "
        "--force: its operation id would be lost.",
    )
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--force", action="store_true", help="forget running jobs too")

    p = command(
        "profiles",
        _profiles,
        "list the profiles and where their credentials come from",
        "List the profiles (the built-in `local` and `yandex`, and those in config.toml), their endpoints "
        "and bucket, and where each one's credentials come from; secrets themselves are never shown. "
        "With --template, print a commented config.toml to start from.",
    )
    p.add_argument("--template", action="store_true", help="print an example config.toml")

    command(
        "paths",
        _paths,
        "show where config, history and results live",
        "Show where stt-tui keeps its config, the history (with every stored result), audio prepared for "
        "the local engine, and the engine's data and log.",
    )

    serve = command(
        "serve",
        _serve,
        "run the embedded recognition engine (SpeechKit v2 over gRPC)",
        "Run the embedded engine: a local gRPC server speaking SpeechKit v2 "
        "(LongRunningRecognize, OperationService Get/Cancel) that transcribes offline. It prints the "
        "address it listens on and runs until SIGINT or SIGTERM. The local profile starts it by itself.",
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
        help="a folder that file:// URIs may point into (repeatable; without --data-dir, the local "
        "profile's outbox is always allowed)",
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
    tls = serve.add_argument_group("TLS (as the cloud serves it)")
    tls.add_argument("--tls-cert", metavar="PEM", help="certificate chain to serve TLS with")
    tls.add_argument("--tls-key", metavar="PEM", help="the certificate's private key")
    cloud = serve.add_argument_group(
        "strict cloud mode",
        "Behave like the real service, for testing a cloud profile: every call needs authorization, "
        "audio comes only from Object Storage links (read from --storage-endpoint with the static key in "
        "$AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY), inline content is refused, quotas apply, and "
        "IamTokenService/Create exchanges service-account JWTs for IAM tokens.",
    )
    cloud.add_argument("--cloud", action="store_true", help="turn strict cloud mode on")
    cloud.add_argument(
        "--api-keys-file", metavar="FILE", help="API keys to accept, one per line (kept off the command line)"
    )
    cloud.add_argument(
        "--service-account-key",
        metavar="JSON",
        action="append",
        default=[],
        help="an authorized key file whose public key signs accepted JWTs (repeatable)",
    )
    cloud.add_argument(
        "--iam-token-lifetime",
        type=float,
        default=12 * 3600,
        metavar="S",
        help="IAM token life (default 12 h)",
    )
    cloud.add_argument(
        "--storage-endpoint", metavar="URL", help="the S3 server standing in for Object Storage"
    )
    cloud.add_argument(
        "--storage-uri-base",
        metavar="URL",
        default=STORAGE_URL,
        help=f"the host audio links name (default {STORAGE_URL})",
    )
    cloud.add_argument("--storage-ca-file", metavar="PEM", help="CA for an https storage endpoint")
    for flag, default in (("--requests-per-hour", REQUESTS_PER_HOUR), ("--checks-per-hour", CHECKS_PER_HOUR)):
        cloud.add_argument(flag, type=int, default=default, metavar="N", help=f"default {default}")
    cloud.add_argument(
        "--quota-window",
        type=float,
        default=3600.0,
        metavar="S",
        help="the quotas' window in seconds (default 3600; shorter to test quota handling)",
    )
    return parser


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
    return home, profile, folder or "."


def _run_tui(home: str | None, profile_name: str | None, folder: str) -> int:
    from .config import ConfigError, choose_profile, load_config

    start = Path(folder).expanduser()
    if not start.exists():
        _err(f"{folder!r} is neither a command nor a folder; see `stt-tui --help`.")
        return EXIT_USER
    if not start.is_dir():
        start = start.parent
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _err("The terminal UI needs a terminal; in scripts use a command (see `stt-tui --help`).")
        return EXIT_USER
    paths = resolve_paths(home)
    try:
        config = load_config(paths.config_dir)
        profile = choose_profile(config, profile_name)
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_USER
    from .tui import create_app

    create_app(paths, profile, start.resolve(), config=config).run()
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    request = tui_request(argv, parser.commands)
    if request is not None:
        return _run_tui(*request)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_OK
    try:
        return args.func(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
