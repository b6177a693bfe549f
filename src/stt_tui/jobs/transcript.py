"""The transcript model: a stored result read as phrases (`Utterance`), each with its words' timings when the
result has them. Pure data; reading a stored result into it and rendering it are outputs/export's."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Utterance:
    """One phrase of the result: a channel's (or a speaker's, numbered from 1) with its timing."""

    channel: int
    text: str
    start: float
    end: float
    words: tuple[Word, ...]
    speaker: bool = False  # `channel` numbers a speaker the service told apart in mono audio
    language: str = ""  # the language the phrase was recognized as, when the service says
    edited: bool = False  # a person corrected the text (its word timings are gone with the words)
    name: str = ""  # what a person called the channel or speaker
    by_voice: bool = False  # `name` is a voice named in another job, recognized here: no person gave it

    @property
    def who(self) -> str:
        if self.name and self.by_voice:
            return f"{self.name} (by voice)"
        return self.name or f"{'Speaker' if self.speaker else 'Channel'} {self.channel}"
