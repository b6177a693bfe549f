"""Searching every transcript: the query a person types, the index kept with the history (ё as е, case and
diacritics folded, ranked), forgotten and corrected phrases, a history from before the index, the CLI."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from stt_tui.history import MIGRATIONS, History
from stt_tui.history.search import (
    LONG_PHRASE,
    MARK_END,
    MARK_START,
    QueryError,
    fold,
    parse_query,
)
from stt_tui.service.indexing import build_index
from tests.support.audio_helpers import clip
from tests.support.histories import done_job, hits
from tests.support.homes import stt
from tests.support.transcripts import operation_json


def test_a_query_is_words_phrases_prefixes_and_filters():
    q = parse_query('budget "next year" budg* lang:ru after:2026-11-01 before:2026-11-30 profile:yandex')
    assert q.match == '"budget" "next year" "budg"*'
    assert (q.language, q.profile) == ("ru", "yandex")
    assert q.since is not None and q.until is not None and q.until - q.since == 30 * 86400
    assert parse_query("Ёлка").match == '"Елка"'  # folded as the index is
    assert parse_query('a(b OR NOT x"y" -- :').match == '"a(b" "OR" "NOT" "xy"'  # nothing read as FTS5 syntax
    assert parse_query('say "it\'s ""fine"""').match == '"say" "it\'s fine"'
    assert parse_query('"unclosed quote').match == '"unclosed quote"'
    assert parse_query("lang:en").match == ""  # filters alone name nothing to find
    with pytest.raises(QueryError, match="after:yesterday is not a date"):
        parse_query("budget after:yesterday")
    assert fold("зелёная ЁЛКА") == "зеленая ЕЛКА"


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    h = History(tmp_path / "history.sqlite3")
    yield h
    h.close()


def test_a_word_is_found_in_english_and_russian_transcripts_and_ranked(history):
    en = done_job(history, "board.wav", ["we talked about the weather", "the budget for the next year",
                                         "budget budget budget, the budget again"])  # fmt: skip
    ru = done_job(history, "совет.wav", ["Обсудили бюджет на ёлку", "зелёная ёлка в офисе"], "ru-RU")
    assert hits(history, "елка") == [(ru.id, 1)]  # ё read as е, both ways
    assert hits(history, "ЁЛКУ") == [(ru.id, 0)]  # the word as written (no stemming), any case
    assert hits(history, "зеленая") == [(ru.id, 1)]
    ranked = hits(history, "budget")
    assert ranked[0] == (en.id, 2) and set(ranked) == {(en.id, 1), (en.id, 2)}  # more of it ranks first
    assert hits(history, '"budget for the next"') == [(en.id, 1)]
    assert hits(history, '"next the budget"') == []  # in that order only
    assert {h for h in hits(history, "budg*")} == {(en.id, 1), (en.id, 2)}
    assert hits(history, "budget lang:ru") == [] and hits(history, "бюджет lang:ru") == [(ru.id, 0)]
    assert hits(history, "budget profile:yandex") == []
    newest = [(h.job_id, h.n) for h in history.search(parse_query("budget"), ranked=False)]
    assert newest == [(en.id, 2), (en.id, 1)]  # at once, the newest phrase first, before any ranking
    (hit,) = history.search(parse_query('"next year"'))
    assert hit.file_path == "/audio/board.wav" and hit.start == 10.0 and hit.channel == 1
    assert hit.snippet == f"the budget for the {MARK_START}next year{MARK_END}"
    for odd in ('a(b OR NOT x"y" -- :', "NEAR(a b)", "*", '"', "col:umn", "^start"):
        history.search(parse_query(odd))  # never an FTS5 syntax error
    (hit,) = history.search(parse_query("елку"))
    assert f"{MARK_START}ёлку{MARK_END}" in hit.snippet  # marked in the text as it was written


def test_a_forgotten_job_leaves_the_index_and_a_changed_phrase_is_found_by_its_new_words(history):
    job = done_job(history, "talk.wav", ["the budget is approved", "see you on monday"])
    other = done_job(history, "other.wav", ["no budget talk here"])
    history.correct(job.id, 0, 1, "the plan is approved")
    assert hits(history, "budget") == [(other.id, 0)] and hits(history, "plan") == [(job.id, 0)]
    history.uncorrect(job.id, 0, "the budget is approved")  # back to what was recognized
    assert (job.id, 0) in hits(history, "budget") and hits(history, "plan") == []
    history.forget(job.id)
    assert hits(history, "budget") == [(other.id, 0)] and hits(history, "monday") == []
    db = sqlite3.connect(history.path)
    assert db.execute("SELECT COUNT(*) FROM phrases WHERE job_id=?", (job.id,)).fetchone()[0] == 0
    db.close()


def test_a_history_from_before_the_index_gets_it_in_the_background(tmp_path):
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    for n in range(1, 11):
        db.executescript(MIGRATIONS[n])
    db.execute(
        "INSERT INTO jobs (profile, state, file_path, options, created_at) VALUES "
        """('local', 'done', '/a/old.wav', '{"language": "en-US"}', 1)"""
    )
    stored = "INSERT INTO results (job_id, operation_json, stored_at) VALUES (1, ?, 2)"
    db.execute(stored, (operation_json(),))
    db.execute("PRAGMA user_version=10")
    db.commit()
    db.close()
    history = History(path)
    try:
        assert history.index_counts() == (0, 1) and hits(history, "hello") == []  # opened at once
        seen: list[tuple[int, int]] = []
        assert build_index(history, lambda done, total: seen.append((done, total))) == 1
        assert seen[-1] == (1, 1) and hits(history, "hello") == [(1, 0)]
        assert build_index(history) == 0  # whole: nothing more to do
    finally:
        history.close()


