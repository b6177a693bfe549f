"""stt-tui homes for tests, and the engine that a home's clients start by themselves."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.waiting import wait_until

STT_TUI = str(Path(sys.executable).parent / "stt-tui")  # the installed console script


def engine_pid(home: Path) -> int | None:
    try:
        return int((home / "engine" / "engine.lock").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def alive(pid: int) -> bool:
    """Whether the process runs: a zombie (ended, its status not yet collected) does not."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def stop_engine(home: Path, sig: int = signal.SIGTERM) -> None:
    """Stop the engine a home's clients started, and wait until it is gone."""
    pid = engine_pid(home)
    if pid is None:
        return
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    wait_until(lambda: not alive(pid), 15, f"the engine (pid {pid}) of {home} to stop", every=0.05)


def stt(
    home: Path, *args: str, timeout: float = 300, prefix: tuple[str, ...] = (), **kw
) -> subprocess.CompletedProcess:
    """The installed stt-tui on `home` (`prefix` runs it under another command; `env` adds variables)."""
    env = {**os.environ, "STT_TUI_HOME": str(home), **kw.pop("env", {})}
    return subprocess.run(
        [*prefix, STT_TUI, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False, **kw
    )


def temporary_home(prefix: str) -> Iterator[Path]:
    """A home for one test module's commands: its engine stopped and the folder removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    yield path
    stop_engine(path)
    shutil.rmtree(path, ignore_errors=True)


def start_watch(home: Path, folder: Path, log: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "STT_TUI_HOME": str(home)}
    out = log.open("a")
    return subprocess.Popen(
        [STT_TUI, "watch", str(folder), "--settle", "1.5", *args], stdout=out, stderr=out, env=env, text=True
    )


@contextmanager
def watching(home: Path, folder: Path, log: Path, *args: str) -> Iterator[subprocess.Popen]:
    """A watch of `folder` (made), its output in `log`, once it says it is watching; at the end it is
    stopped by SIGTERM, and must end as such (exit 143)."""
    folder.mkdir(exist_ok=True)
    watch = start_watch(home, folder, log, *args)
    try:
        wait_until(lambda: "watching" in log.read_text(), 30, "the watch to start")
        yield watch
    finally:
        watch.send_signal(signal.SIGTERM)
        assert watch.wait(30) == 143
