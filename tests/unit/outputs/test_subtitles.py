"""Subtitle cues cut as subtitlers cut them (issue 33): outputs/subtitles and its `[subtitles]` limits."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stt_tui.jobs.transcript import Utterance, Word
from stt_tui.outputs.export import cues, render
from stt_tui.outputs.subtitles import NETFLIX, Piece, SubtitleLimits, cut, fits, on_screen, wrap
from stt_tui.outputs.timing import pieces
from stt_tui.settings.config import ConfigError, parse_config
from tests.support.transcripts import operation_json, parse_srt


def said(
    text: str, start: float = 0.0, pace: float = 0.3, pauses: dict[int, float] | None = None
) -> list[Piece]:
    """The words of `text` said one every `pace` s; `pauses`: silence before word k."""
    out, at = [], start
    for k, word in enumerate(text.split()):
        at += (pauses or {}).get(k, 0.0)
        out.append(Piece(word, at, at + pace * 0.8))
        at += pace
    return out


def texts(timed: list[Piece], bounds: list[tuple[int, int]]) -> list[str]:
    return [" ".join(p.text for p in timed[a:b]) for a, b in bounds]


LUCIER = (
    "I am sitting in a room different from the one you are in now. I am recording the sound of my speaking "
    "voice and I am going to play it back into the room again and again until the resonant frequencies of "
    "the room reinforce themselves"
)


def test_a_cue_ends_at_a_sentence_end_rather_than_where_the_lines_fill():
    timed = said(LUCIER)
    out = texts(timed, cut(timed))
    assert out[0] == "I am sitting in a room different from the one you are in now."
    assert all(fits(t.split(), NETFLIX) for t in out)


def test_no_one_or_two_word_orphan_where_the_speech_runs_on():
    """The issue's `in now`, `themselves`: the old cut left the last words of a sentence alone."""
    timed = said(LUCIER)
    assert all(len(t.split()) > 2 for t in texts(timed, cut(timed)))
    short = said("Yes.")
    assert texts(short, cut(short)) == ["Yes."]  # a phrase of one word is one cue


def test_a_pause_is_a_better_cut_than_a_full_line():
    text = "we went down to the river early in the morning and we waited there for the boat that never came"
    timed = said(text, pauses={10: 1.0})  # a second's silence before "and"
    assert texts(timed, cut(timed))[0] == "we went down to the river early in the morning"


def test_a_cue_is_never_longer_than_its_maximum_time():
    timed = said(" ".join(["word"] * 40), pace=0.5)
    for a, b in cut(timed):
        assert timed[b - 1].end - timed[a].start <= NETFLIX.max_seconds


def test_lines_break_after_punctuation_and_not_after_an_article():
    lines = wrap("I am sitting in a room, different from the one you are in now.".split(), NETFLIX)
    assert lines == ("I am sitting in a room,", "different from the one you are in now.")
    lines = wrap("then we looked at the enormous red building across the old".split(), NETFLIX)
    assert len(lines) == 2 and not lines[0].endswith((" the", " at", " a"))
    assert wrap("short enough".split(), NETFLIX) == ("short enough",)  # one line when it fits


def test_a_label_takes_room_on_the_first_line():
    words = "a line of exactly forty two characters ok".split()
    assert wrap(words, NETFLIX) == (" ".join(words),)
    assert len(wrap(words, NETFLIX, lead=len("Speaker 2: "))) == 2


def test_a_word_longer_than_a_line_is_never_cut():
    long = "x" * 60
    timed = said(f"a {long} b c")
    out = texts(timed, cut(timed))
    assert long in " ".join(out).split()
    assert all(len(line) <= 42 or line == long for t in out for line in wrap(t.split(), NETFLIX))


def test_a_cue_stays_until_it_can_be_read_unless_the_next_begins():
    ends = on_screen([(0.0, 0.3, 4), (5.0, 5.5, 60), (6.0, 6.5, 40), (6.6, 6.7, 4)], NETFLIX)
    assert ends[0] == pytest.approx(NETFLIX.min_seconds)  # the minimum time
    assert ends[1] == 6.0  # 3 s to read 60 characters, but the next cue begins at 6.0
    assert ends[2] == 6.6
    assert ends[3] == pytest.approx(6.6 + NETFLIX.min_seconds)


def test_a_corrected_phrase_shares_its_time_among_its_words_by_length():
    u = Utterance(1, "aa bbbb", 1.0, 4.0, (), edited=True)
    assert pieces(u) == [Piece("aa", 1.0, 2.0), Piece("bbbb", 2.0, 4.0)]


def test_words_keep_the_texts_punctuation_and_their_own_times():
    words = (Word("in", 0.0, 0.2), Word("twenty", 0.3, 0.5), Word("twenty", 0.5, 0.8), Word("we", 1.0, 1.2))
    u = Utterance(1, "In 2020, we", 0.0, 1.2, words)
    assert pieces(u) == [Piece("In", 0.0, 0.2), Piece("2020,", 0.3, 0.8), Piece("we", 1.0, 1.2)]


def test_the_issues_clip_as_srt_within_every_limit():
    """vosk_lucier.wav as the engine times it (one word every 0.3 s) through `render`."""
    words = [(w, 0.35 * k, 0.35 * k + 0.3) for k, w in enumerate(LUCIER.split())]
    subs = parse_srt(render(operation_json([(1, words)]), "srt"))
    for _, start, end, text in subs:
        assert all(len(line) <= 42 for line in text.split("\n")) and len(text.split("\n")) <= 2
        assert NETFLIX.min_seconds - 1e-3 <= end - start <= NETFLIX.max_seconds
        assert len(text.split()) > 2


