"""The installed `stt-tui` in a real terminal (tmux, 80×24): first frame, keys, the screen read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid

import pytest

from tests.support.audio_helpers import clip
from tests.support.histories import sql_on
from tests.support.homes import STT_TUI, stop_engine
from tests.support.silent_server import call_in_flight, silent_server
from tests.support.terminal import Terminal
from tests.support.waiting import wait_until

SHORT = clip("ds_arctic_a0024.wav")


@pytest.fixture
def terminal() -> Terminal:  # type: ignore[misc]
    # A server of its own for each test: a new session meeting the last test's server as it exits failed
    # with "server exited unexpectedly" (seen in CI).
    term = Terminal(f"stt-smoke-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    yield term
    subprocess.run([*term.base, "kill-server"], capture_output=True, check=False)


def test_the_installed_app_in_a_real_terminal(terminal, short_tmp):
    home, folder = short_tmp / "home", short_tmp / "talks"
    folder.mkdir()
    shutil.copy(SHORT.path, folder / SHORT.path.name)
    status = short_tmp / "exit-status"
    command = f"STT_TUI_HOME={home} {STT_TUI} {folder}; echo $? > {status}; sleep 60"
    try:
        started = time.monotonic()
        terminal.start(80, 24, command)
        first = terminal.wait_for("Jobs (0)", "Quit", "checks/h")
        first_frame = time.monotonic() - started
        lines = first.splitlines()
        assert len(lines) == 24 and all(len(line) <= 80 for line in lines)
        assert "Submit" in lines[-1] and "Quit" in lines[-1]  # the footer
        assert "local" in lines[-2] and "checks/h" in lines[-2]  # the status line

        terminal.keys("Down")
        screen = terminal.wait_for("ready · sent as LINEAR16_PCM")
        assert "1 ch · 16 kHz" in screen

        terminal.keys("?")
        screen = terminal.wait_for("Keys")
        assert "Mark or unmark the file" in screen
        terminal.keys("Escape")
        terminal.wait_for("Jobs (0)")

        terminal.keys("Tab", "/")
        terminal.wait_for("filter: words in the file name")
        terminal.keys("z", "z")
        terminal.wait_for("│ zz ")
        terminal.keys("Escape")
        # Not a proof but the pace of typing: a lone Escape is told from the start of an escape sequence
        # by the pause after it (at once, Escape and `q` would be read as Alt+q). The screen shows no sign
        # of the Escape taken (the filter box stays, unfocused) to wait for instead.
        time.sleep(0.3)
        terminal.keys("q")
        wait_until(status.exists, 20, "the app to end", every=0.1)
        assert status.read_text().strip() == "0"
        print(f"first frame after {first_frame:.2f} s")
    finally:
        stop_engine(home)


def test_quitting_does_not_wait_for_a_call_in_flight(terminal, short_tmp):
    """A status check is stuck on a server that never answers (30 s deadline): `q` ends the app now."""
    from stt_tui.history import History
    from stt_tui.jobs.model import RequestOptions

    silent = silent_server()
    port = silent.getsockname()[1]
    home = short_tmp / "home"
    home.mkdir()
    config = home / "config.toml"
    config.write_text(
        f'default_profile = "slow"\n[profiles.slow]\nkind = "cloud"\nstt_endpoint = "127.0.0.1:{port}"\n'
        f'operation_endpoint = "127.0.0.1:{port}"\napi_key = "not-a-real-key"\n'
    )
    config.chmod(0o600)
    history = History(home / "history.sqlite3")
    job = history.add_submitting(profile="slow", file_path="/audio/a.wav", options=RequestOptions())
    history.mark_submitted(job.id, "e03aaaaaaaaaaaaaaaaa", time.time() - 60, time.time())  # due now
    history.close()
    status = short_tmp / "exit-status"
    command = f"STT_TUI_HOME={home} {STT_TUI} {short_tmp}; echo $? > {status}; sleep 60"
    try:
        terminal.start(80, 24, command)
        terminal.wait_for("Jobs (1)", "checks/h")
        conn = call_in_flight(silent)  # the check is on its way to a server that will not answer
        asked = time.monotonic()
        terminal.keys("q")
        wait_until(status.exists, 30, "the app to end", every=0.05)
        took = time.monotonic() - asked
        assert status.read_text().strip() == "0"
        print(f"quit with a call in flight: {took:.2f} s")
        assert took < 5, f"quitting took {took:.1f} s: it waited for the call"
        conn.close()
    finally:
        silent.close()


def test_a_hundred_thousand_jobs_open_at_80x24(terminal, short_tmp):
    """The installed app over 100,000 jobs: it opens, G reaches job #1, and / filters."""
    from stt_tui.history import History

    home = short_tmp / "home"
    History(home / "history.sqlite3").close()  # made at the current schema
    with sql_on(home / "history.sqlite3") as db:
        db.execute("BEGIN")
        db.executemany(
            "INSERT INTO jobs (profile, state, file_path, options, created_at, operation_id) "
            "VALUES ('local', 'done', ?, '{}', ?, ?)",
            [(f"/recordings/meeting-{n:06d}.wav", 1_700_000_000 + n, f"op{n:018d}")
             for n in range(1, 100_001)],  # fmt: skip
        )
        db.execute("COMMIT")
    command = f"STT_TUI_HOME={home} {STT_TUI} {short_tmp}; sleep 60"
    try:
        terminal.start(80, 24, command)
        screen = terminal.wait_for("Jobs (100,000)", "meeting-100000.wav")
        terminal.keys("Tab")
        terminal.wait_for("Jobs (100,000)")
        terminal.keys("G")
        screen = terminal.wait_for("meeting-000001.wav")
        assert "│1 " in screen or "│1  " in screen  # job #1 on the last row of the list
        terminal.keys("/")
        terminal.wait_for("filter: words in the file name")
        terminal.keys(*"meeting-04242")
        screen = terminal.wait_for("Jobs (10 of 100,000")  # meeting-042420 ... meeting-042429
        assert "meeting-042429.wav" in screen and "meeting-100000.wav" not in screen
    finally:
        stop_engine(home)


