"""One line at the bottom: the profile, the backend's state, the polling budget, what is running."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from stt_tui.jobs.model import format_duration


def status_text(
    profile: str,
    engine: str,
    checks: int,
    budget: int,
    paused_for: float,
    running: int,
    marked: int,
    requests: int = 0,
    requests_budget: int = 0,
    summary: str = "",
    marked_seconds: float | None = None,
    indexing: str = "",
) -> Text:
    """The status line's content (pure, for tests and the snapshot)."""
    text = Text()
    text.append(f" {profile} ", style="reverse bold")
    text.append(f" {engine}")
    text.append(" · ")
    used = checks / budget if budget else 0
    text.append(f"{checks:,}/{budget:,}", style="bold red" if used >= 0.9 else "")
    text.append(" checks/h")
    if requests_budget:
        text.append(" · ")
        used = requests / requests_budget
        text.append(f"{requests:,}/{requests_budget:,}", style="bold red" if used >= 0.9 else "")
        text.append(" requests/h")
    if paused_for > 0:
        text.append(f" · polling paused {format_duration(paused_for)}", style="bold dark_orange")
    text.append(f" · {running} running")
    if marked:
        length = "" if marked_seconds is None else f" ({format_duration(marked_seconds)})"
        text.append(f" · {marked:,} marked{length}", style="bold magenta")
    if summary:
        text.append(f" · {summary}", style="bold")
    if indexing:
        text.append(f" · {indexing}", style="italic")
    return text


class StatusLine(Widget):
    profile: reactive[str] = reactive("local")
    engine: reactive[str] = reactive("starting…")
    checks: reactive[int] = reactive(0)
    budget: reactive[int] = reactive(0)
    paused_for: reactive[float] = reactive(0.0)
    running: reactive[int] = reactive(0)
    marked: reactive[int] = reactive(0)
    marked_seconds: reactive[float | None] = reactive(None)  # their audio time, once it is known
    summary: reactive[str] = reactive("")  # the current batch: '28 submitted · 12 done · 1 failed'
    requests: reactive[int] = reactive(0)
    requests_budget: reactive[int] = reactive(0)  # 0: the backend has no request quota worth showing
    indexing: reactive[str] = reactive("")  # the search index being built: how far

    def render(self) -> Text:
        return status_text(
            self.profile,
            self.engine,
            self.checks,
            self.budget,
            self.paused_for,
            self.running,
            self.marked,
            self.requests,
            self.requests_budget,
            self.summary,
            self.marked_seconds,
            self.indexing,
        )
