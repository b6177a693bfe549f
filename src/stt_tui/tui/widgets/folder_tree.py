"""The folder tree under the file browser: folders and media files, filtered by name and kind, each file
labelled with what became of its audio (✓ … ✗ per language) and whether it is marked, and kept in step with
the disk (notifications where the OS gives them, a look at the folders' times where it does not). What
the keys do with it is file_browser.py's."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

from rich.style import Style
from rich.text import Text, TextType
from textual import on, work
from textual.content import Content
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
    visible,
)
from stt_tui.service import AudioStatus, Seen
from stt_tui.shared.wording import printable

# What became of a file's audio, per language, beside its name.
MARKERS = {Seen.DONE: "✓", Seen.RUNNING: "…", Seen.FAILED: "✗"}
MARKER_STYLES = {Seen.DONE: "green", Seen.RUNNING: "yellow", Seen.FAILED: "red"}


class FolderTree(DirectoryTree):
    """Shows a folder; the parent sets `seen` (what became of each file's audio) and the filters."""

    show_all: reactive[bool] = reactive(False)

    show_hidden: reactive[bool] = reactive(False)

    name_filter: reactive[str] = reactive("")

    seen: reactive[dict[Path, tuple[AudioStatus, ...]]] = reactive(dict, init=False)
    """What became of each listed file's audio, per language (set by the app, which owns the history)."""

    @dataclass
    class Highlighted(Message):
        """The cursor is on a file (None: on a folder)."""

        path: Path | None

    @dataclass
    class Listed(Message):
        """These media files are now listed (read from a loader thread)."""

        paths: list[Path]

    def __init__(self, path: str | Path, **kw: Any) -> None:
        super().__init__(path, **kw)
        self.auto_expand = False  # folders open and close below; the root never closes
        self.marked: set[Path] = set()  # drawn here; what the keys mark is FileBrowser's
        self.border_title = Content(printable(home_relative(Path(path).resolve())))
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

    def process_label(self, label: TextType) -> Text:
        # A file's name is data: its control characters and bytes that are not UTF-8 are shown escaped,
        # and a newline in it no longer hides the rest (DirectoryTree keeps a label's first line).
        return super().process_label(printable(label) if isinstance(label, str) else label)

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

    def watch_seen(
        self, old: dict[Path, tuple[AudioStatus, ...]], new: dict[Path, tuple[AudioStatus, ...]]
    ) -> None:
        self._refresh_labels({p for p in old.keys() | new.keys() if old.get(p) != new.get(p)})

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
                # A message, not call_from_thread: that waits for the event loop, and a quit under way
                # waits for this thread, so a folder changing as the app closed held it open for good.
                self.post_message(self._FolderChanged())

    class _FolderChanged(Message):
        """An open folder's entries changed (posted by the thread that follows them)."""

    @on(_FolderChanged)
    def _folder_changed(self) -> None:
        self.reload()  # not awaited, as `r` does: a handler waiting for the loader would hold a close

    @on(Tree.NodeExpanded)
    @on(Tree.NodeCollapsed)
    def _open_folders_changed(self) -> None:
        self._follow_changes()

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

    def _cursor_folder(self) -> Path:
        """The highlighted folder, or the folder of the highlighted file."""
        node = self.cursor_node
        if node is None or node.data is None:
            return Path(self.path).resolve()
        return Path(node.data.path) if node.allow_expand else Path(node.data.path).parent
