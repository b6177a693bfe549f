"""Correcting a transcript: a phrase's text or a channel's (speaker's) name edited in place and saved
through the service, undone back to what was recognized."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widgets import Input, OptionList, Static

from stt_tui.outputs.export import Utterance
from stt_tui.service.errors import EXPECTED_FAILURES
from stt_tui.service.facade import Service
from stt_tui.tui.screens.transcript_view import TranscriptView


class TranscriptEditing(TranscriptView):
    _editing: tuple[str, int] | None = None  # ("text", phrase) or ("name", channel)

    @dataclass
    class Edited(Message):
        """The phrases as they read after a correction or a name was saved."""

        items: list[Utterance]

    @dataclass
    class _Refused(Message):
        """A correction or a name that could not be saved, and why."""

        error: str

    def action_edit(self) -> None:
        self._on_phrases()
        self._edit_current()

    @on(OptionList.OptionSelected, "#phrases")
    def _edit_current(self) -> None:  # a click too (Enter is the edit key's own)
        current = self._current()
        if current is not None:
            self._edit(("text", current[0]), current[1].text, f"correct phrase {current[0] + 1}")

    def action_name(self) -> None:
        self._on_phrases()
        current = self._current()
        if current is not None:
            u = current[1]
            default = f"{'Speaker' if u.speaker else 'Channel'} {u.channel}"
            self._edit(("name", u.channel), u.name, f"a name for {default} (empty: {default})")

    def _edit(self, what: tuple[str, int], text: str, placeholder: str) -> None:
        if self.service is None:
            self.notify("This transcript cannot be changed here.", severity="warning")
            return
        self._editing = what
        editor = self.query_one("#editor", Input)
        editor.placeholder = f"{placeholder}; Enter saves, Esc cancels"
        editor.value = text
        editor.display = True
        label = self.query_one("#editor-label", Static)
        label.update(f"{placeholder[0].upper()}{placeholder[1:]}:")
        label.display = True
        # At once, not after the keys already queued (widget.focus() waits its turn): End and the words
        # typed right after Enter went to the list, and the box then selected the phrase, for the rest to
        # replace it.
        self.set_focus(editor)

    def _stop_editing(self) -> None:
        self._editing = None
        self.query_one("#editor", Input).display = False
        self.query_one("#editor-label", Static).display = False
        self.query_one(OptionList).focus()

    @on(Input.Submitted, "#editor")
    def _editor_submitted(self, event: Input.Submitted) -> None:
        what, service = self._editing, self.service
        self._stop_editing()
        if what is not None and service is not None:
            self._save(service, what, event.value)

    def action_undo(self) -> None:
        current = self._current()
        if current is not None and current[1].edited and self.service is not None:
            self._save(self.service, ("text", current[0]), "")  # empty: as recognized

    @work(thread=True, group="corrections", exit_on_error=False, description="save a correction")
    def _save(self, service: Service, what: tuple[str, int], text: str) -> None:
        kind, number = what
        try:
            items = (
                service.correct(self.job, number, text)
                if kind == "text"
                else service.rename(self.job, number, text)
            )
        except EXPECTED_FAILURES as exc:
            self.post_message(self._Refused(str(exc)))
            return
        self.post_message(self.Edited(items))

    @on(_Refused)
    def _refused(self, event: _Refused) -> None:
        self.notify(event.error, severity="error")

    @on(Edited)
    def _edited(self, event: Edited) -> None:
        self.items = event.items
        self._render_phrases()
