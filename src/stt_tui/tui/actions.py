"""What can be done to jobs from the UI: open, details, export, check, cancel, forget, re-submit, copy.

Each action takes the jobs it acts on (the marked ones, else the one under the cursor), asks before what
cannot be undone, and runs its calls in a thread worker; what it learns comes back as messages, and a
bulk action ends in one notification, not one per job.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported

from stt_tui.api import ProtocolError, ServiceError
from stt_tui.connection.storage import StorageError
from stt_tui.history import HistoryError
from stt_tui.jobs.model import Job, JobState
from stt_tui.outputs.export import ExportError, utterances
from stt_tui.outputs.files import OutputError, write_output
from stt_tui.outputs.formatting import no_transcript
from stt_tui.service.errors import UserError
from stt_tui.service.facade import Service
from stt_tui.settings.config import ConfigError
from stt_tui.shared.private import open_private
from stt_tui.shared.wording import plural
from stt_tui.tui.messages import ActionDone, ActionFailed, DetailsReady, TranscriptReady
from stt_tui.tui.screens.bulk_export import BulkChoice, BulkExportScreen, target
from stt_tui.tui.screens.confirm import ConfirmScreen
from stt_tui.tui.screens.export import ExportChoice, ExportScreen

if TYPE_CHECKING:
    from stt_tui.tui.app import SttApp

EXPECTED = (UserError, ServiceError, ProtocolError, HistoryError, ConfigError, StorageError, OSError)


def describe(jobs: list[Job]) -> str:
    """'job #4 (talk.wav)' for one, '3 jobs' for several."""
    if len(jobs) == 1:
        job = jobs[0]
        return f"job #{job.id} ({Path(job.file_path).name or job.operation_id})"
    return plural(len(jobs), "job")


class JobActions:
    def __init__(self, app: SttApp) -> None:
        self.app = app

    def run(self, action: str, jobs: list[Job], service: Service) -> None:
        """`action` on `jobs` (one or more): open, details, export, copy_id, refresh, cancel, forget,
        resubmit, pager."""
        job = jobs[0]
        if action == "open":
            self._background(lambda: self._read_transcript(service, job), "read a result", "transcript")
        elif action == "details":
            self._background(lambda: self._read_details(service, job), "read a job", "transcript")
        elif action == "export":
            if len(jobs) == 1:
                self.ask_export(job, [], service)
            else:
                self._ask_bulk_export(jobs, service)
        elif action == "copy_id":
            ids = [j.operation_id for j in jobs if j.operation_id]
            if ids:
                self.app.copy_to_clipboard("\n".join(ids))
                self.app.notify(f"Copied {ids[0]}." if len(ids) == 1 else f"Copied {len(ids)} operation ids.")
            else:
                self.app.notify(f"{describe(jobs).capitalize()}: no operation id yet.", severity="warning")
        elif action == "refresh":
            if len(jobs) == 1:
                self._act([job], service.refresh, f"Job #{job.id} checked; it is still running.")
            else:
                running = [j for j in jobs if j.state == JobState.RUNNING]
                self._act(running, service.refresh, f"Checked {plural(len(running), 'running job')}.")
        elif action == "cancel":
            running = [j for j in jobs if j.state == JobState.RUNNING]
            if not running:
                self.app.notify(f"{describe(jobs).capitalize()}: nothing is running.", severity="warning")
                return
            self._confirm(
                f"Ask the service to stop {describe(running)}? It may finish anyway.",
                "Cancel jobs" if len(running) > 1 else "Cancel job",
                lambda: self._act(running, service.cancel, f"Asked the service to stop {describe(running)}."),
            )
        elif action == "forget":
            self._ask_forget(jobs, service)
        elif action == "resubmit":
            self._background(lambda: self._resubmit(jobs), "find the files", "actions")
        elif action in ("pager", "editor"):
            command = (
                os.environ.get("PAGER") or "less"
                if action == "pager"
                else os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
            )
            self._background(lambda: self._open_outside(service, job, command), "read a result", "transcript")

    def _confirm(self, question: str, yes: str, then: Callable[[], None]) -> None:
        def answered(ok: bool | None) -> None:
            if ok:
                then()

        self.app.push_screen(ConfirmScreen(question, yes), answered)

    def _ask_forget(self, jobs: list[Job], service: Service) -> None:
        question = f"Forget {describe(jobs)}?"
        if any(j.has_transcript for j in jobs):
            question += (
                " Saved transcripts are deleted with them."
                if len(jobs) > 1
                else " Its saved transcript is deleted with it."
            )
        if any(j.state == JobState.RUNNING for j in jobs):
            question += " Running jobs' results will never be fetched."
        forgotten = f"Forgot {describe(jobs)}."
        self._confirm(question, "Forget", lambda: self._act(jobs, service.forget, forgotten))

    def ask_export(self, job: Job, channels: list[int], service: Service) -> None:
        if not job.has_transcript:
            self.app.notify(no_transcript(job), severity="warning")
            return
        channels = channels or list(range(1, (job.channels or 1) + 1))
        # Beside the audio, as subtitle players look for it; else in the folder being browsed. Whether
        # the folder still exists is not asked here (no disk access on the event loop): writing says so.
        folder = Path(job.file_path).parent if job.file_path else self.app.browsing

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self.app.remember(export_format=choice.fmt)
                self._act([job], lambda j: self._write_export(service, j, choice), f"Wrote {choice.path}.")

        fmt = self.app.prefs.export_format
        kind = "speaker" if job.options.speaker_labeling else "channel"
        self.app.push_screen(ExportScreen(folder, job.file_path, job.id, channels, fmt, kind), chosen)

    def _ask_bulk_export(self, jobs: list[Job], service: Service) -> None:
        with_text = [j for j in jobs if j.has_transcript]
        if not with_text:
            self.app.notify(f"None of the {len(jobs)} jobs has a transcript.", severity="warning")
            return

        def chosen(choice: BulkChoice | None) -> None:
            if choice is None:
                return
            self.app.remember(export_format=choice.fmt)

            def write(job: Job) -> None:
                self._write_export(service, job, ExportChoice(choice.fmt, None, target(job, choice)))

            skipped = len(jobs) - len(with_text)
            note = f" ({plural(skipped, 'job')} without a transcript left out)" if skipped else ""
            self._act(with_text, write, f"Wrote {plural(len(with_text), 'transcript')}{note}.")

        fmt = self.app.prefs.export_format
        self.app.push_screen(BulkExportScreen(len(with_text), self.app.browsing, fmt), chosen)

    @staticmethod
    def _write_export(service: Service, job: Job, choice: ExportChoice) -> None:
        """Render the stored result and write it whole (see outputs.write_output)."""
        text = service.export(job, choice.fmt, choice.channel)
        try:
            write_output(choice.path, text)
        except OutputError as exc:
            raise UserError(str(exc)) from None

    def _read_transcript(self, service: Service, job: Job) -> None:
        try:
            items = utterances(service.transcript_json(job), job.options.speaker_labeling)
        except (*EXPECTED, ExportError) as exc:
            self.app.post_message(ActionFailed(str(exc)))
            return
        self.app.post_message(TranscriptReady(job, items))

    def _read_details(self, service: Service, job: Job) -> None:
        try:
            fresh = service.history.get(job.id)
            stored = service.history.result(job.id)
        except EXPECTED as exc:
            self.app.post_message(ActionFailed(str(exc)))
            return
        self.app.post_message(DetailsReady(fresh, stored.document() if stored else None))

    def _resubmit(self, jobs: list[Job]) -> None:
        files = [Path(j.file_path) for j in jobs if j.file_path and Path(j.file_path).is_file()]
        missing = len(jobs) - len(files)
        if missing:
            gone = "imported or gone" if missing > 1 else "imported, or its file is gone"
            self.app.post_message(ActionFailed(f"{plural(missing, 'job')} cannot be sent again ({gone})."))
        if files:
            self.app.call_from_thread(self.app.ask_submit, files, None, True)

    def _open_outside(self, service: Service, job: Job, command: str) -> None:
        """The transcript (txt export) in the user's $PAGER or $EDITOR, the app suspended meanwhile."""
        try:
            text = service.export(job, "txt")
        except EXPECTED as exc:
            self.app.post_message(ActionFailed(str(exc)))
            return
        self.app.call_from_thread(self.app.run_outside, command, text)

    def _act(self, jobs: list[Job], act: Callable[[Job], object], done: str) -> None:
        def work() -> None:
            failures: list[str] = []
            for job in jobs:
                try:
                    act(job)
                except EXPECTED as exc:
                    failures.append(str(exc))
            if failures and len(jobs) == 1:
                self.app.post_message(ActionFailed(failures[0]))
            elif failures:
                done_count = len(jobs) - len(failures)
                said = f"{done_count} of {len(jobs)} done; {len(failures)} not: {failures[0]}"
                self.app.post_message(ActionFailed(said))
            else:
                self.app.post_message(ActionDone(done))
            self.app.wake_poller()

        self._background(work, "a job action", "actions")

    def _background(self, work: Callable[[], None], description: str, group: str) -> None:
        self.app.run_worker(work, thread=True, group=group, exit_on_error=False, description=description)


def run_outside(
    command: str, text: str, suspend: Callable[[], AbstractContextManager[None]], say: Callable[..., None]
) -> None:
    """Write `text` to a private temporary file and open it with `command` (a pager or an editor)."""
    fd, name = tempfile.mkstemp(prefix="stt-tui-", suffix=".txt")
    os.close(fd)
    try:
        with os.fdopen(open_private(Path(name)), "w", encoding="utf-8") as f:
            f.write(text)
        with suspend():
            subprocess.run([*shlex.split(command), name], check=False)
    except OSError as exc:
        say(f"{command} could not be run: {exc.strerror}.", severity="error")
    except SuspendNotSupported:
        say(f"This terminal cannot hand the screen over to {command}.", severity="error")
    finally:
        Path(name).unlink(missing_ok=True)
