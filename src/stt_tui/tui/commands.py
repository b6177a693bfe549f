"""The command palette and the help screen, both read from the bindings themselves: one list of keys.

Every binding with a description becomes a palette command named "<description> (<where>)", run on the
widget or screen that declares it, so a command and its key can never drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget

from stt_tui.tui.main.screen import MainScreen
from stt_tui.tui.screens.dialog import Dialog
from stt_tui.tui.screens.submit import SubmitScreen
from stt_tui.tui.screens.transcript import TranscriptScreen
from stt_tui.tui.widgets.file_browser import FileBrowser
from stt_tui.tui.widgets.job_list import JobList
from stt_tui.tui.widgets.job_rows import COLUMNS
from stt_tui.tui.widgets.pick_list import PickList


@dataclass(frozen=True)
class KeyOwner:
    """A screen or widget that declares keys: the help's section for them, and how the palette names where
    its commands act (None: not in the palette, whose screen-wide keys are the app's)."""

    cls: type[DOMNode]
    section: str
    where: str | None
    more: Sequence[BindingType] = ()  # keys it handles outside its BINDINGS, listed in the help too
    in_help: bool = True  # a section of its own in the help (a dialog's list is the dialog's)


# Every owner of keys besides the app and the dialogs (every_dialog), in the help's order: the one list
# that the [keymap] check, the palette and the help read.
KEY_OWNERS: tuple[KeyOwner, ...] = (
    KeyOwner(MainScreen, "Main screen", None),
    KeyOwner(FileBrowser, "Files", "files", (("enter", "select", "Submit the file, or open the folder"),)),
    KeyOwner(JobList, "Jobs", "jobs"),
    KeyOwner(TranscriptScreen, "Transcript", "transcript"),
    KeyOwner(PickList, "Lists in dialogs", None, in_help=False),  # j/k/g/G as in the job list
)
AREAS: dict[type, str] = {owner.cls: owner.where for owner in KEY_OWNERS if owner.where}
THIS_DIALOG = "This dialog"  # help's section for the keys of the dialog it was opened over


def _bindings(node: DOMNode) -> Iterator[Binding]:
    for b in type(node).BINDINGS:
        binding = b if isinstance(b, Binding) else Binding(*b)
        if binding.description and binding.action not in ("command_palette", "quit"):
            yield binding


def binding_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """Palette commands for the screen the palette was opened over: its widgets' keys, then the app's."""
    owners: list[DOMNode] = [screen] if type(screen) in AREAS else []
    owners += [node for node in screen.query("*") if type(node) in AREAS]
    for owner in owners:
        where = AREAS[type(owner)]
        for b in _bindings(owner):
            yield SystemCommand(
                f"{b.description} ({where})",
                b.tooltip or b.description,
                lambda node=owner, action=b.action: node.run_action(action),
            )
        if isinstance(owner, JobList):  # any column directly, as a click on its name does
            for key, label, _ in COLUMNS:
                yield SystemCommand(
                    f"Sort by {label} ({where})",
                    "Sort the jobs by this column (already sorted by it: reverse)",
                    lambda node=owner, key=key: node.run_action(f"sort_by({key!r})"),
                )
    for b in _bindings(app):
        yield SystemCommand(b.description, b.tooltip or b.description, lambda a=b.action: app.run_action(a))


def every_dialog() -> list[type[DOMNode]]:
    """Every dialog class, for the check of [keymap]'s ids: each one declares keys of its own."""
    found: list[type[DOMNode]] = []
    todo: list[type[DOMNode]] = [Dialog]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def binding_ids(owners: Iterable[type[DOMNode]]) -> set[str]:
    """Every binding id of these screens and widgets: what config.toml's [keymap] may remap."""
    return {b.id for owner in owners for b in owner.BINDINGS if isinstance(b, Binding) and b.id}


def apply_keymap(app: App[Any], keymap: dict[str, str], owners: Iterable[type[DOMNode]]) -> None:
    """Remap keys by binding id (config.toml's [keymap]); ids no binding has are said, not applied."""
    unknown = sorted(set(keymap) - binding_ids(owners))
    app.set_keymap({k: v for k, v in keymap.items() if k not in unknown})
    if unknown:
        message = f"config.toml's [keymap] names no binding {', '.join(unknown)}; ? lists the ids."
        app.notify(message, severity="warning", timeout=15)


def help_sections(
    app_bindings: Sequence[BindingType],
    here: str = "",
    dialog: Sequence[BindingType] = (),
) -> list[tuple[str, Sequence[BindingType]]]:
    """The help's sections, the one named `here` (where the user pressed ?) first: on a small terminal
    the keys of the screen at hand must not be a page of scrolling away. `dialog`: the keys of the
    dialog help was opened over, a section of their own."""
    sections: list[tuple[str, Sequence[BindingType]]] = [
        ("Everywhere", app_bindings),
        *((owner.section, [*owner.cls.BINDINGS, *owner.more]) for owner in KEY_OWNERS if owner.in_help),
        ("Dialogs", [*Dialog.BINDINGS, *SubmitScreen.BINDINGS, ("tab", "focus_next", "Next field")]),
    ]
    if dialog:
        sections.append((THIS_DIALOG, dialog))
    return sorted(sections, key=lambda section: section[0] != here)


def dialog_keys(screen: Screen[Any]) -> Sequence[BindingType]:
    """The keys a dialog declares (none for a screen that is not a dialog)."""
    return screen.BINDINGS if isinstance(screen, Dialog) else ()


def help_section_for(screen: Screen[Any], focused: Widget | None) -> str:
    """The help section of the screen or pane the user is in when ? is pressed."""
    if isinstance(screen, Dialog):
        return THIS_DIALOG
    # The main screen itself is no place of its own: there, the pane in focus says where.
    sections = {owner.cls: owner.section for owner in KEY_OWNERS if owner.where}
    for node in [screen, *(focused.ancestors_with_self if focused else ())]:
        if type(node) in sections:
            return sections[type(node)]
    return ""
