"""One line at the bottom: the profile, the backend's state, the polling budget, what is running."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from stt_tui.jobs.model import format_duration

# What goes first when the line is narrower than all it could say: the hourly budgets while they are far
# from spent, then the index's progress, then the count of running jobs. What the user acts on (the
# profile, the engine, a pause, the marks, the batch) stays.
_LOW, _MIDDLE, _KEEP = 0, 1, 2


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
    width: int = 0,
) -> Text:
    """The status line's content (pure, for tests and the snapshot); `width` > 0 drops the least needed
    parts until the rest fits, so that a narrow terminal cuts none of what matters."""
    parts: list[tuple[int, Text]] = [(_KEEP, Text(f" {engine}"))]
    used = checks / budget if budget else 0
    checks_part = Text.assemble((f"{checks:,}/{budget:,}", "bold red" if used >= 0.9 else ""), " checks/h")
    parts.append((_KEEP if used >= 0.9 else _LOW, checks_part))
    if requests_budget:
        used = requests / requests_budget
        count = (f"{requests:,}/{requests_budget:,}", "bold red" if used >= 0.9 else "")
        part = Text.assemble(count, " requests/h")
        parts.append((_KEEP if used >= 0.9 else _LOW, part))
    if paused_for > 0:
        parts.append((_KEEP, Text(f"polling paused {format_duration(paused_for)}", style="bold dark_orange")))
    parts.append((_MIDDLE, Text(f"{running} running")))
    if marked:
        length = "" if marked_seconds is None else f" ({format_duration(marked_seconds)})"
        parts.append((_KEEP, Text(f"{marked:,} marked{length}", style="bold magenta")))
    if summary:
        parts.append((_KEEP, Text(summary, style="bold")))
    if indexing:
        parts.append((_LOW, Text(indexing, style="italic")))
    head = Text(f" {profile} ", style="reverse bold")
    for level in (_LOW, _MIDDLE):
        if not width or _joined(head, parts).cell_len <= width:
            break
        parts = [part for part in parts if part[0] > level]
    return _joined(head, parts)


def _joined(head: Text, parts: list[tuple[int, Text]]) -> Text:
    return head + Text(" · ").join(text for _, text in parts)


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
            self.size.width,
        )
