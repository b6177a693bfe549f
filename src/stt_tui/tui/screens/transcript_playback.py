"""Hearing a transcript: the audio played from the phrase in view, the view following the phrase being
played; p (or Esc) again stops it."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widgets import OptionList

from stt_tui.audio.playback import PlaybackError, play
from stt_tui.service.errors import EXPECTED_FAILURES
from stt_tui.service.facade import Service
from stt_tui.tui.screens.transcript_view import TranscriptView


class TranscriptPlayback(TranscriptView):
    _playing: threading.Event | None = None  # set to stop what is playing

    @dataclass
    class Played(Message):
        """How far the audio has played (None: it stopped), or why it cannot play."""

        seconds: float | None
        problem: str | None = None

    def action_play(self) -> None:
        if self._playing is not None:
            self._playing.set()
            self._playing = None
            return
        current = self._current()
        if current is None or self.service is None:
            self.notify("There is no phrase to play from here.", severity="warning")
            return
        self._playing = threading.Event()
        self._play(self.service, current[1].start, self._playing)

    @work(thread=True, group="play", exit_on_error=False, description="play the audio")
    def _play(self, service: Service, start: float, stop: threading.Event) -> None:
        last = [start]

        def position(seconds: float) -> None:
            if seconds - last[0] >= 0.2:  # a message a fifth of a second: enough to follow along
                last[0] = seconds
                self.post_message(self.Played(seconds))

        try:
            play(service.audio_of(self.job), start, stop, position)
        except (PlaybackError, *EXPECTED_FAILURES) as exc:
            self.post_message(self.Played(None, str(exc)))
            return
        self.post_message(self.Played(None))

    @on(Played)
    def _played(self, event: Played) -> None:
        if event.seconds is None:
            self._playing = None
            if event.problem:
                self.notify(event.problem, severity="warning", timeout=10)
            return
        shown = self.shown()
        playing = max((i for i, u in enumerate(shown) if u.start <= event.seconds), default=None)
        if playing is not None:
            self.query_one(OptionList).highlighted = playing  # the view follows the phrase being played

    def on_unmount(self) -> None:
        if self._playing is not None:
            self._playing.set()
