"""The export dialog: format, channel and where to write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from stt_tui.outputs.export import FORMATS
from stt_tui.tui.screens.dialog import Dialog


@dataclass(frozen=True)
class ExportChoice:
    fmt: str
    channel: int | None  # None: all channels merged
    path: Path


def default_path(folder: Path, source: str, job_id: int, fmt: str, channel: int | None) -> Path:
    """<file stem>[.chN].<fmt> in the folder being browsed."""
    stem = Path(source).stem if source else f"job-{job_id}"
    suffix = f".ch{channel}" if channel else ""
    return folder / f"{stem}{suffix}.{fmt}"


def format_of(path: str) -> str | None:
    """The export format a file name's extension names, if it names one."""
    suffix = Path(path).suffix.lstrip(".").lower()
    return suffix if suffix in FORMATS else None


def with_format(path: str, fmt: str) -> str:
    """The path with its extension made `fmt` (a name without a known extension gets it added)."""
    return str(Path(path).with_suffix(f".{fmt}")) if format_of(path) else f"{path}.{fmt}"


KEYS_HINT = "Enter: list · Tab: next · Ctrl+S: export · Esc: cancel"


class ExportScreen(Dialog[ExportChoice | None]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", id="export.export"),
    ]

    def __init__(
        self,
        folder: Path,
        source: str,
        job_id: int,
        channels: list[int],
        fmt: str = "srt",
        kind: str = "channel",
    ) -> None:
        """`kind`: what the numbers tell apart, "channel" or "speaker" (API v3 speaker labeling)."""
        super().__init__()
        self.folder, self.source, self.job_id, self.channels, self.fmt = folder, source, job_id, channels, fmt
        self.kind = kind

    def compose(self) -> ComposeResult:
        kind = self.kind
        channel_options = [(f"all {kind}s, merged", 0)] + [(f"{kind} {c}", c) for c in self.channels]
        with Vertical(id="dialog"):
            yield Label(f"Export job #{self.job_id}", classes="title", markup=False)
            with Horizontal(classes="field"):
                yield Label("Format", classes="name")
                yield Select([(f, f) for f in FORMATS], value=self.fmt, allow_blank=False, id="format")
            with Horizontal(classes="field"):
                yield Label(kind.capitalize(), classes="name", markup=False)
                yield Select(channel_options, value=0, allow_blank=False, id="channel")
            yield Label("Write to", classes="name")
            yield Input(str(default_path(self.folder, self.source, self.job_id, self.fmt, None)), id="path")
            yield Static("", id="exists", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Export", variant="primary", id="export")
                yield Button("Cancel", id="cancel")
            yield Static(KEYS_HINT, classes="hint", markup=False)

    def on_mount(self) -> None:
        # The first field, as in the submit dialog: a path focused and selected was exported by a stray
        # Enter, and replaced by the first letter typed.
        self.query_one("#format", Select).focus()
        self._check_exists()

    def _choice(self) -> ExportChoice:
        chosen = self.query_one("#channel", Select).value
        channel = chosen if isinstance(chosen, int) and chosen else None
        raw = self.query_one("#path", Input).value.strip()
        path = Path(raw).expanduser()
        return ExportChoice(
            str(self.query_one("#format", Select).value),
            channel,
            path if path.is_absolute() else self.folder / path,
        )

    @on(Select.Changed, "#channel")
    def _channel_changed(self) -> None:
        choice = self._choice()
        self.query_one("#path", Input).value = str(
            default_path(choice.path.parent, self.source, self.job_id, choice.fmt, choice.channel)
        )

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        # The extension follows the format, so the file is named for what it holds.
        box = self.query_one("#path", Input)
        if format_of(box.value) != event.value and box.value.strip():
            box.value = with_format(box.value.strip(), str(event.value))

    @on(Input.Changed, "#path")
    def _path_changed(self, event: Input.Changed) -> None:
        # ...and the format follows an extension typed by hand: a .vtt file gets WebVTT.
        fmt = format_of(event.value)
        select = self.query_one("#format", Select)
        if fmt is not None and select.value != fmt:
            select.value = fmt
        self._check_exists()

    def _check_exists(self) -> None:
        self._look_for(self._choice().path)

    @dataclass
    class _Looked(Message):
        """What to say of the file the path names (it exists: it will be replaced; else nothing)."""

        note: str

    @work(thread=True, exclusive=True, group="export-exists", exit_on_error=False)
    def _look_for(self, path: Path) -> None:
        # A file system call per keystroke would stall typing on a slow disk: it runs in a thread.
        try:
            exists = path.exists()
        except OSError:
            exists = False
        note = "The file exists and will be replaced." if exists else ""
        self.post_message(self._Looked(note))

    @on(_Looked)
    def _looked(self, event: _Looked) -> None:
        self.query_one("#exists", Static).update(event.note)

    @on(Input.Submitted)
    @on(Button.Pressed, "#export")
    def action_export(self) -> None:
        choice = self._choice()
        if not choice.path.name:
            self.notify("Give a file name to write to.", severity="warning")
            return
        named = format_of(choice.path.name)
        if named is not None and named != choice.fmt:
            message = f"{choice.path.name} names {named}, not {choice.fmt}; make them match."
            self.notify(message, severity="warning")
            return
        self.dismiss(choice)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
