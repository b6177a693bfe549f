"""Running a job command: the history opened, every failure a person can cause said in one sentence."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from stt_tui.cli.output import EXIT_SERVICE, EXIT_USER, err, warn
from stt_tui.shared.paths import resolve_paths

if TYPE_CHECKING:  # the service loads the whole core; `--help` need not
    from stt_tui.service.facade import Service


def open_service(args: argparse.Namespace) -> Service:
    """The service of the profile asked for (config.toml's `notify` noted on `args` for waits)."""
    from stt_tui.service.facade import Service
    from stt_tui.settings.config import choose_profile, load_config

    paths = resolve_paths(args.home)
    config = load_config(paths.config_dir)
    for warning in config.warnings:
        warn(warning)
    args.notify = config.notify
    profile = choose_profile(config, args.profile)
    service = Service.open(
        paths,
        profile,
        warn=warn,
        tell=err,
        subtitles=config.subtitles,
        remember_voices=config.remember_voices,
    )
    if service.caveat:
        warn(service.caveat)
    for job in service.recover_interrupted():
        err(f"job #{job.id} ({Path(job.file_path).name}): {job.last_error}")
    return service


def with_service(
    command: Callable[[argparse.Namespace, Service], int],
) -> Callable[[argparse.Namespace], int]:
    """Run a job command with the history open, every failure a person can cause as one sentence."""

    def run(args: argparse.Namespace) -> int:
        from stt_tui.api import ProtocolError, ServiceError
        from stt_tui.connection.storage import StorageError
        from stt_tui.service import HistoryError
        from stt_tui.service.errors import UserError, disk_trouble
        from stt_tui.settings.config import ConfigError

        try:
            service = open_service(args)
        except (ConfigError, HistoryError) as exc:
            err(str(exc))
            return EXIT_USER
        except OSError as exc:
            err(disk_trouble(exc, "opening stt-tui's folders"))
            return EXIT_USER
        try:
            return command(args, service)
        except BrokenPipeError:
            raise  # the reader went away: main() ends quietly
        except (UserError, ConfigError, HistoryError) as exc:
            err(str(exc))
            return EXIT_USER
        except (ServiceError, ProtocolError, StorageError) as exc:
            err(str(exc))
            return EXIT_SERVICE
        except OSError as exc:
            err(disk_trouble(exc, f"`stt-tui {args.command}`"))
            return EXIT_USER
        finally:
            service.close()

    return run
