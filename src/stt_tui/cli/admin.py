"""`stt-tui paths` and `stt-tui profiles`: where things are, and which backends can be used."""

from __future__ import annotations

import argparse
import os
import sys

from stt_tui.cli.output import EXIT_OK, EXIT_USER, err, out, out_json, warn
from stt_tui.shared.paths import resolve_paths


def paths_command(args: argparse.Namespace) -> int:
    from stt_tui.settings.config import CONFIG_FILE

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
    from stt_tui.cli.serve import model_lines
    from stt_tui.engine.models import installed_models

    models = installed_models()
    if args.json:
        out_json({**rows, "models": models})
    else:
        width = max(map(len, rows))
        for key, value in rows.items():
            out(f"{key.ljust(width)}  {value}")
        for n, line in enumerate(model_lines(models)):
            out(f"{'models' if n == 0 else '':{width}}  {line}")
    return EXIT_OK


def profiles(args: argparse.Namespace) -> int:
    from stt_tui.settings.config import CONFIG_FILE, ConfigError, load_config
    from stt_tui.settings.credentials import describe_profiles
    from stt_tui.settings.template import TEMPLATE

    paths = resolve_paths(args.home)
    if args.template:
        sys.stdout.write(TEMPLATE)
        return EXIT_OK
    try:
        config = load_config(paths.config_dir)
    except ConfigError as exc:
        err(str(exc))
        return EXIT_USER
    for warning in config.warnings:
        warn(warning)
    rows = describe_profiles(config, os.environ)
    if args.json:
        out_json(rows)
        return EXIT_OK
    out(f"config: {config.path or paths.config_dir / CONFIG_FILE}{'' if config.path else ' (none yet)'}")
    for row in rows:
        out(f"\n{row['name']}{' (default)' if row['default'] else ''}: {row['backend']}")
        for key in ("api", "operations", "bucket", "credentials", "storage_key"):
            if row.get(key):
                out(f"  {key.replace('_', ' ')}: {row[key]}")
        if row["problem"]:
            out(f"  not ready: {row['problem']}")
    return EXIT_OK
