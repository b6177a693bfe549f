"""What reaches a terminal and how sentences are put together: controls escaped, no doubled punctuation."""

from __future__ import annotations

from stt_tui.outputs.formatting import job_row, json_text
from stt_tui.shared.wording import clause, detail, plural, printable, quoted
from tests.support.jobs import job


def test_control_characters_never_reach_a_terminal():
    name = "\x1b[31mred\nfile\u202e.wav"
    assert printable(name) == "\\x1b[31mred\\nfile\\u202e.wav"
    assert printable("line one\nline two\x07", lines=True) == "line one\nline two\\x07"
    row = job_row(job(file_path=f"/music/{name}", operation_id="op\x1b[2J"), 2000.0)
    assert not any(c in cell for cell in row for c in "\x1b\n\u202e")
    # JSON escapes C0 by itself; C1 and bidi controls are escaped too, and the JSON stays valid.
    text = json_text({"file": "a\x9b31mb\u202e"})
    assert "\x9b" not in text and "\u202e" not in text
    import json

    assert json.loads(text) == {"file": "a\x9b31mb\u202e"}


def test_sentences_nest_without_doubled_punctuation_or_empty_parentheses():
    assert clause("The model cannot do it (start the engine with --model).") == (
        "The model cannot do it (start the engine with --model)"
    )
    assert detail("") == "" and detail(None) == ""
    assert detail("can't sync.") == " (can't sync)"
    assert plural(1, "phrase") == "1 phrase" and plural(2, "phrase") == "2 phrases"
    assert plural(2, "match") == "2 matches" and plural(1, "match") == "1 match"
    huge = quoted("x" * 1_000_000)
    assert len(huge) < 80


def test_terminal_text_shows_invisible_and_bidi_characters_escaped():
    from stt_tui.shared.wording import printable

    tricky = "ls\u2028sep\u200bzw\u061c\ufeff.wav"
    assert printable(tricky) == "ls\\u2028sep\\u200bzw\\u061c\\ufeff.wav"
    assert printable("a\u2029b\nc", lines=True) == "a\\u2029b\nc"
    assert printable("👨\u200d👩 کتاب\u200cها") == "👨\u200d👩 کتاب\u200cها"  # joiners are part of the text
