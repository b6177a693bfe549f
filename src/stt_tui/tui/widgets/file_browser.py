"""The directory tree of audio and video files, with marks for submitting several at once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DirectoryTree, Tree
from textual.widgets.directory_tree import DirEntry
from textual.widgets.tree import TreeNode

MEDIA_SUFFIXES = frozenset(
    ".wav .wave .mp3 .ogg .oga .opus .flac .m4a .aac .mp4 .m4v .mov .mkv .webm .avi .wma .aif .aiff "
    ".amr .3gp .wv .spx .ts .mts".split()
)


def home_relative(path: Path) -> str:
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def is_dir(path: Path) -> bool:
    """Whether the path is a folder; a path that cannot be looked at (a broken link) is not one."""
    try:
        return path.is_dir()
    except OSError:
        return False


def is_media(path: Path) -> bool:
    return path.suffix.lower() in MEDIA_SUFFIXES


def visible(path: Path, *, is_dir: bool, show_all: bool, show_hidden: bool) -> bool:
    """Whether the browser lists a path: folders and media files, unless told to show everything."""
    if path.name.startswith(".") and not show_hidden:
        return False
    return is_dir or show_all or is_media(path)


class FileBrowser(DirectoryTree):
    """Folders and media files; space marks files, s submits the marked ones (or the highlighted one)."""

    BINDINGS = [
        Binding("space", "mark", "Mark", tooltip="Mark or unmark the file for submitting", id="files.mark"),
        Binding(
            "s",
            "submit",
            "Submit",
            tooltip="Submit the marked files, or the highlighted one",
            id="files.submit",
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
        Binding("u", "unmark_all", "Unmark all", show=False, id="files.unmark-all"),
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

    @dataclass
    class Highlighted(Message):
        """The cursor is on a file (None: on a folder)."""

        path: Path | None

    @dataclass
    class SubmitRequested(Message):
        """The user wants these files submitted."""

        paths: list[Path]

    @dataclass
    class FolderChanged(Message):
        """The browser shows another folder."""

        path: Path

    @dataclass
    class MarksChanged(Message):
        """How many files are marked."""

        count: int

    def __init__(self, path: str | Path, **kw: Any) -> None:
        super().__init__(path, **kw)
        self.auto_expand = False  # folders open and close below; the root never closes
        self.marked: set[Path] = set()
        self.border_title = home_relative(Path(path).resolve())

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        # Called from the tree's loading worker, off the event loop: stat calls are fine here.
        return [
            p
            for p in paths
            if visible(p, is_dir=is_dir(p), show_all=self.show_all, show_hidden=self.show_hidden)
        ]

    def render_label(self, node: TreeNode[DirEntry], base_style: Style, style: Style) -> Text:
        label = super().render_label(node, base_style, style)
        if node.data is not None and node.data.path in self.marked:
            return Text.assemble(("● ", "bold magenta"), label)
        return label

    def watch_show_all(self) -> None:
        if self.is_mounted:
            self.reload()

    def watch_show_hidden(self) -> None:
        if self.is_mounted:
            self.reload()

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
        self.post_message(self.MarksChanged(len(self.marked)))
        self._refresh_labels({path})
        self.action_cursor_down()

    def action_unmark_all(self) -> None:
        self.clear_marks(set(self.marked))

    def _refresh_labels(self, paths: set[Path]) -> None:
        """Redraw the rows of these paths (the tree caches rendered lines)."""
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node.data is not None and node.data.path in paths:
                node.refresh()
            stack.extend(node.children)

    def action_submit(self) -> None:
        paths = sorted(self.marked)
        if not paths:
            path = self._cursor_file()
            if path is None:
                self.notify("Highlight a file or mark some with space first.", severity="warning")
                return
            paths = [path]
        self.post_message(self.SubmitRequested(paths))

    def clear_marks(self, paths: Iterable[Path]) -> None:
        cleared = self.marked & set(paths)
        self.marked -= cleared
        self.post_message(self.MarksChanged(len(self.marked)))
        self._refresh_labels(cleared)

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all

    def action_toggle_hidden(self) -> None:
        self.show_hidden = not self.show_hidden

    def action_go_up(self) -> None:
        parent = Path(self.path).resolve().parent
        if parent != Path(self.path).resolve():
            self.path = parent
            self.border_title = home_relative(parent)
            self.post_message(self.FolderChanged(parent))
