"""A text box that takes its editing keys in the order they were typed.

Textual runs a widget's bindings (Backspace, Delete, Home, End, Enter…) only once the key has bubbled back up
to the app, behind the keys typed after it, while a letter goes in at once: a burst (one read from the
terminal, as tmux and SSH deliver fast typing) of 10×Backspace and `countz` into an empty box left `coun`,
the late Backspaces eating the letters. Here those keys act as they arrive.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import Input

# Each key of Input's own bindings and its action (public class data: the app's keymap never remaps them).
EDITING = {
    key.strip(): binding.action
    for binding in Input.BINDINGS
    if isinstance(binding, Binding)
    for key in binding.key.split(",")
}


class TextBox(Input):
    """An Input whose editing keys act in order with the letters."""

    async def _on_key(self, event: events.Key) -> None:
        action = EDITING.get(event.key)
        if action is None:
            return  # a letter (Input takes it in order already) or a key for the screen or the app
        event.stop()
        event.prevent_default()  # Input's own handler has nothing to do with it, and the app neither
        await self.run_action(action)


class CorrectionBox(TextBox):
    """The box a phrase is corrected (or a voice named) in: the footer says its own keys, not the list's
    (`esc Back  / Search` said what Esc and / do not do there)."""

    # Input's own (hidden) Enter would hide this one; TextBox runs every editing key as it arrives anyway.
    inherit_bindings = False
    BINDINGS = [
        Binding("enter", "submit", "Save"),
        Binding("escape", "screen.close", "Cancel"),
    ]
