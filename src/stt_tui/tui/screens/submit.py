"""The submit dialog: request options for one or more files, starting from the last choices."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Select, Static

from stt_tui.audio.folders import media_files
from stt_tui.jobs.model import RequestOptions, language_list
from stt_tui.shared.speechkit import (
    AUTO,
    CLOUD_MAX_SPEAKERS,
    DEFERRED_MODEL,
    LANGUAGE_NAMES,
    MODELS,
    V3,
    V3_MODELS,
)
from stt_tui.shared.wording import plural, printable
from stt_tui.tui.screens.dialog import Dialog
from stt_tui.tui.widgets.option_box import OptionBox

MODEL_HELP = {
    "general": "The standard model: about 10 s of work per minute of audio per channel.",
    "general:rc": "The release candidate of the next standard model.",
    "general:deprecated": "The previous standard model, while the service still offers it.",
    DEFERRED_MODEL: "Deferred mode: cheaper, finished within 24 h; stt-tui checks on it rarely "
    "(first after about 2 h) to save the status-check budget.",
    "deferred-general:rc": "Deferred mode with the release candidate model.",
    "deferred-general:deprecated": "Deferred mode with the previous model.",
}


KEYS_HINT = "Enter: list, type to find · Tab: next · Ctrl+S: submit · Esc: cancel"


def language_choices(current: str) -> list[tuple[str, str]]:
    """The Select's options: `auto` first (one key away), then the service's list, each with its name; a
    code the list lacks (an old preference) is kept, first."""
    codes = [AUTO, *(c for c in LANGUAGE_NAMES if c != AUTO)]
    if current not in codes:
        codes.insert(0, current)
    return [(f"{code}  {LANGUAGE_NAMES.get(code, '')}".rstrip(), code) for code in codes]


def file_summary(paths: list[Path], limit: int = 3) -> str:
    names = ", ".join(printable(p.name) for p in paths[:limit])
    more = f" and {len(paths) - limit} more" if len(paths) > limit else ""
    return f"{len(paths)} file{'s' if len(paths) > 1 else ''}: {names}{more}"


@dataclass(frozen=True)
class SubmitChoice:
    options: RequestOptions
    recursive: bool = False  # a folder's subfolders too


def folder_summary(folder: Path, here: int | None, below: int | None) -> str:
    """'The audio files of talks: 12 here, 30 in subfolders' (None: still being counted)."""
    if here is None or below is None:
        return f"The audio files of {printable(folder.name or str(folder))}: counting…"
    more = f", {below:,} more in subfolders" if below else ""
    return f"The audio files of {printable(folder.name or str(folder))}: {plural(here, 'file')} here{more}"


class SubmitScreen(Dialog[SubmitChoice | None]):
    """Dismisses with the chosen options (and, for a folder, whether its subfolders count), or None.

    Offers what the profile's API can do: API v3 adds a language list for auto, speaker labeling and
    phone formatting."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="submit.cancel"),
        Binding("ctrl+s", "submit", "Submit", id="submit.submit"),
    ]

    def __init__(
        self,
        paths: list[Path],
        defaults: RequestOptions,
        folder: Path | None = None,
        api: str = "v2",
        speakers: int = CLOUD_MAX_SPEAKERS,
    ) -> None:
        """`api`: the profile's, which decides the options offered; `speakers`: how many voices its
        speaker labeling tells apart."""
        super().__init__()
        self.paths = paths
        self.defaults = defaults
        self.folder = folder
        self.api = api
        self.speakers = speakers

    def compose(self) -> ComposeResult:
        d = self.defaults
        with Vertical(id="dialog"):
            yield Label("Submit for recognition", classes="title")
            if self.folder is None:
                yield Static(file_summary(self.paths), id="file-list", markup=False)
            else:
                yield Static(folder_summary(self.folder, None, None), id="file-list", markup=False)
                yield OptionBox("Include subfolders", False, id="recursive")
            with Horizontal(classes="field"):
                yield Label("Language", classes="name")
                yield Select(language_choices(d.language), value=d.language, allow_blank=False, id="language")
            v3 = self.api == V3
            if v3:
                with Horizontal(classes="field", id="languages-field"):
                    yield Label("Among", classes="name")
                    yield Input(
                        ", ".join(d.languages), placeholder="any; or e.g. en-US, ru-RU", id="languages"
                    )
            models = V3_MODELS if v3 else MODELS
            with Horizontal(classes="field"):
                yield Label("Model", classes="name")
                yield Select([(m, m) for m in models], value=d.model if d.model in models else "general",
                             allow_blank=False, id="model")  # fmt: skip
            yield Static(MODEL_HELP.get(d.model, ""), id="model-help", markup=False)
            yield OptionBox("Profanity filter: mask profanities", d.profanity_filter, id="profanity_filter")
            yield OptionBox(
                "Literature text: punctuation and capitals", d.literature_text, id="literature_text"
            )
            raw = (
                "No normalization: numbers spelled out as words"
                if v3
                else "Raw results: numbers spelled out as words"
            )
            yield OptionBox(raw, d.raw_results, id="raw_results")
            if v3:
                yield OptionBox(
                    f"Speakers: tell up to {self.speakers} apart (mono audio)",
                    d.speaker_labeling,
                    id="speaker_labeling",
                )
                yield OptionBox(
                    "Phone formatting: numbers as phone numbers", d.phone_formatting, id="phone_formatting"
                )
            with Horizontal(id="buttons"):
                yield Button("Submit", variant="primary", id="submit")
                yield Button("Cancel", id="cancel")
            yield Static(KEYS_HINT, classes="hint", markup=False)

    def on_mount(self) -> None:
        # The first field, not Submit: Enter must not send with a language the user has not seen.
        self.query_one("#language", Select).focus()
        self._show_languages(str(self.defaults.language))
        if self.folder is not None:
            self._count(self.folder)

    @dataclass
    class _Counted(Message):
        """What the folder holds, as the file list says it."""

        text: str

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _count(self, folder: Path) -> None:
        try:
            here = len(media_files(folder))
            below = len(media_files(folder, recursive=True)) - here
        except OSError as exc:
            text = f"{folder} cannot be read: {exc.strerror}."
        else:
            text = folder_summary(folder, here, below)
        self.post_message(self._Counted(text))

    @on(_Counted)
    def _counted(self, event: _Counted) -> None:
        self.query_one("#file-list", Static).update(event.text)

    @on(Select.Changed, "#language")
    def _language_changed(self, event: Select.Changed) -> None:
        self._show_languages(str(event.value))

    def _show_languages(self, language: str) -> None:
        # The list applies to auto only.
        for field in self.query("#languages-field"):
            field.display = language == AUTO

    @on(Select.Changed, "#model")
    def _model_changed(self, event: Select.Changed) -> None:
        self.query_one("#model-help", Static).update(MODEL_HELP.get(str(event.value), ""))

    def options(self) -> RequestOptions:
        language = str(self.query_one("#language", Select).value)
        options = RequestOptions()
        if self.api == V3:
            among = self.query_one("#languages", Input).value if language == AUTO else ""
            options = RequestOptions(
                languages=tuple(c for c in language_list(among) if c.lower() != AUTO),
                speaker_labeling=self.query_one("#speaker_labeling", OptionBox).value,
                phone_formatting=self.query_one("#phone_formatting", OptionBox).value,
            )
        return dataclasses.replace(
            options,
            language=language,
            model=str(self.query_one("#model", Select).value),
            profanity_filter=self.query_one("#profanity_filter", OptionBox).value,
            literature_text=self.query_one("#literature_text", OptionBox).value,
            raw_results=self.query_one("#raw_results", OptionBox).value,
        )

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        recursive = self.folder is not None and self.query_one("#recursive", OptionBox).value
        self.dismiss(SubmitChoice(self.options(), recursive))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
