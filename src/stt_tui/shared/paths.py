"""Where stt-tui keeps things. Nothing is created on import; callers make folders when they write."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "stt-tui"
HOME_ENV = "STT_TUI_HOME"
# A unix socket's path must fit in sockaddr_un (108 bytes with its NUL); gRPC's "unix:" prefix aside.
MAX_SOCKET_PATH = 100


class PathsError(ValueError):
    """A folder setting that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path

    @property
    def history(self) -> Path:
        """The job history (SQLite): the only record of operation ids and stored results."""
        return self.data_dir / "history.sqlite3"

    @property
    def outbox(self) -> Path:
        """Audio prepared for the local engine (stripped WAV or converted Opus), read via file:// URIs."""
        return self.data_dir / "outbox"

    @property
    def preferences(self) -> Path:
        """What the TUI remembers between runs (last submit choices, pane settings)."""
        return self.config_dir / "tui-state.json"

    @property
    def engine_dir(self) -> Path:
        """The local engine's data: its operation store, spooled audio, socket and log."""
        return self.data_dir / "engine"

    @property
    def engine_socket(self) -> Path:
        """In the engine's folder, unless that path is too long for a socket: then in a private folder
        of this user's under the temporary folder, named by the engine folder's hash."""
        inside = self.engine_dir / "engine.sock"
        if len(str(inside)) <= MAX_SOCKET_PATH:
            return inside
        digest = hashlib.sha256(str(self.engine_dir).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"stt-tui-{os.getuid()}" / f"{digest}.sock"

    @property
    def engine_target(self) -> str:
        return f"unix:{self.engine_socket}"

    @property
    def engine_log(self) -> Path:
        return self.engine_dir / "engine.log"

    @property
    def engine_status(self) -> Path:
        """What the running engine is doing (written by it every few seconds, removed when it stops)."""
        return self.engine_dir / ENGINE_STATUS_FILE


ENGINE_STATUS_FILE = "engine.json"


def resolve_paths(home: str | os.PathLike[str] | None = None) -> Paths:
    """`home` (the --home flag), else $STT_TUI_HOME, puts everything under one folder; else platformdirs."""
    if home is not None and not str(home).strip():
        raise PathsError("--home needs a folder; it was given an empty one.")
    chosen = os.fspath(home) if home is not None else os.environ.get(HOME_ENV)
    if chosen is not None and not chosen.strip():
        raise PathsError(f"${HOME_ENV} is set but empty; give it a folder or unset it.")
    if chosen:
        root = Path(chosen).expanduser().absolute()
        return Paths(config_dir=root, data_dir=root)
    return Paths(
        config_dir=Path(platformdirs.user_config_dir(APP_NAME)),
        data_dir=Path(platformdirs.user_data_dir(APP_NAME)),
    )
