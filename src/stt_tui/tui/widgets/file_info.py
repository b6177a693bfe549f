"""What the highlighted file holds, whether it can be sent, and its loudness per channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Label, Sparkline, Static

from ...audio import Probe, Verdict
from ...jobs import format_duration


@dataclass(frozen=True)
class FileFacts:
    """What the file info pane shows; `probe` None with `error` None means still probing."""

    path: str
    probe: Probe | None = None
    verdict: Verdict | None = None
    error: str | None = None


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"


def describe(facts: FileFacts) -> Text:
    """The pane's text: the probe on two lines, then the verdict."""
    name = facts.path.rsplit("/", 1)[-1]
    text = Text(name + "\n", style="bold")
    if facts.error:
        return text.append(facts.error, style="red")
    p, v = facts.probe, facts.verdict
    if p is None or v is None:
        return text.append("probing…", style="dim")
    rate = f"{p.sample_rate / 1000:g} kHz" if p.sample_rate else "? kHz"
    kind = p.codec if p.codec == p.container else f"{p.container} {p.codec}"
    text.append(f"{kind} · {p.channels} ch · {rate}\n")
    bitrate = f" · {p.bitrate // 1000} kb/s" if p.bitrate else ""
    text.append(f"{format_duration(p.duration)} · {_size(p.size)}{bitrate}\n")
    if v.refused:
        text.append("cannot be sent:\n", style="bold red")
        for reason in v.reasons:
            text.append(f"• {reason}\n", style="red")
    elif v.convert:
        text.append("ready after conversion\n", style="bold dark_orange")
        for reason in v.reasons:
            text.append(f"{reason}\n", style="dark_orange")
    else:
        text.append(f"ready · sent as {v.encoding}\n", style="bold green")
    for note in v.notes:
        text.append(f"{note}\n", style="dark_orange")
    return text


class FileInfo(Vertical):
    """Receives facts and loudness levels; fetches nothing itself."""

    facts: reactive[FileFacts | None] = reactive(None, init=False)
    levels: reactive[list[list[float]] | None] = reactive(None, init=False)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        # Made here, not in compose: the facts may arrive before this pane is mounted.
        self._facts = Static("Highlight a file to see what it holds.", id="facts")
        self._loudness = Vertical(id="loudness")

    def compose(self) -> ComposeResult:
        yield self._facts
        yield self._loudness

    async def on_mount(self) -> None:
        await self._show_levels(self.levels)

    def watch_facts(self, facts: FileFacts | None) -> None:
        self._facts.update(describe(facts) if facts else "Highlight a file to see what it holds.")

    async def watch_levels(self, levels: list[list[float]] | None) -> None:
        if self._loudness.is_mounted:
            await self._show_levels(levels)

    async def _show_levels(self, levels: list[list[float]] | None) -> None:
        await self._loudness.remove_children()
        if not levels:
            return
        rows = [
            Horizontal(Label(f"ch{n}", classes="channel"), Sparkline(data, summary_function=max))
            for n, data in enumerate(levels, start=1)
            if data
        ]
        await self._loudness.mount_all(rows)
