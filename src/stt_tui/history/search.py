"""Every stored transcript, searchable phrase by phrase: what is indexed (folded: case, diacritics, ё as е),
how a person's query becomes an FTS5 one (quoted phrases, prefixes, filters by profile, language and date),
and the reads and writes of the index. The phrases themselves come from the caller (outputs/export.py
reads them out of a stored result); the history only keeps and searches them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from stt_tui.history.database import Database, Row
from stt_tui.shared.names import real

MARK_START, MARK_END = "\x02", "\x03"  # around each match in a hit's snippet
SNIPPET_TOKENS = 14
_FOLDS = str.maketrans({"ё": "е", "Ё": "Е"})  # unicode61 folds Latin diacritics, not this letter


def fold(text: str) -> str:
    """The text as the index sees it: ё read as е (case and diacritics the tokenizer folds itself)."""
    return text.translate(_FOLDS)


@dataclass(frozen=True)
class Phrase:
    """One phrase of a transcript, as the index keeps it."""

    n: int  # its place in the transcript, in time order from 0
    channel: int
    speaker: bool
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Query:
    """A search as a person typed it, taken apart: the FTS5 match and the filters."""

    match: str  # the FTS5 query; "" when only filters (or nothing) were given
    profile: str | None = None
    language: str | None = None
    since: float | None = None
    until: float | None = None
    words: tuple[str, ...] = field(default=())  # what is searched for, as typed (for sentences)


class QueryError(ValueError):
    """The query cannot be read; one sentence."""


_SURROGATE = re.compile("[\ud800-\udfff]")
_FILTERS = ("profile", "lang", "language", "after", "since", "before", "until")


def _day(value: str, key: str) -> float:
    try:
        return datetime.strptime(value, "%Y-%m-%d").timestamp()
    except (ValueError, OverflowError, OSError):  # not a date, or one this machine's clock cannot hold
        raise QueryError(f"{key}:{value} is not a date; write it as 2026-11-30.") from None


def _parts(text: str) -> list[str]:
    """The words of a query: split at spaces except "between double quotes", which are dropped (pure).

    Only the double quote groups: an apostrophe (don't), a backslash and every other character are part of
    a word as typed, and a quote left open closes at the end. Never fails, whatever the text.
    """
    parts: list[str] = []
    word: list[str] = []
    quoted = started = False
    for c in text:
        if c == '"':
            quoted, started = not quoted, True
        elif c.isspace() and not quoted:
            if started:
                parts.append("".join(word))
            word, started = [], False
        else:
            word.append(c)
            started = True
    if started:
        parts.append("".join(word))
    return parts


def parse_query(text: str) -> Query:
    """`budget "next year" budg* lang:ru after:2026-11-01 profile:yandex` -> a Query (pure).

    Words must all be there (in any order); "quoted words" in that order; a trailing * takes any ending.
    Every term is quoted for FTS5, so no character a person types is read as its syntax. Any text is a
    query: the only error is a date filter that is not a date.
    """
    # Bytes that were not UTF-8 (argv holds them as lone surrogates) cannot be bound to SQLite: they are
    # read as U+FFFD, which no transcript holds.
    parts = _parts(_SURROGATE.sub("\ufffd", text))
    terms: list[str] = []
    words: list[str] = []
    filters: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition(":")
        if sep and key.lower() in _FILTERS and value:
            filters[key.lower()] = value
            continue
        prefix = part.endswith("*")
        body = fold(part.rstrip("*")).replace('"', '""').strip()
        if not re.search(r"\w", body):
            continue
        terms.append(f'"{body}"' + ("*" if prefix else ""))
        words.append(part)
    since = until = None
    for key in ("after", "since"):
        if key in filters:
            since = _day(filters[key], key)
    for key in ("before", "until"):
        if key in filters:
            until = _day(filters[key], key) + timedelta(days=1).total_seconds()
    language = filters.get("lang") or filters.get("language")
    return Query(" ".join(terms), filters.get("profile"), language, since, until, tuple(words))


@dataclass(frozen=True)
class Hit:
    """A phrase that matched: its job, where it is in the audio, its text with the matches marked."""

    job_id: int
    file_path: str
    profile: str
    created_at: float
    n: int
    channel: int
    speaker: bool
    start: float
    end: float
    text: str
    snippet: str  # part of the text around the matches, each between MARK_START and MARK_END

    @property
    def plain_snippet(self) -> str:
        return self.snippet.replace(MARK_START, "").replace(MARK_END, "")


# A phrase longer than this (characters) gets its snippet from `long_snippet`: FTS5's snippet() weighs every
# window against every match, a time that grows with their product (a 200,000-word correction took minutes).
LONG_PHRASE = 20_000
_SCAN = 100_000  # characters of a long phrase looked at for its first match: the work per hit is bounded
_HIT = (
    "j.id, j.file_path, j.profile, j.created_at, p.n, p.channel, p.speaker, p.start, p.end, p.text, "
    f"CASE WHEN length(p.text) <= {LONG_PHRASE} "
    f"THEN snippet(phrases_fts, 0, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS}) END"
)
_TOKEN = re.compile(r"[^\W_]+")  # what unicode61 takes for a word: letters and digits
_TERM = re.compile(r'"((?:[^"]|"")*)"(\*?)')


def unfold(snippet: str, text: str) -> str:
    """The snippet FTS5 cut from the folded text, in the text's own letters (pure): folding changes no
    length and a snippet is one stretch of the text, so that stretch is found in the folded text and its
    letters are taken from `text`. The marks and the ellipses FTS5 added stay as they are."""
    folded = fold(text)
    if folded == text:
        return snippet
    plain = snippet.replace(MARK_START, "").replace(MARK_END, "")
    lead = len(plain) - len(plain.lstrip("…"))
    core = plain.strip("…")
    at = folded.find(core)
    if not core or at < 0:
        return snippet
    out: list[str] = []
    seen = 0  # letters of `plain` passed
    for ch in snippet:
        if ch in (MARK_START, MARK_END):
            out.append(ch)
            continue
        inside = lead <= seen < lead + len(core)
        out.append(text[at + seen - lead] if inside else ch)
        seen += 1
    return "".join(out)


# The transcripts stored: done jobs with a result (aliases j and r).
_STORED = "jobs j JOIN results r ON r.job_id = j.id AND j.state = 'done'"


def _folded(token: str) -> str:
    """A word as unicode61 with remove_diacritics compares it: no case, no diacritics (ё as е too)."""
    return "".join(c for c in unicodedata.normalize("NFKD", token.lower()) if not unicodedata.combining(c))


def _terms(match: str) -> list[tuple[tuple[str, ...], bool]]:
    """The FTS5 query's terms, as folded words and whether the last takes any ending (pure)."""
    terms = []
    for body, star in _TERM.findall(match):
        words = tuple(_folded(w) for w in _TOKEN.findall(body.replace('""', '"')))
        if words:
            terms.append((words, bool(star)))
    return terms


def long_snippet(text: str, terms: Sequence[tuple[tuple[str, ...], bool]]) -> str:
    """What snippet() gives, for a phrase too long for it: SNIPPET_TOKENS words around the first match in
    the phrase's first _SCAN characters, the matches marked; its first words when none is there (pure)."""
    spans = [m.span() for m in _TOKEN.finditer(text, 0, min(len(text), _SCAN))]
    words = [_folded(text[a:b]) for a, b in spans]

    def length_at(i: int) -> int:  # how many words a term matches from word i (0: none)
        for term, prefix in terms:
            n = len(term)
            got = words[i : i + n]
            if len(got) == n and got[:-1] == list(term[:-1]) and (
                got[-1].startswith(term[-1]) if prefix else got[-1] == term[-1]
            ):
                return n
        return 0

    first = next((i for i in range(len(words)) if length_at(i)), 0)
    start = max(0, first - 3)
    end = min(len(spans), start + SNIPPET_TOKENS)
    parts = ["…" if start else ""]
    at, i = spans[start][0] if spans else 0, start
    while i < end:
        n = length_at(i)
        if n:
            last = spans[min(i + n, len(spans)) - 1][1]
            parts += [text[at : spans[i][0]], MARK_START, text[spans[i][0] : last], MARK_END]
            at, i = last, i + n
        else:
            i += 1
    stop = spans[end - 1][1] if spans else 0
    parts.append(text[at:stop] if at < stop else "")
    return "".join(parts) + ("…" if stop < len(text.rstrip()) else "")


def _hit(r: Row, terms: Sequence[tuple[tuple[str, ...], bool]]) -> Hit:
    snippet = unfold(r[10], r[9]) if r[10] is not None else long_snippet(r[9], terms)
    return Hit(r[0], real(r[1] or ""), r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9], snippet)


