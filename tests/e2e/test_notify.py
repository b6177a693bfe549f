"""Notices where a terminal user sees them: the escape sequence the terminal announces it takes, from the
CLI's waits (through a real pseudo-terminal) and from the TUI while it is not focused, summed up; off by
config.toml's `notify = false`; nothing for a terminal that announces none, nor for a pipe."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time

from stt_tui.history import History
from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.outputs.notify import endings, sequence
from tests.support.audio_helpers import clip
from tests.support.homes import STT_TUI
from tests.support.transcripts import operation_json
from tests.support.tui_helpers import RecordingApp
from tests.support.waiting import wait_for

SHORT = clip("ps_cards_001.wav")


def test_the_sequence_is_the_one_the_terminal_announces():
    assert sequence({"TERM": "xterm-kitty"}, "stt-tui", "1 done") == (
        "\x1b]99;i=1:d=0;stt-tui\x1b\\\x1b]99;i=1:d=1:p=body;1 done\x1b\\"
    )
    assert sequence({"VTE_VERSION": "7600"}, "stt-tui", "1 done") == "\x1b]777;notify;stt-tui;1 done\x1b\\"
    assert sequence({"TERM": "foot"}, "t", "b").startswith("\x1b]777;notify;")
    for env in ({"TERM_PROGRAM": "iTerm.app"}, {"TERM_PROGRAM": "WezTerm"}, {"WT_SESSION": "x"}):
        assert sequence(env, "stt-tui", "2 done") == "\x1b]9;stt-tui: 2 done\x07"
    wrapped = sequence({"TERM_PROGRAM": "WezTerm", "TMUX": "/tmp/tmux-0/default,1,0"}, "stt-tui", "x")
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;stt-tui: x\x07\x1b\\"  # passed through tmux to the terminal
    assert sequence({"TERM": "xterm-256color"}, "stt-tui", "1 done") == ""  # announces nothing: no notice
    # A file name cannot end the sequence or start another.
    odd = sequence({"TERM_PROGRAM": "WezTerm"}, "t", "a\x07b\x1b]9;x;y")
    assert odd == "\x1b]9;t: a\\x07b\\x1b]9,x,y\x07"
    assert endings(["done", "failed", "done"]) == "2 done · 1 failed"


def run_in_a_terminal(args: list[str], env: dict[str, str], timeout: float = 300) -> bytes:
    """The command on a real pseudo-terminal (stdin, stdout, stderr), and every byte it wrote there."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    written = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other side closed: the command ended
                break
            if not chunk:
                break
            written += chunk
        elif proc.poll() is not None:
            break
    proc.wait(30)
    os.close(master)
    assert proc.returncode == 0, written.decode(errors="replace")
    return written


def test_a_wait_in_a_terminal_that_takes_them_ends_with_a_notification(home, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "DISPLAY", "WAYLAND_DISPLAY")}
    env.update(STT_TUI_HOME=str(home), TERM_PROGRAM="WezTerm", TERM="xterm-256color")
    written = run_in_a_terminal([STT_TUI, "submit", str(SHORT.path), "--wait"], env)
    assert b"\x1b]9;stt-tui: 1 done\x07" in written
    home.joinpath("config.toml").write_text("notify = false\n")
    again = run_in_a_terminal([STT_TUI, "submit", str(SHORT.path), "--again", "--wait"], env)
    assert b"\x1b]9;" not in again and b"done" in again  # the wait itself as ever
    home.joinpath("config.toml").unlink()
    piped = subprocess.run([STT_TUI, "submit", str(SHORT.path), "--again", "--wait"], env=env,
                           capture_output=True, check=False)  # fmt: skip
    assert piped.returncode == 0 and b"\x1b]" not in piped.stderr + piped.stdout  # not a terminal


class EscapingApp(RecordingApp):
    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.escapes: list[str] = []

    def write_escape(self, sequence: str) -> None:
        self.escapes.append(sequence)


async def test_the_tui_out_of_focus_notifies_jobs_that_end_once_for_all(home, tmp_path, monkeypatch):
    from stt_tui.settings.config import load_profile
    from stt_tui.shared.paths import resolve_paths

    monkeypatch.setenv("TERM_PROGRAM", "WezTerm")
    for name in ("TMUX", "DISPLAY", "WAYLAND_DISPLAY", "KITTY_WINDOW_ID", "VTE_VERSION", "WT_SESSION"):
        monkeypatch.delenv(name, raising=False)
    history = History(home / "history.sqlite3")
    ids = []
    for name in ("a.wav", "b.wav"):
        job = history.add_submitting(profile="local", file_path=f"/audio/{name}", options=RequestOptions())
        history.mark_submitted(job.id, f"op{job.id:018d}", time.time(), time.time() + 40)  # not due soon
        ids.append(job.id)
    app = EscapingApp(resolve_paths(home), load_profile(None), tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        # The jobs not finished are loaded with the service, and counted on the status line.
        loaded = lambda: app.service is not None and app.main.status.running == 2  # noqa: E731
        await wait_for(pilot, loaded, what="the jobs")
        app.app_focus = False  # the person is in another window
        history.store_result(ids[0], operation_json())  # another process sees them end
        history.store_result(ids[1], operation_json(), state=JobState.FAILED, error="Invalid audio.")
        await wait_for(pilot, lambda: app.escapes, timeout=15, what="the notification")
        assert app.escapes == ["\x1b]9;stt-tui: 1 done · 1 failed\x07"]  # one for both
        app.app_focus = True
        job = history.add_submitting(profile="local", file_path="/audio/c.wav", options=RequestOptions())
        history.mark_submitted(job.id, f"op{job.id:018d}", time.time(), time.time() + 40)
        await wait_for(pilot, lambda: app.main.status.running == 1, what="the third job")
        history.store_result(job.id, operation_json())
        await wait_for(pilot, lambda: app.main.status.running == 0, what="its end")
        # Looked at: the status line says it, the terminal need not (nothing is gathered to be sent).
        assert app._unseen == [] and len(app.escapes) == 1
    history.close()
