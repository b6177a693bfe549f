"""The facade both frontends use: one Service per profile, and the one way in. Each method hands the
call to the module that does it (batch, waiting, cancelling, transcripts, exporting, lookup, submission,
operations, cleanup...), none of which knows this class."""

from __future__ import annotations

import contextlib
import logging
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from stt_tui.audio.prepare import Progress, no_progress, sweep_parts
from stt_tui.audio.probe import Probe, Verdict
from stt_tui.connection.backend import Backend
from stt_tui.history import History
from stt_tui.history.edits import Edits
from stt_tui.history.feed import JobFeed
from stt_tui.history.search import Hit
from stt_tui.history.voices import Voice
from stt_tui.jobs.model import Job, RequestOptions
from stt_tui.outputs.beside import Deliverer
from stt_tui.outputs.export import Utterance
from stt_tui.outputs.subtitles import NETFLIX, SubtitleLimits
from stt_tui.outputs.totals import Totals
from stt_tui.service import cancelling, exporting, lookup, waiting
from stt_tui.service.batch import Batches, FileOutcome, Looked
from stt_tui.service.cleanup import Cleanup
from stt_tui.service.content import AudioStatus, ContentIndex
from stt_tui.service.context import Context
from stt_tui.service.indexing import build_index
from stt_tui.service.operations import Operations
from stt_tui.service.polling import Poller
from stt_tui.service.submission import Submission, inspect
from stt_tui.service.transcripts import Details, Transcripts
from stt_tui.service.voices import Voices
from stt_tui.settings.config import Profile
from stt_tui.shared.paths import Paths

log = logging.getLogger(__name__)


