"""Exporting several jobs at once: one format, into one folder or beside each job's audio file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select

from stt_tui.jobs.model import Job
from stt_tui.outputs.export import FORMATS
from stt_tui.tui.screens.dialog import Dialog
from stt_tui.tui.widgets.option_box import OptionBox


@dataclass(frozen=True)
class BulkChoice:
    fmt: str
    folder: Path | None  # None: beside each job's audio file


def target(job: Job, choice: BulkChoice) -> Path:
    """Where a job's transcript goes: <audio stem>.<fmt>, beside the audio or in the folder (pure)."""
    stem = Path(job.file_path).stem if job.file_path else f"job-{job.id}"
    if choice.folder is None and job.file_path:
        return Path(job.file_path).with_name(f"{stem}.{choice.fmt}")
    return (choice.folder or Path.cwd()) / f"{stem}.{choice.fmt}"


def targets(jobs: list[Job], choice: BulkChoice) -> dict[int, Path]:
    """Each job's target, by job id: the first job of a name keeps it, the others of the same audio (or
    stem, into one folder) get `<stem> (job N).<fmt>`, so that no export overwrites another (pure)."""
    paths: dict[int, Path] = {}
    taken: set[Path] = set()
    for job in jobs:
        path = target(job, choice)
        if path in taken:
            path = path.with_name(f"{path.stem} (job {job.id}){path.suffix}")
        taken.add(path)
        paths[job.id] = path
    return paths


class BulkExportScreen(Dialog[BulkChoice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="bulk-export.cancel"),
        Binding("ctrl+s", "export", "Export", id="bulk-export.export"),
    ]

    def __init__(self, count: int, folder: Path, fmt: str = "srt") -> None:
        super().__init__()
        self.count, self.folder, self.fmt = count, folder, fmt

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Export {self.count} transcripts", classes="title", markup=False)
            with Horizontal(classes="field"):
                yield Label("Format", classes="name")
                yield Select([(f, f) for f in FORMATS], value=self.fmt, allow_blank=False, id="format")
            yield OptionBox("Beside each audio file (as subtitle players look for them)", True, id="beside")
            yield Label("Else into the folder", classes="name")
            yield Input(str(self.folder), id="folder")
            with Horizontal(id="buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#export", Button).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        beside = self.query_one("#beside", OptionBox).value
        folder = Path(self.query_one("#folder", Input).value.strip() or ".").expanduser()
        self.dismiss(BulkChoice(str(self.query_one("#format", Select).value), None if beside else folder))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