SHORT = clip("ds_arctic_a0024.wav")  # "It was my reports from the north which chiefly induced people to buy."


def test_the_cli_prints_a_line_per_hit_and_exits_1_when_nothing_matches(module_home):
    sent = stt(module_home, "submit", str(SHORT.path), "--wait", "--json")
    assert sent.returncode == 0, sent.stderr
    (job,) = json.loads(sent.stdout)
    found = stt(module_home, "search", "NORTH")
    assert found.returncode == 0, found.stderr
    (line,) = found.stdout.splitlines()
    assert line.startswith(f"#{job['id']} ds_arctic_a0024.wav 00:00:0") and " ch1  " in line
    assert "north" in line.lower()
    as_json = json.loads(stt(module_home, "search", "repor*", "--json").stdout)
    assert [h["job"] for h in as_json] == [job["id"]]
    assert re.search(r"\brepor\w* from the north", as_json[0]["text"].lower())  # "reports", or "report"
    nothing = stt(module_home, "search", "zanzibar")
    assert nothing.returncode == 1 and nothing.stdout == "" and nothing.stderr == ""
    assert stt(module_home, "search", "north", "--since", "2999-01-01").returncode == 1
    bad = stt(module_home, "search", "north", "--since", "soon")
    assert bad.returncode == 2 and "since:soon" not in bad.stderr and "is not a date" in bad.stderr
    only_filters = stt(module_home, "search", "lang:en")
    assert only_filters.returncode == 2 and "Give some words to search for" in only_filters.stderr


def test_a_file_name_cannot_forge_a_line_of_the_search(module_home, tmp_path):
    forged = tmp_path / "nl\n#99 fake.wav 00:00:00 ch1  north\t\x1b[31mred.wav"
    forged.write_bytes(SHORT.path.read_bytes())
    sent = stt(module_home, "submit", str(forged), "--again", "--wait", "--json")
    assert sent.returncode == 0, sent.stderr
    (job,) = json.loads(sent.stdout)
    found = stt(module_home, "search", "north", "--limit", "100")
    assert found.returncode == 0, found.stderr
    lines = found.stdout.splitlines()
    assert all(re.match(r"#\d+ ", line) for line in lines) and not any("#99" in line[:4] for line in lines)
    (mine,) = [line for line in lines if line.startswith(f"#{job['id']} ")]
    assert "nl\\n#99 fake.wav" in mine and "\\t\\x1b[31mred.wav" in mine and "\x1b" not in found.stdout
    (hit,) = [
        h for h in json.loads(stt(module_home, "search", "north", "--json").stdout) if h["job"] == job["id"]
    ]
    assert hit["file"] == str(forged)  # scripts get the name itself


HOSTILE_QUERIES = ["don't", "'", '"', 'a "b', "*", "-", "--", "NEAR", "NEAR(a b, 2)", "AND", "a OR b",
                   "NOT", "(", ")", "a:b", "^x", "x*y", "{a b}", "north+", "\\", "col:north", "\x00",
                   "north \x1b[2J", "\u202enorth", "x" * 5000]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE_QUERIES)
def test_any_text_is_a_query(history, text):
    done_job(history, "talk.wav", ["don't stop near the north", "and or not"])
    history.search(parse_query(text))  # never an error from FTS5 or the parser
    history.search(parse_query(text), ranked=False)


def test_the_cli_takes_any_text_with_meaningful_exit_codes(module_home):
    found = stt(module_home, "search", "north's")  # an apostrophe: shlex once ended here with a traceback
    assert found.returncode == 1 and found.stdout == "" and found.stderr == ""
    assert stt(module_home, "search", "North", "don't").returncode == 1
    assert (
        stt(module_home, "search", 'north "from the').returncode == 0
    )  # a quote left open closes at the end
    for text in ("'", "*", "-", "   ", "", '"', "--"):
        bad = stt(module_home, "search", "--", text)
        assert bad.returncode == 2, (text, bad.stderr)
        assert bad.stderr.count("\n") == 1 and "Give some words to search for" in bad.stderr
    for text in ("NEAR", "AND", "NEAR(north reports)", "north AND", "(north)", "^north", "north*"):
        result = stt(module_home, "search", text)
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr, (text, result.stderr)
    assert (
        stt(module_home, "search", "(north)").returncode == 0
        and stt(module_home, "search", "AND").returncode == 1
    )
    spaced = stt(module_home, "search", "north", "--language", "en US")
    assert spaced.returncode == 1 and spaced.stderr == ""  # a filter, not a word to find


def marked(snippet: str) -> str:
    return snippet.replace(MARK_START, "[").replace(MARK_END, "]")


def test_a_phrase_too_long_for_snippet_gets_the_words_around_its_first_match(history):
    filler = "lorem ipsum " * (LONG_PHRASE // 12)
    text = filler + "the budget for the Next Year, was Ёлка's " + filler
    job = done_job(history, "long.wav", [text, "short next"])
    (hit,) = history.search(parse_query('"next year" ёлка'))
    assert (hit.job_id, hit.n) == (job.id, 0)
    words = "…budget for the [Next Year], was [Ёлка]'s lorem ipsum lorem ipsum lorem ipsum…"
    assert marked(hit.snippet) == words  # SNIPPET_TOKENS words, from three before the first match
    (hit,) = history.search(parse_query("budg* елка"))
    assert "[budget]" in marked(hit.snippet) and len(hit.snippet) < 200
    far = done_job(history, "far.wav", ["lorem " * 50_000 + "zebra"])
    (hit,) = history.search(parse_query("zebra"))  # beyond what is looked at: the phrase's first words
    assert hit.job_id == far.id and hit.snippet == "lorem " * 13 + "lorem…"