@dataclass
class Service:
    paths: Paths
    profile: Profile
    history: History
    clock: Callable[[], float] = time.time
    rand: random.Random = field(default_factory=random.Random)
    env: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False)
    """Where credentials named by no profile setting are looked up."""
    warn: Callable[[str], None] = log.warning
    """Told about trouble that stops nothing (an object left in the bucket, a key file others can read)."""
    monotonic: Callable[[], float] = time.monotonic
    """Measures waits and timeouts: unlike the wall clock, it is never set back or forward."""
    tell: Callable[[str], None] = log.info
    """Told what was done unasked (transcripts written beside the audio)."""
    subtitles: SubtitleLimits = NETFLIX
    """What an srt or vtt cue may hold and how long it stays (config.toml's `[subtitles]`)."""
    remember_voices: bool = True
    """Named speakers' voices are remembered and recognized in later jobs (config.toml's remember_voices)."""
    backend: Backend = field(init=False, repr=False)
    content: ContentIndex = field(init=False, repr=False)
    deliverer: Deliverer = field(init=False, repr=False)
    context: Context = field(init=False, repr=False)
    cleanups: Cleanup = field(init=False, repr=False)
    operations: Operations = field(init=False, repr=False)
    submission: Submission = field(init=False, repr=False)
    voices: Voices = field(init=False, repr=False)
    batches: Batches = field(init=False, repr=False)
    transcripts: Transcripts = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.backend = Backend(self.paths, self.profile, env=self.env, warn=self.warn, clock=self.clock)
        self.content = ContentIndex(self.history)
        # Through lambdas: a frontend may point warn and tell elsewhere after the service is made.
        warn, tell = (lambda text: self.warn(text)), (lambda text: self.tell(text))
        self.deliverer = Deliverer(self.history, tell, warn, self.subtitles)
        self.context = Context(
            self.paths, self.profile, self.history, self.backend, self.content,
            self.clock, self.rand, self.monotonic, warn, tell,
        )  # fmt: skip
        self.cleanups = Cleanup(self.context)
        self.voices = Voices(self.history, self.audio_of, self.remember_voices)
        self.operations = Operations(self.context, self.cleanups, self.deliverer, self.voices)
        self.submission = Submission(self.context, self.cleanups, self.operations)
        self.batches = Batches(self.context, self.submission, self.deliverer)
        self.transcripts = Transcripts(self.context, self.deliverer, self.voices)

    @classmethod
    def open(cls, paths: Paths, profile: Profile, **kw: object) -> Service:
        clock = kw.get("clock", time.time)
        assert callable(clock)
        history = History(paths.history, clock=clock)
        with contextlib.suppress(OSError):
            sweep_parts(paths.outbox)  # prepared audio half written by a process that was killed
        return cls(paths, profile, history, **kw)  # type: ignore[arg-type]

    @property
    def caveat(self) -> str | None:
        """A sentence when what the history shows may miss its latest changes (a read-only disk)."""
        return self.history.stale

    # --- connection -----------------------------------------------------------------------------

    def disconnect(self) -> None:
        """Close the connections once the calls using them end (made again on next use)."""
        self.backend.retire()

    def interrupt(self) -> None:
        """The process is quitting: calls in flight and an engine start end now, nothing new is sent."""
        self.backend.abort()

    def engine_running(self) -> bool | None:
        """Local profile: whether the engine answers right now; None for a cloud profile."""
        return self.backend.engine_running()

    def close(self) -> None:
        self.backend.retire()
        self.history.close()

    def requests_this_hour(self) -> int:
        """Recognition requests sent in the last hour under this profile (by any process)."""
        return self.context.requests_this_hour()

    def poller(self) -> Poller:
        return self.operations.poller()

    # --- sending --------------------------------------------------------------------------------

    def inspect(self, path: str | Path) -> tuple[Probe, Verdict]:
        """Probe a file and say whether and how it can be sent; raises UserError if it cannot be read."""
        return inspect(path)

    def service_options(self, options: RequestOptions) -> RequestOptions:
        """The options as the service spells them; UserError for a language or model it does not know."""
        return self.submission.service_options(options)

    def submit(
        self,
        path: str | Path,
        options: RequestOptions,
        progress: Progress = no_progress,
        *,
        again: bool = False,
        export: tuple[str, ...] | None = None,
    ) -> Job:
        """Check, prepare (convert if needed) and submit one file (see Submission.submit)."""
        return self.submission.submit(path, options, progress, again=again, export=export)

    def look(self, paths: Iterable[Path], options: RequestOptions) -> Looked:
        """What the history knows of the files' audio, read once before a batch (see Batches.look)."""
        return self.batches.look(paths, options)

    def submit_files(
        self,
        paths: Iterable[Path],
        options: RequestOptions,
        *,
        again: bool = False,
        export: tuple[str, ...] | None = None,
        looked: Looked | None = None,
        progress: Callable[[Path], Progress] = lambda path: no_progress,
        report: Callable[[FileOutcome], None] = lambda outcome: None,
    ) -> list[FileOutcome]:
        """Send a batch of files: an outcome per file (see Batches.send)."""
        return self.batches.send(
            paths, options, again=again, export=export, looked=looked, progress=progress, report=report
        )

    def link(self, path: str | Path, job: Job, export: tuple[str, ...] | None = None) -> None:
        """A copy of a job's audio under another name: not sent, its transcripts go beside it too."""
        self.batches.link(Path(path), job, export)

    def deliver_pending(self) -> None:
        """Write the transcripts asked for of jobs that finished while nothing was there to do it."""
        self.deliverer.deliver_pending()

    def import_operation(
        self, operation_id: str, options: RequestOptions | None = None, api: str | None = None
    ) -> Job:
        """Add an operation started elsewhere, once the service confirms it knows the id."""
        return self.submission.import_operation(operation_id, options, api)

    def recover_interrupted(self) -> list[Job]:
        """`submitting` rows left by a process that died mid-call: shown as failed, never dropped."""
        return self.submission.recover_interrupted()

    # --- running jobs ---------------------------------------------------------------------------

    def refresh(self, job: Job) -> Job:
        """Ask about one running job now (see waiting.refresh)."""
        return waiting.refresh(self.context, self.poller(), job)

    def wait(
        self,
        jobs: Iterable[Job],
        *,
        timeout: float | None = None,
        on_update: Callable[[Job], None] = lambda job: None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> list[Job]:
        """Poll until every job is finished or the timeout passes (see waiting.wait)."""
        return waiting.wait(self.context, self.poller(), jobs, timeout, on_update, sleep)

    def cancel(self, job: Job) -> Job:
        """Ask the service to stop a running job (see cancelling.cancel)."""
        return cancelling.cancel(self.context, self.poller(), job)

    def forget(self, job: Job) -> None:
        """Drop a job from the history, with its prepared audio and uploaded object."""
        self.cleanups.forget(job)

    # --- reading the history --------------------------------------------------------------------

    def job(self, job_id: int) -> Job:
        """The job as stored now; JobNotFound when it was forgotten."""
        return self.history.get(job_id)

    def find(self, ref: str) -> Job:
        """A job by its number or operation id (see lookup.find)."""
        return lookup.find(self.context, ref)

    def jobs(self, every_profile: bool = False) -> list[Job]:
        """The profile's jobs, or every profile's."""
        return lookup.listed(self.context, every_profile)

    def unfinished_here(self) -> list[Job]:
        """The profile's jobs running or being sent: what a wait waits for."""
        return lookup.unfinished_here(self.context)

    def totals(self) -> Totals:
        """Jobs by state, and the audio sent today and this month."""
        return lookup.totals(self.context)

    def audio_status(self, paths: Iterable[Path]) -> dict[Path, tuple[AudioStatus, ...]]:
        """What became of each file's audio, per language, by any profile (see ContentIndex)."""
        return self.content.statuses(paths)

    def feed(self) -> JobFeed:
        """A follower of this history's changes, for a view kept current (not shared between threads)."""
        return JobFeed(self.history)

    def open_reader(self) -> History:
        """The history on a connection of its own, for a view's reads: never behind this one's writes."""
        return History(self.paths.history, clock=self.clock)

    # --- transcripts ----------------------------------------------------------------------------

    def transcript_json(self, job: Job) -> str:
        """The stored result of a job that has a transcript (see Transcripts.document)."""
        return self.transcripts.document(job)

    def details(self, job: Job) -> Details:
        """The job as stored now, its operation's answer and its edits."""
        return self.transcripts.details(job)

    def edits(self, job: Job) -> Edits:
        """The corrections and names laid over a job's transcript."""
        return self.transcripts.edits(job)

    def export(self, job: Job, fmt: str, channel: int | None = None, *, words: bool = False) -> str:
        """Render the stored result; never asks the server. `words`: a row per word (csv, tsv, json)
        (see exporting.rendered)."""
        return exporting.rendered(self.transcripts, job, fmt, channel, subtitles=self.subtitles, words=words)

    def export_to(
        self, job: Job, fmt: str, path: Path, channel: int | None = None, *, words: bool = False
    ) -> Path:
        """Write the transcript in `fmt` to `path`, whole; the file written (see exporting.export_to)."""
        return exporting.export_to(
            self.transcripts, job, fmt, path, channel, subtitles=self.subtitles, words=words
        )

    def phrases(self, job: Job) -> list[Utterance]:
        """A job's transcript phrase by phrase, as corrected and named (see Transcripts.phrases)."""
        return self.transcripts.phrases(job)

    def correct(self, job: Job, n: int, text: str) -> list[Utterance]:
        """Phrase `n` of the job reads `text` from now on (see Transcripts.correct)."""
        return self.transcripts.correct(job, n, text)

    def rename(self, job: Job, channel: int, name: str) -> list[Utterance]:
        """Channel (or speaker) `channel` of the job is called `name` (see Transcripts.rename)."""
        return self.transcripts.rename(job, channel, name)

    def remembered_voices(self) -> list[Voice]:
        """The voices named in some job, remembered to be recognized in others (service/voices.py)."""
        return self.voices.voices()

    def forget_voice(self, name: str) -> None:
        """The voice `name` is forgotten; UserError when no voice is called so."""
        self.voices.forget(name)

    def audio_of(self, job: Job) -> Path:
        """The job's own audio file, to be played (see Transcripts.audio_of)."""
        return self.transcripts.audio_of(job)

    # --- search ---------------------------------------------------------------------------------

    def search(self, text: str, limit: int = 50, *, ranked: bool = True) -> list[Hit]:
        """Every stored transcript's phrases that match `text` (see lookup.search)."""
        return lookup.search(self.context, text, limit, ranked)

    def index_counts(self) -> tuple[int, int]:
        """Transcripts in the search index, and transcripts stored."""
        return self.history.index_counts()

    def build_index(
        self,
        progress: Callable[[int, int], None] = lambda done, total: None,
        stopped: Callable[[], bool] = lambda: False,
    ) -> int:
        """Index the transcripts stored before the search index existed (see service/indexing.py)."""
        return build_index(self.history, progress, stopped)
