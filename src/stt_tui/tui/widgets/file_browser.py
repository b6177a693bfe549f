"""The file browser: the folder tree (folder_tree.py) and what the keys ask of it: mark files (one by one,
every audio file of a folder, or by pattern), submit the marked ones or the highlighted file or folder,
watch a folder, filter, show every file or hidden ones, go up. It posts what is asked; its pane does it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from textual import on, work
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DirectoryTree

from stt_tui.audio.folders import (
    home_relative,
    matches,
    media_files,
)
from stt_tui.tui.widgets.folder_tree import FolderTree


class FileBrowser(FolderTree):
    """Space marks files, s submits the marked ones (or the highlighted file or folder); files whose
    audio was sent before carry, per language asked for, ✓ (transcribed), … (running) or ✗ (failed):
    `talk.wav ✓ en-US ✓ ru-RU`."""

    BINDINGS = [
        Binding("space", "mark", "Mark", tooltip="Mark or unmark the file for submitting", id="files.mark"),
        Binding(
            "s",
            "submit",
            "Submit",
            tooltip="Submit the marked files, or the highlighted file or folder",
            id="files.submit",
        ),
        Binding(
            "asterisk,ctrl+a",
            "mark_folder",
            "Mark all",
            tooltip="Mark every audio file in this folder (again: unmark them)",
            id="files.mark-all",
        ),
        Binding(
            "plus",
            "mark_pattern",
            "Mark by pattern",
            show=False,
            tooltip="Mark the files of this folder whose names match a pattern",
            id="files.mark-pattern",
        ),
        Binding(
            "slash",
            "filter",
            "Filter",
            show=False,
            tooltip="Show only the files whose names match",
            id="files.filter",
        ),
        Binding("r", "reload", "Reload", show=False, tooltip="Read the folders again", id="files.reload"),
        Binding(
            "w",
            "watch",
            "Watch",
            tooltip="Watch this folder: send each audio file that appears (again: stop)",
            id="files.watch",
        ),
        Binding(
            "a",
            "toggle_all",
            "All files",
            show=False,
            tooltip="Show every file, not only media",
            id="files.toggle-all",
        ),
        Binding(
            "full_stop",
            "toggle_hidden",
            "Hidden",
            show=False,
            tooltip="Show hidden files",
            id="files.toggle-hidden",
        ),
        Binding("u,U", "unmark_all", "Unmark all", show=False, id="files.unmark-all"),
        Binding("backspace", "go_up", "Parent folder", show=False, id="files.go-up"),
        Binding("j", "cursor_down", "Down", show=False, id="files.cursor-down"),
        Binding("k", "cursor_up", "Up", show=False, id="files.cursor-up"),
        Binding("g", "scroll_home", "First", show=False, id="files.scroll-home"),
        Binding("G", "scroll_end", "Last", show=False, id="files.scroll-end"),
        Binding("ctrl+d", "page_down", "Page down", show=False, id="files.page-down"),
        Binding("ctrl+u", "page_up", "Page up", show=False, id="files.page-up"),
    ]

    watching: reactive[Path | None] = reactive(None)
    """The folder a watch sends new files from (set by the app)."""

    @dataclass
    class SubmitRequested(Message):
        """The user wants these files submitted (or the audio files of a folder)."""

        paths: list[Path]
        folder: Path | None = None

    class FilterRequested(Message):
        """The user wants to type a filter."""

    @dataclass
    class WatchRequested(Message):
        """The user wants this folder watched, or the watch stopped."""

        folder: Path

    @dataclass
    class PatternRequested(Message):
        """The user wants the files of this folder marked by a pattern (the parent asks which)."""

        folder: Path

    @dataclass
    class FolderChanged(Message):
        """The browser shows another folder."""

        path: Path

    @dataclass
    class MarksChanged(Message):
        """Which files are marked."""

        count: int
        paths: frozenset[Path] = field(default_factory=frozenset)

    def watch_watching(self, folder: Path | None) -> None:
        self.border_subtitle = Content(f"watching {home_relative(folder)}" if folder else "")

    def action_reload(self) -> None:
        self.reload()

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    def action_watch(self) -> None:
        self.post_message(self.WatchRequested(self.watching or self._cursor_folder()))

    @on(DirectoryTree.FileSelected)
    def _selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.action_submit()

    def action_mark(self) -> None:
        path = self._cursor_file()
        if path is None:
            self.action_toggle_node()
            return
        self.marked.symmetric_difference_update({path})
        self._marks_changed({path})
        self.action_cursor_down()

    def action_unmark_all(self) -> None:
        self.clear_marks(set(self.marked))

    def action_submit(self) -> None:
        paths = sorted(self.marked)
        if paths:
            self.post_message(self.SubmitRequested(paths))
            return
        path = self._cursor_file()
        if path is not None:
            self.post_message(self.SubmitRequested([path]))
        else:
            self.post_message(self.SubmitRequested([], folder=self._cursor_folder()))

    def clear_marks(self, paths: Iterable[Path]) -> None:
        cleared = self.marked & set(paths)
        self.marked -= cleared
        self._marks_changed(cleared)

    def _marks_changed(self, paths: set[Path]) -> None:
        self.post_message(self.MarksChanged(len(self.marked), frozenset(self.marked)))
        self._refresh_labels(paths)

    def action_mark_folder(self) -> None:
        self._mark_in(self._cursor_folder(), self.name_filter, toggle=True)

    def action_mark_pattern(self) -> None:
        self.post_message(self.PatternRequested(self._cursor_folder()))

    def mark_by_pattern(self, folder: Path, pattern: str) -> None:
        """Mark the audio files of `folder` whose names match `pattern` (the parent asked for it)."""
        self._mark_in(folder, pattern, toggle=False)

    @dataclass
    class _Found(Message):
        """The audio files of a folder that match a pattern (error: why the folder could not be read)."""

        folder: Path
        found: set[Path]
        toggle: bool
        error: str = ""

    @work(thread=True, exclusive=True, group="mark", exit_on_error=False)
    def _mark_in(self, folder: Path, pattern: str, toggle: bool) -> None:
        """Mark the audio files of a folder matching `pattern` (read from the disk: folded folders too);
        toggled, when every one is marked already they are unmarked."""
        try:
            found = {p for p in media_files(folder) if matches(p.name, pattern)}
        except OSError as exc:
            self.post_message(self._Found(folder, set(), toggle, f"{folder} cannot be read: {exc.strerror}."))
            return
        self.post_message(self._Found(folder, found, toggle))

    @on(_Found)
    def _apply_marks(self, event: _Found) -> None:
        folder, found, toggle = event.folder, event.found, event.toggle
        if event.error:
            self.notify(event.error, severity="error")
            return
        if not found:
            self.notify(f"No audio files to mark in {home_relative(folder)}.", severity="warning")
            return
        if toggle and found <= self.marked:
            self.clear_marks(found)
            return
        self.marked |= found
        self._marks_changed(found)

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all

    def action_toggle_hidden(self) -> None:
        self.show_hidden = not self.show_hidden

    def action_go_up(self) -> None:
        parent = Path(self.path).resolve().parent
        if parent != Path(self.path).resolve():
            self.path = parent
            self.border_title = Content(home_relative(parent))
            self.post_message(self.FolderChanged(parent))
            self._follow_changes()