def test_it_opens_where_it_is_started_the_home_folder_as_a_tilde_and_leaves_a_clean_screen(
    terminal, short_tmp
):
    """No FOLDER: the current folder, as `--help` says (the home folder titled `~`). At 200×50, after `q`
    nothing of the UI stays on the screen: the shell's own lines come back (the alternate screen)."""
    user = short_tmp / "user"  # the home folder of this run
    (user / "talks").mkdir(parents=True)
    shutil.copy(SHORT.path, user / "talks" / SHORT.path.name)
    home = short_tmp / "home"
    command = (
        f"cd {user} && echo before the app && HOME={user} STT_TUI_HOME={home} {STT_TUI}; "
        f"echo after the app, exit $?; sleep 60"
    )
    try:
        terminal.start(200, 50, command)
        screen = terminal.wait_for("Jobs (0)", "checks/h")
        lines = screen.splitlines()
        assert lines[0].startswith("╭─ ~ ─") and "📂 ~" in lines[1]  # not `~/.` nor its own name
        assert "📁 talks" in screen
        terminal.keys("q")
        screen = terminal.wait_for("after the app, exit 0")
        drawn = [line for line in screen.splitlines() if line.strip()]
        assert drawn == ["before the app", "after the app, exit 0"], screen
    finally:
        stop_engine(home)


def whole_keys(footer: str) -> bool:
    """Whether every key left of `? Help` is shown with its name (not "w ▏", its name cut away)."""
    keys = [key for key in footer.split("▏")[0].strip().split("  ") if key.strip()]
    return bool(keys) and all(" " in key.strip() for key in keys)


def test_the_help_key_fits_at_60x20(terminal, short_tmp):
    home = short_tmp / "home"
    command = f"STT_TUI_HOME={home} {STT_TUI} {short_tmp}; sleep 60"
    try:
        terminal.start(60, 20, command)
        last = lambda screen: screen.splitlines()[-1]  # noqa: E731
        whole = lambda screen: whole_keys(last(screen))  # noqa: E731
        screen = terminal.wait_for("Jobs (0)", "engine off", "^p Commands", until=whole)
        assert "? Help" in last(screen) and "^p Commands" in last(screen)
        terminal.keys("Tab")  # the job list's keys are more, and longer
        footer = last(terminal.wait_for("⏎ Transcript", "? Help", until=whole))
        assert "? Help" in footer and "⏎ Transcript" in footer
        terminal.keys("?")
        terminal.wait_for("Keys")
    finally:
        stop_engine(home)


def test_a_burst_of_keys_into_the_search_loses_none(terminal, short_tmp):
    """Ctrl+F, 10×Backspace and `countz` in one send-keys (one read, as over SSH): the box holds
    `countz` every time (it ended `coun`, `co` or empty)."""
    home = short_tmp / "home"
    command = f"STT_TUI_HOME={home} {STT_TUI} {short_tmp}; sleep 60"
    try:
        terminal.start(80, 24, command)
        terminal.wait_for("Jobs (0)", "checks/h")
        for _ in range(5):
            terminal.keys("C-f", *["BSpace"] * 10, *"countz")
            screen = terminal.wait_for("Search every transcript", "No phrase matches.")
            assert "▊  countz " in screen, screen
            terminal.keys("Escape")
            terminal.wait_for("Jobs (0)", until=lambda screen: "Search every transcript" not in screen)
    finally:
        stop_engine(home)
