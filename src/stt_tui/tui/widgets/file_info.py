"""What the highlighted file holds, whether it can be sent, and its loudness per channel."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label, Sparkline, Static
from textual.worker import get_current_worker

from stt_tui.audio import loudness
from stt_tui.audio import probe as audio
from stt_tui.audio.probe import Probe, Verdict
from stt_tui.jobs.model import format_duration
from stt_tui.shared.wording import printable

LOUDNESS_BUCKETS = 120


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
    # The name, and sentences that may quote it, are shown escaped: it may hold any byte but / and NUL.
    name = facts.path.rsplit("/", 1)[-1]
    text = Text(printable(name) + "\n", style="bold")
    if facts.error:
        return text.append(printable(facts.error), style="red")
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
            text.append(f"• {printable(reason)}\n", style="red")
    elif v.convert:
        text.append("ready after conversion\n", style="bold dark_orange")
        for reason in v.reasons:
            text.append(f"{printable(reason)}\n", style="dark_orange")
    else:
        text.append(f"ready · sent as {v.encoding}\n", style="bold green")
    for note in v.notes:
        text.append(f"{printable(note)}\n", style="dark_orange")
    return text


FileKey = tuple[str, int, int]  # path, size, mtime: a file as it is now


class FileInfo(Vertical):
    """Shows the file its screen points it at (`path`): probes it and reads its loudness in a worker of
    its own, cached by path, size and mtime so a file is read once while it is unchanged."""

    path: reactive[Path | None] = reactive(None, init=False)
    facts: reactive[FileFacts | None] = reactive(None, init=False)
    levels: reactive[list[list[float]] | None] = reactive(None, init=False)

    @dataclass
    class Probed(Message):
        """The probe of a file: facts, verdict, or why it cannot be read."""

        facts: FileFacts

    @dataclass
    class Measured(Message):
        """A file's loudness envelope per channel (levels 0..1)."""

        path: str
        levels: list[list[float]]

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        # Made here, not in compose: the facts may arrive before this pane is mounted.
        self._facts = Static("Highlight a file to see what it holds.", id="facts", markup=False)
        self._loudness = Vertical(id="loudness")
        self._probes: dict[FileKey, FileFacts] = {}
        self._levels: dict[FileKey, list[list[float]]] = {}

    def watch_path(self, path: Path | None) -> None:
        self.levels = None
        if path is None:
            self.facts = None
            self.workers.cancel_group(self, "probe")
            return
        self.facts = FileFacts(str(path))
        self._probe(path)

    @work(thread=True, group="probe", exclusive=True, exit_on_error=False, description="probe a file")
    def _probe(self, path: Path) -> None:
        worker = get_current_worker()
        time.sleep(0.1)  # holding a key down moves faster than files can be read
        if worker.is_cancelled:
            return
        try:
            st = path.stat()
            key: FileKey | None = (str(path), st.st_size, st.st_mtime_ns)
        except OSError:
            key = None
        facts = self._probes.get(key) if key else None
        if facts is None:
            try:
                probe = audio.probe(path)
                facts = FileFacts(str(path), probe, audio.check(probe))
            except audio.ProbeError as exc:
                facts = FileFacts(str(path), error=str(exc))
            if key:
                self._probes[key] = facts
        if worker.is_cancelled:
            return
        self.post_message(self.Probed(facts))
        if facts.probe is None or (facts.verdict is not None and facts.verdict.refused):
            return  # nothing to see in a file that cannot be sent (and it may be hours long)
        levels = self._levels.get(key) if key else None
        if levels is None:
            try:
                levels = loudness.envelope(path, LOUDNESS_BUCKETS, should_stop=lambda: worker.is_cancelled)
            except loudness.LoudnessError:
                return
            if key:
                self._levels[key] = levels
        if not worker.is_cancelled:
            self.post_message(self.Measured(str(path), levels))

    @on(Probed)
    def _probed(self, event: Probed) -> None:
        if self.path is not None and str(self.path) == event.facts.path:
            self.facts = event.facts

    @on(Measured)
    def _measured(self, event: Measured) -> None:
        if self.path is not None and str(self.path) == event.path:
            self.levels = event.levels[:2]

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
            Horizontal(Label(f"ch{n}", classes="channel", markup=False),
                       Sparkline(data, summary_function=max))
            for n, data in enumerate(levels, start=1)
            if data
        ]
        await self._loudness.mount_all(rows)
