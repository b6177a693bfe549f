"""A file name holding terminal sequences or a newline, in the lines the dialogs and the activity line
make of it: shown escaped, never written to the terminal as it is (the submit dialog drew `RED` in red and
set tmux's pane title; a newline split its line)."""

from __future__ import annotations

from pathlib import Path

from stt_tui.jobs.model import JobState
from stt_tui.service.content import known_from
from stt_tui.tui.screens.same_audio import same_audio_text
from stt_tui.tui.screens.submit import file_summary, folder_summary
from stt_tui.tui.widgets.activity import activity_label
from tests.support.jobs import job

HOSTILE = "esc\x1b[31mRED\x1b]0;TITLE\x07 new\nline\u202e.wav"


def test_a_hostile_name_is_shown_escaped_in_every_line_made_of_it():
    known = known_from([job(id=3, state=JobState.DONE, has_result=True)])
    assert known is not None
    lines = [
        file_summary([Path("/a") / HOSTILE]),
        folder_summary(Path("/a") / HOSTILE, None, None),
        folder_summary(Path("/a") / HOSTILE, 2, 3),
        same_audio_text({Path("/a") / HOSTILE: known}, 1).splitlines()[1],
        activity_label(HOSTILE, "reading", 0),
    ]
    for line in lines:
        assert not any(ord(c) < 0x20 or c == "\u202e" for c in line), repr(line)
        assert "esc\\x1b[31mRED\\x1b]0;TITLE\\x07 new\\nline\\u202e.wav" in line