class SearchBook(Database):
    def index_phrases(self, job_id: int, phrases: Iterable[Phrase]) -> None:
        """The phrases of a job's transcript replace the ones indexed for it (a job's result, or its
        corrections, changed); a job with none is indexed as having none."""
        rows = [
            (job_id, p.n, p.channel, int(p.speaker), p.start, p.end, p.text, folded_apart(p.text))
            for p in phrases
        ]
        with self._tx() as db:
            if db.execute("SELECT 1 FROM jobs WHERE id=?", (job_id,)).fetchone() is None:
                return  # forgotten meanwhile: nothing to index
            db.execute("DELETE FROM phrases WHERE job_id=?", (job_id,))
            db.executemany(
                "INSERT INTO phrases (job_id, n, channel, speaker, start, end, text, folded) "
                "VALUES (?,?,?,?,?,?,?,?)",
                rows,
            )
            db.execute("INSERT OR IGNORE INTO indexed (job_id) VALUES (?)", (job_id,))

    def unindexed(self, limit: int = 100) -> list[int]:
        """Jobs with a stored transcript that is not in the index yet (stored before it existed)."""
        rows = self._all(
            "SELECT j.id FROM jobs j JOIN results r ON r.job_id = j.id WHERE j.state = 'done' "
            "AND NOT EXISTS (SELECT 1 FROM indexed i WHERE i.job_id = j.id) ORDER BY j.id DESC LIMIT ?",
            (limit,),
        )
        return [int(r[0]) for r in rows]

    def index_counts(self) -> tuple[int, int]:
        """(transcripts indexed, transcripts stored): equal once the index is whole."""
        # One statement, so one snapshot: a job forgotten between two reads would leave the counts apart.
        r = self._one(
            f"SELECT (SELECT COUNT(*) FROM {_STORED} WHERE j.id IN (SELECT job_id FROM indexed)), "
            f"(SELECT COUNT(*) FROM {_STORED})"
        )
        return (int(r[0]), int(r[1])) if r else (0, 0)

    def search(self, query: Query, limit: int = 50, *, ranked: bool = True) -> list[Hit]:
        """The phrases that match, best first (BM25); `ranked=False`: the newest first, which needs no
        look at every match (a word in a million phrases is found in milliseconds, ranked in tenths of a
        second). None when the query names nothing to find."""
        if not query.match:
            return []
        where, args = _filters(query)
        order = "rank" if ranked else "phrases_fts.rowid DESC"
        sql = (
            f"SELECT {_HIT} FROM phrases_fts JOIN phrases p ON p.id = phrases_fts.rowid "
            f"JOIN jobs j ON j.id = p.job_id WHERE phrases_fts MATCH ? {where} ORDER BY {order} LIMIT ?"
        )
        terms = _terms(query.match)
        return [_hit(r, terms) for r in self._all(sql, (query.match, *args, limit))]


def folded_apart(text: str) -> str | None:
    """What the index keeps beside the text: its folded form, where that differs (None: the text itself)."""
    folded = fold(text)
    return None if folded == text else folded


def _filters(query: Query) -> tuple[str, Sequence[object]]:
    clauses: list[str] = []
    args: list[object] = []
    if query.profile:
        clauses.append("j.profile = ?")
        args.append(query.profile)
    if query.language:
        # The language asked for, or the one `auto` was recognized as; `ru` names ru-RU.
        clauses.append(
            "(lower(json_extract(j.options, '$.language')) LIKE ? OR lower(j.detected_language) LIKE ?)"
        )
        pattern = query.language.lower() + ("%" if "-" not in query.language else "")
        args += [pattern, pattern]
    if query.since is not None:
        clauses.append("j.created_at >= ?")
        args.append(query.since)
    if query.until is not None:
        clauses.append("j.created_at < ?")
        args.append(query.until)
    return "".join(f" AND {c}" for c in clauses), args
