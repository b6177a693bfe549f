"""Reading jobs for the frontends: one by its number or operation id, a profile's list, the jobs a wait
is for, and the counts the views show. The history is read here, never by a frontend."""

from __future__ import annotations

from stt_tui.history import History, JobNotFound
from stt_tui.history.search import Hit, QueryError, parse_query
from stt_tui.jobs.model import Job
from stt_tui.outputs.totals import Totals, read_totals
from stt_tui.service.context import Context
from stt_tui.service.errors import UserError
from stt_tui.shared.paths import Paths


def newest_ids(paths: Paths, limit: int) -> list[int]:
    """The newest job numbers of this machine's history, newest first, read without a profile or a
    service (shell completion); none when there is no history yet."""
    if not paths.history.exists():
        return []
    history = History(paths.history)
    try:
        return history.ordered_ids("id", True, limit=limit)
    finally:
        history.close()


def find(context: Context, ref: str) -> Job:
    """A job by its number (`12` or `#12`), its operation id, or a unique prefix of one; UserError when
    there is none (or several)."""
    try:
        return context.history.find(ref)
    except JobNotFound as exc:
        raise UserError(str(exc)) from None


def listed(context: Context, every_profile: bool = False) -> list[Job]:
    """The profile's jobs (or every profile's), as `stt-tui jobs` lists them."""
    return context.history.jobs(None if every_profile else context.profile.name)


def unfinished_here(context: Context) -> list[Job]:
    """The profile's jobs still running, or still being sent (by any process): what a wait waits for."""
    name = context.profile.name
    sending = [j for j in context.history.submissions() if j.profile == name]
    return list(context.history.pollable(name)) + sending


def totals(context: Context) -> Totals:
    """Jobs by state, and the audio sent today and this month."""
    return read_totals(context.history, context.clock())


def search(context: Context, text: str, limit: int, ranked: bool) -> list[Hit]:
    """Every stored transcript's phrases that match `text` (see history/search.py), best first (or the
    newest first, at once: `ranked=False`)."""
    try:
        query = parse_query(text)
    except QueryError as exc:
        raise UserError(str(exc)) from None
    if not query.match:
        filtered = (query.profile, query.language, query.since, query.until) != (None,) * 4
        # `"`, `*` or `(` alone are no filters: they hold no word.
        ending = " (filters alone find nothing)." if filtered else ": this holds none."
        raise UserError(f"Give some words to search for{ending}")
    return context.history.search(query, limit, ranked=ranked)
