"""A job's transcript as a person reads and corrects it: the stored result, its phrases with the
corrections and names laid over them, correcting a phrase, naming a channel or speaker, the audio to play
along, and what the details view shows. Every change is written beside the audio again."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stt_tui.history.edits import Edits
from stt_tui.jobs.model import Job, JobState
from stt_tui.outputs import export
from stt_tui.outputs.beside import Deliverer
from stt_tui.outputs.export import Utterance
from stt_tui.outputs.formatting import no_transcript
from stt_tui.service.context import Context
from stt_tui.service.errors import UserError
from stt_tui.service.voices import Voices


@dataclass(frozen=True)
class Details:
    """A job as its details view shows it: the row now, the operation's stored answer, the edits."""

    job: Job
    operation_json: str | None
    edits: Edits


class Transcripts:
    def __init__(self, context: Context, deliverer: Deliverer, voices: Voices) -> None:
        self.context = context
        self.deliverer = deliverer
        self.voices = voices  # a speaker named is a voice remembered

    def document(self, job: Job) -> str:
        """The stored result of a job that has a transcript; UserError (one wording) otherwise."""
        result = self.context.history.result(job.id) if job.state == JobState.DONE else None
        if result is None:
            raise UserError(no_transcript(job))
        return result.document()

    def edits(self, job: Job) -> Edits:
        """The corrections and names laid over the job's transcript."""
        return self.context.history.edits(job.id)

    def details(self, job: Job) -> Details:
        """The job as stored now, with its operation's answer (if any) and its edits."""
        history = self.context.history
        stored = history.result(job.id)
        return Details(history.get(job.id), stored.document() if stored else None, history.edits(job.id))

    def phrases(self, job: Job) -> list[Utterance]:
        """A job's transcript phrase by phrase, as corrected and named; UserError when there is none."""
        return export.with_edits(self._recognized(job), self.edits(job))

    def correct(self, job: Job, n: int, text: str) -> list[Utterance]:
        """Phrase `n` of the job reads `text` from now on (the recognized text is kept; an empty text, or
        the recognized one, undoes the correction); every output follows. The phrases as they now read."""
        recognized = self._recognized(job)
        if not 0 <= n < len(recognized):
            raise UserError(f"Job #{job.id} has no phrase {n + 1}.")
        text = " ".join(text.split())
        if not text or text == recognized[n].text:
            self.context.history.uncorrect(job.id, n, recognized[n].text)
        else:
            self.context.history.correct(job.id, n, recognized[n].channel, text)
        self.deliverer.redeliver(job)
        return self.phrases(job)

    def rename(self, job: Job, channel: int, name: str) -> list[Utterance]:
        """Channel (or speaker) `channel` of the job is called `name` ("": its number again) in the view
        and every export. The phrases as they now read."""
        recognized = self._recognized(job)
        if not any(u.channel == channel for u in recognized):
            what = "speaker" if any(u.speaker for u in recognized) else "channel"
            raise UserError(f"Job #{job.id} has no {what} {channel}.")
        name = " ".join(name.split())
        self.context.history.set_name(job.id, channel, name)
        self.voices.named(job, channel, name, recognized)
        self.deliverer.redeliver(job)
        return self.phrases(job)

    def audio_of(self, job: Job) -> Path:
        """The job's own audio file, to be played: where it was sent from, with the same content (its
        SHA-256 is in the history). UserError says in a sentence why it cannot be played."""
        if not job.file_path:
            raise UserError(f"Job #{job.id} was imported: stt-tui never had its audio.")
        path = Path(job.file_path)
        if not path.is_file():
            raise UserError(f"{path.name} is no longer in {path.parent}; its audio cannot be played.")
        if job.file_hash and self.context.content.sha256(path) != job.file_hash:
            raise UserError(f"{path.name} has changed since it was sent: it no longer holds this audio.")
        return path

    def _recognized(self, job: Job) -> list[Utterance]:
        """The phrases as recognized, before any correction."""
        try:
            return export.utterances(self.document(job), job.options.speaker_labeling)
        except export.ExportError as exc:
            raise UserError(str(exc)) from None