def test_the_limits_are_the_renders_to_set():
    words = [(w, 0.35 * k, 0.35 * k + 0.3) for k, w in enumerate(LUCIER.split())]
    narrow = SubtitleLimits(line_chars=20, lines=1)
    subs = parse_srt(render(operation_json([(1, words)]), "srt", subtitles=narrow))
    assert all("\n" not in text and len(text) <= 20 for *_, text in subs)


# --- properties ---------------------------------------------------------------------------------------

word_texts = st.text(alphabet="abcdeéжz.,", min_size=1, max_size=14)
limits_strategy = st.builds(
    SubtitleLimits,
    line_chars=st.integers(8, 50),
    lines=st.integers(1, 3),
    min_seconds=st.floats(0.2, 1.5),
    max_seconds=st.floats(1.5, 8.0),
    chars_per_second=st.floats(5, 30),
)


@st.composite
def phrases(draw: st.DrawFn) -> list[Piece]:
    texts_ = draw(st.lists(word_texts, min_size=1, max_size=40))
    gaps = draw(st.lists(st.floats(0, 2), min_size=len(texts_), max_size=len(texts_)))
    lengths = draw(st.lists(st.floats(0, 1.5), min_size=len(texts_), max_size=len(texts_)))
    out, at = [], draw(st.floats(0, 100))
    for text, gap, length in zip(texts_, gaps, lengths, strict=True):
        at += gap
        out.append(Piece(text, at, at + length))
        at += length
    return out


PROPERTIES = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(timed=phrases(), limits=limits_strategy)
def test_every_word_is_kept_in_order_in_cues_within_the_limits(timed, limits):
    bounds = cut(timed, limits)
    assert [k for a, b in bounds for k in range(a, b)] == list(range(len(timed)))  # each word once, in order
    for a, b in bounds:
        words = [p.text for p in timed[a:b]]
        if b - a > 1:  # only a word alone may break a limit
            assert fits(words, limits)
            assert timed[b - 1].end - timed[a].start <= limits.max_seconds
        lines = wrap(words, limits)
        assert " ".join(lines) == " ".join(words)
        assert len(lines) <= limits.lines or b - a == 1
        assert all(len(line) <= limits.line_chars or " " not in line for line in lines)


@PROPERTIES
@given(timed=phrases(), limits=limits_strategy)
def test_one_phrases_cues_keep_its_words_in_order_and_do_not_overlap(timed, limits):
    words = tuple(Word(p.text, p.start, p.end) for p in timed)
    u = Utterance(1, " ".join(p.text for p in timed), timed[0].start, timed[-1].end, words)
    made = cues([u], limits)
    assert " ".join(c.text for c in made) == u.text
    assert [c.start for c in made] == sorted(c.start for c in made)
    assert all(c.end > c.start for c in made)
    # A cue said in no time (words timed 0 s) is still shown 0.2 s, whatever follows.
    assert all(a.end <= max(b.start, a.start + 0.2) + 1e-9 for a, b in zip(made, made[1:], strict=False))


@PROPERTIES
@given(
    spans=st.lists(
        st.tuples(st.floats(0, 50), st.floats(0, 9), st.integers(0, 200)), min_size=1, max_size=20
    ),
    limits=limits_strategy,
)
def test_a_cue_is_kept_longer_only_until_the_next_begins(spans, limits):
    shown = sorted((start, start + length, chars) for start, length, chars in spans)
    ends = on_screen(shown, limits)
    for k, ((start, end, _), until) in enumerate(zip(shown, ends, strict=True)):
        later = shown[k + 1][0] if k + 1 < len(shown) else float("inf")
        assert until >= end and until > start  # never hidden before it is said, never empty
        assert until <= max(end, start + 0.2, min(later, start + limits.max_seconds)) + 1e-9


# --- config.toml ----------------------------------------------------------------------------------------


def test_the_limits_are_read_from_config_toml():
    config = parse_config("[subtitles]\nline_chars = 37\nlines = 1\nchars_per_second = 17\n", Path("/c.toml"))
    assert config.subtitles == SubtitleLimits(line_chars=37, lines=1, chars_per_second=17.0)
    assert parse_config("", Path("/c.toml")).subtitles == NETFLIX


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[subtitles]\nline_chars = 0", "/c.toml: subtitles.line_chars must be positive, not 0."),
        ('[subtitles]\nlines = "two"', "/c.toml: subtitles.lines must be a whole number, not 'two'."),
        ("[subtitles]\nlines = 4", "/c.toml: subtitles.lines must be 1, 2 or 3, not 4."),
        (
            "[subtitles]\nmin_seconds = 8",
            "/c.toml: subtitles.min_seconds (8) must not exceed max_seconds (7).",
        ),
        ("[subtitles]\ncps = 20", "Unknown setting 'cps' in /c.toml: subtitles; known: chars_per_second,"),
        ('subtitles = "netflix"', "/c.toml: subtitles must be a table, not 'netflix'."),
    ],
)
def test_a_bad_limit_is_one_clear_sentence(text, said):
    with pytest.raises(ConfigError) as caught:
        parse_config(text, Path("/c.toml"))
    assert str(caught.value).startswith(said)
