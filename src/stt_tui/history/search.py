"""Every stored transcript, searchable phrase by phrase: what is indexed (folded: case, diacritics, ё as е),
how a person's query becomes an FTS5 one (quoted phrases, prefixes, filters by profile, language and date),
and the reads and writes of the index. The phrases themselves come from the caller (outputs/export.py
reads them out of a stored result); the history only keeps and searches them."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from stt_tui.history.database import Database, Row

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


_FILTERS = ("profile", "lang", "language", "after", "since", "before", "until")


def _day(value: str, key: str) -> float:
    try:
        return datetime.strptime(value, "%Y-%m-%d").timestamp()
    except ValueError:
        raise QueryError(f"{key}:{value} is not a date; write it as 2026-11-30.") from None


def parse_query(text: str) -> Query:
    """`budget "next year" budg* lang:ru after:2026-11-01 profile:yandex` -> a Query (pure).

    Words must all be there (in any order); "quoted words" in that order; a trailing * takes any ending.
    Every term is quoted for FTS5, so no character a person types is read as its syntax.
    """
    try:
        parts = shlex.split(text)
    except ValueError:
        parts = shlex.split(text + '"')  # an unclosed quote closes at the end
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


_HIT = (
    "j.id, j.file_path, j.profile, j.created_at, p.n, p.channel, p.speaker, p.start, p.end, p.text, "
    f"snippet(phrases_fts, 0, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS})"
)


def _hit(r: Row) -> Hit:
    return Hit(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7], r[8], r[9], r[10])


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
        stored = self._scalar(
            "SELECT COUNT(*) FROM jobs j JOIN results r ON r.job_id = j.id WHERE j.state = 'done'"
        )
        return self._scalar("SELECT COUNT(*) FROM indexed"), stored

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
        return [_hit(r) for r in self._all(sql, (query.match, *args, limit))]


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
