"""The directory tree of audio and video files, with marks for submitting several at once."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from rich.style import Style
from rich.text import Text, TextType
from textual import on, work
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DirectoryTree, Tree
from textual.widgets.directory_tree import DirEntry
from textual.widgets.tree import TreeNode
from textual.worker import get_current_worker

from stt_tui.audio.folders import (
    changes,
    directory_times,
    folder_name,
    home_relative,
    is_dir,
    is_media,
    matches,
    media_files,
    visible,
)
from stt_tui.service.content import MARKERS, Mark, Seen

MARKER_STYLES = {Seen.DONE: "green", Seen.RUNNING: "yellow", Seen.FAILED: "red"}


class FileBrowser(DirectoryTree):
    """Folders and media files; space marks files, s submits the marked ones (or the highlighted file or
    folder). Files whose audio was sent before carry, per language asked for, ✓ (transcribed), … (running)
    or ✗ (failed): `talk.wav ✓ en-US ✓ ru-RU`."""

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

    show_all: reactive[bool] = reactive(False)
    show_hidden: reactive[bool] = reactive(False)
    name_filter: reactive[str] = reactive("")
    seen: reactive[dict[Path, tuple[Mark, ...]]] = reactive(dict, init=False)
    """What became of each listed file's audio, per language (set by the app, which owns the history)."""
    watching: reactive[Path | None] = reactive(None)
    """The folder a watch sends new files from (set by the app)."""

    @dataclass
    class Highlighted(Message):
        """The cursor is on a file (None: on a folder)."""

        path: Path | None

    @dataclass
    class SubmitRequested(Message):
        """The user wants these files submitted (or the audio files of a folder)."""

        paths: list[Path]
        folder: Path | None = None

    @dataclass
    class Listed(Message):
        """These media files are now listed (read from a loader thread)."""

        paths: list[Path]

    class FilterRequested(Message):
        """The user wants to type a filter."""

    @dataclass
    class WatchRequested(Message):
        """The user wants this folder watched, or the watch stopped."""

        folder: Path

    @dataclass
    class MarksChanged(Message):
        """Which files are marked."""

        count: int
        paths: frozenset[Path] = field(default_factory=frozenset)

    def __init__(self, path: str | Path, **kw: Any) -> None:
        super().__init__(path, **kw)
        self.auto_expand = False  # folders open and close below; the root never closes
        self.marked: set[Path] = set()
        self.border_title = home_relative(Path(path).resolve())
        self._stop_watching = threading.Event()

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        # Called from the tree's loading worker, off the event loop: stat calls are fine here.
        shown = [
            p
            for p in paths
            if visible(
                p,
                is_dir=is_dir(p),
                show_all=self.show_all,
                show_hidden=self.show_hidden,
                name_filter=self.name_filter,
            )
        ]
        self.post_message(self.Listed([p for p in shown if is_media(p)]))
        return shown

    def reset_node(self, node: TreeNode[DirEntry], label: TextType, data: DirEntry | None = None) -> Self:
        # The root is labelled as a person names the folder (the home folder is `~`, not its name).
        if node is self.root and data is not None:
            label = folder_name(Path(data.path))
        return super().reset_node(node, label, data)

    def render_label(self, node: TreeNode[DirEntry], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        if node.data is None:
            return label
        for mark in self.seen.get(node.data.path, ()):
            label = Text.assemble(label, (f" {MARKERS[mark.seen]} {mark.language}", MARKER_STYLES[mark.seen]))
        if node.data.path in self.marked:
            return Text.assemble(("● ", "bold magenta"), label)
        return label

    def on_mount(self) -> None:
        self._follow_changes()

    def on_unmount(self) -> None:
        self._stop_watching.set()

    def watch_show_all(self) -> None:
        if self.is_mounted:
            self.reload()

    def watch_show_hidden(self) -> None:
        if self.is_mounted:
            self.reload()

    def watch_name_filter(self) -> None:
        if self.is_mounted:
            self.reload()

    def watch_seen(self, old: dict[Path, tuple[Mark, ...]], new: dict[Path, tuple[Mark, ...]]) -> None:
        self._refresh_labels({p for p in old.keys() | new.keys() if old.get(p) != new.get(p)})

    def watch_watching(self, folder: Path | None) -> None:
        self.border_subtitle = f"watching {home_relative(folder)}" if folder else ""

    # --- following the disk -------------------------------------------------------------------------

    def open_folders(self) -> list[Path]:
        """The folders shown: the root and every expanded one."""
        folders, stack = [], [self.root]
        while stack:
            node = stack.pop()
            if node.data is not None and (node is self.root or node.is_expanded):
                folders.append(Path(node.data.path))
                stack.extend(child for child in node.children if child.allow_expand)
        return folders

    def _follow_changes(self) -> None:
        """(Re)start following the open folders; called when the set of open folders changes."""
        self._stop_watching.set()
        self._stop_watching = threading.Event()
        self._changes(self.open_folders(), self._stop_watching)

    @work(thread=True, exclusive=True, group="folder-changes", exit_on_error=False)
    def _changes(self, folders: list[Path], stop: threading.Event) -> None:
        times = directory_times(folders)
        for changed in changes(folders, stop, tick=2.0):
            if get_current_worker().is_cancelled:
                return
            if changed is None:  # no notifications: a folder's time says whether its entries changed
                now = directory_times(folders)
                changed, times = now != times, now
            if changed:
                self.app.call_from_thread(self.reload)

    @on(Tree.NodeExpanded)
    @on(Tree.NodeCollapsed)
    def _open_folders_changed(self) -> None:
        self._follow_changes()

    def action_reload(self) -> None:
        self.reload()

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    def action_watch(self) -> None:
        self.post_message(self.WatchRequested(self.watching or self._cursor_folder()))

    def _cursor_file(self) -> Path | None:
        """The highlighted file; None on a folder (the tree knows which nodes are folders: no stat)."""
        node = self.cursor_node
        if node is None or node.data is None or node.allow_expand:
            return None
        return node.data.path

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[DirEntry]) -> None:
        event.stop()
        node = event.node
        file = None if node.data is None or node.allow_expand else node.data.path
        self.post_message(self.Highlighted(file))

    @on(Tree.NodeSelected)
    def _selected_node(self, event: Tree.NodeSelected[DirEntry]) -> None:
        node = event.node
        if node is self.root or not node.allow_expand:
            return  # Enter on the root at first launch used to collapse everything
        if node.is_expanded:
            node.collapse()
        else:
            node.expand()

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

    def _refresh_labels(self, paths: set[Path]) -> None:
        """Redraw the rows of these paths (the tree caches rendered lines)."""
        if len(paths) > self.size.height:
            # More rows than fit: one redraw with the cache dropped, not a repaint per row (5,000 marked
            # at once took 0.2 s row by row). The base class drops it this way when nodes change.
            self._clear_line_cache()
            self.refresh()
            return
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.data is not None and node.data.path in paths:
                node.refresh()
            stack.extend(node.children)

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

    def _cursor_folder(self) -> Path:
        """The highlighted folder, or the folder of the highlighted file."""
        node = self.cursor_node
        if node is None or node.data is None:
            return Path(self.path).resolve()
        return Path(node.data.path) if node.allow_expand else Path(node.data.path).parent

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
        from stt_tui.tui.screens.pattern import PatternScreen

        folder = self._cursor_folder()

        def chosen(pattern: str | None) -> None:
            if pattern:
                self._mark_in(folder, pattern, toggle=False)

        self.app.push_screen(PatternScreen(home_relative(folder)), chosen)

    @work(thread=True, exclusive=True, group="mark", exit_on_error=False)
    def _mark_in(self, folder: Path, pattern: str, toggle: bool) -> None:
        """Mark the audio files of a folder matching `pattern` (read from the disk: folded folders too);
        toggled, when every one is marked already they are unmarked."""
        try:
            found = {p for p in media_files(folder) if matches(p.name, pattern)}
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, f"{folder} cannot be read: {exc.strerror}.", severity="error"
            )
            return
        self.app.call_from_thread(self._apply_marks, folder, found, toggle)

    def _apply_marks(self, folder: Path, found: set[Path], toggle: bool) -> None:
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
            self.border_title = home_relative(parent)
            self._follow_changes()
