"""The home and its files: private in a folder others can read, bad settings refused in a sentence."""

from __future__ import annotations

import stat

import pytest

from stt_tui.history import History
from stt_tui.shared.paths import MAX_SOCKET_PATH, PathsError, resolve_paths


def test_private_files_in_a_folder_others_can_read(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    History(home / "history.sqlite3").close()
    assert stat.S_IMODE((home / "history.sqlite3").stat().st_mode) == 0o600
    assert not [p.name for p in home.iterdir() if stat.S_IMODE(p.stat().st_mode) != 0o600]
    for name in ("history.sqlite3", "history.sqlite3-wal"):
        (home / name).touch()
        (home / name).chmod(0o644)
    History(home / "history.sqlite3").close()  # an older history, or one another umask made
    assert stat.S_IMODE((home / "history.sqlite3").stat().st_mode) == 0o600
    from stt_tui.engine.store import OperationStore

    store = OperationStore(home / "engine.sqlite3")
    store.add("x" * 20, spec=b"", audio_path="/a", audio_owned=False, deferred=False)
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in home.glob("engine*")} == {
        "engine.sqlite3": 0o600, "engine.sqlite3-wal": 0o600, "engine.sqlite3-shm": 0o600
    }
    store.close()


def test_home_settings(tmp_path, monkeypatch):
    with pytest.raises(PathsError):
        resolve_paths("")
    monkeypatch.setenv("STT_TUI_HOME", " ")
    with pytest.raises(PathsError):
        resolve_paths(None)
    deep = tmp_path / ("d" * 120)
    paths = resolve_paths(deep)
    assert len(str(paths.engine_socket)) <= MAX_SOCKET_PATH
    assert resolve_paths(tmp_path).engine_socket == tmp_path / "engine" / "engine.sock"
