"""The grammar of the engine's commands: `stt-tui engine status|stop` and `stt-tui serve` with its many
options (where it listens, what it keeps, the model, and the strict cloud mode that stands in for the
service in tests)."""

from __future__ import annotations

from stt_tui.cli import engine_cmd, serve
from stt_tui.cli.grammar import AddCommand, Parser
from stt_tui.shared.speechkit import CHECKS_PER_HOUR, REQUESTS_PER_HOUR, STORAGE_URL


def add_engine_commands(command: AddCommand, common: Parser) -> None:
    engine = command(
        "engine",
        engine_cmd.engine_status,
        "see or stop the local engine",
        "The local profile's engine: `status` (address, pid, model, queue, uptime, memory, when it exits "
        "by itself) and `stop` (running work goes back in its queue and goes on when it starts again).",
    )
    actions = engine.add_subparsers(dest="action", metavar="ACTION", parser_class=Parser)
    for name, func, text in (
        ("status", engine_cmd.engine_status, "what the local engine is doing"),
        ("stop", engine_cmd.engine_stop, "stop the local engine"),
    ):
        action = actions.add_parser(name, prog=f"stt-tui engine {name}", parents=[common], help=text,
                                    description=text)  # fmt: skip
        action.set_defaults(func=func)

    serve_cmd = command(
        "serve",
        serve.serve,
        "run the embedded recognition engine (SpeechKit v3 and v2 over gRPC)",
        "Run the embedded engine: a local gRPC server speaking SpeechKit v3 (RecognizeFile, "
        "GetRecognition, DeleteRecognition) and v2 (LongRunningRecognize), with OperationService Get/Cancel, "
        "that transcribes offline. It prints the "
        "address it listens on and runs until SIGINT or SIGTERM. The local profile starts it by itself.",
    )
    serve_cmd.add_argument(
        "--listen",
        metavar="ADDR",
        help="HOST:PORT (port 0 picks a free one) or unix:PATH; default: the local profile's socket "
        "in the engine's data folder, reachable only from this machine",
    )
    serve_cmd.add_argument("--data-dir", metavar="DIR", help="where operations and spooled audio are kept")
    serve_cmd.add_argument(
        "--allow-root",
        metavar="DIR",
        action="append",
        default=[],
        help="a folder that file:// URIs may point into (repeatable; without --data-dir, the local "
        "profile's outbox is always allowed)",
    )
    serve_cmd.add_argument(
        "--retention-hours",
        type=serve.positive_float,
        default=72.0,
        metavar="H",
        help="keep results H hours (default 72)",
    )
    serve_cmd.add_argument(
        "--model",
        metavar="NAME_OR_PATH",
        help="base (the default: multilingual), tiny.en (English only, faster), a faster-whisper model "
        "folder, or a model name already in the local cache",
    )
    serve_cmd.add_argument(
        "--idle-exit",
        type=serve.non_negative_float,
        default=0.0,
        metavar="MINUTES",
        help="exit after this long with no work and no calls (default 0: never; an engine the local "
        "profile starts on demand uses 10)",
    )
    serve_cmd.add_argument(
        "--list-models", action="store_true", help="say which models are installed, their languages and size"
    )
    serve_cmd.add_argument(
        "--workers",
        type=serve.positive_int(serve.MAX_WORKERS),
        default=1,
        metavar="N",
        help=f"recognize N jobs at once (default 1, at most {serve.MAX_WORKERS})",
    )
    tls = serve_cmd.add_argument_group("TLS (as the cloud serves it)")
    tls.add_argument("--tls-cert", metavar="PEM", help="certificate chain to serve TLS with")
    tls.add_argument("--tls-key", metavar="PEM", help="the certificate's private key")
    cloud = serve_cmd.add_argument_group(
        "strict cloud mode",
        "Behave like the real service, for testing a cloud profile: every call needs authorization, "
        "audio comes from Object Storage links (read from --storage-endpoint with the static key in "
        "$AWS_ACCESS_KEY_ID / $AWS_SECRET_ACCESS_KEY) or, for API v3, inline up to 60 MB (v2 inline "
        "content is refused), quotas apply, and IamTokenService/Create exchanges service-account JWTs for "
        "IAM tokens.",
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
        type=serve.positive_float,
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
        cloud.add_argument(
            flag, type=serve.positive_int(10**9), default=default, metavar="N", help=f"default {default}"
        )
    cloud.add_argument(
        "--quota-window",
        type=serve.positive_float,
        default=3600.0,
        metavar="S",
        help="the quotas' window in seconds (default 3600; shorter to test quota handling)",
    )
