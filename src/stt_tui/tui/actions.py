"""What can be done to jobs from the UI: open, export, check, cancel, forget, copy the operation id.

Each action takes the jobs it acts on (the one under the cursor today), asks before what cannot be undone,
and runs its calls in a thread worker; what it learns comes back to the app as messages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..api import ProtocolError, ServiceError
from ..config import ConfigError
from ..export import ExportError, utterances
from ..formatting import no_transcript
from ..history import HistoryError
from ..jobs import Job, JobState
from ..outputs import OutputError, write_output
from ..service import Service
from ..storage import StorageError
from ..submission import UserError
from .messages import ActionDone, ActionFailed, TranscriptReady
from .screens.confirm import ConfirmScreen
from .screens.export import ExportChoice, ExportScreen

if TYPE_CHECKING:
    from .app import SttApp

EXPECTED = (UserError, ServiceError, ProtocolError, HistoryError, ConfigError, StorageError, OSError)


class JobActions:
    def __init__(self, app: SttApp) -> None:
        self.app = app

    def run(self, action: str, job: Job, service: Service) -> None:
        """`action` (open, export, copy_id, refresh, cancel, forget) on `job`."""
        if action == "open":
            self._background(lambda: self._read_transcript(service, job), "read a result", "transcript")
        elif action == "export":
            self.ask_export(job, [], service)
        elif action == "copy_id":
            if job.operation_id:
                self.app.copy_to_clipboard(job.operation_id)
                self.app.notify(f"Copied {job.operation_id}.")
            else:
                self.app.notify(f"Job #{job.id} has no operation id.", severity="warning")
        elif action == "refresh":
            self._act(lambda: service.refresh(job), f"Job #{job.id} checked; it is still running.")
        elif action == "cancel":
            self._act(lambda: service.cancel(job), f"Asked the service to stop job #{job.id}.")
        elif action == "forget":
            self._ask_forget(job, service)

    def _ask_forget(self, job: Job, service: Service) -> None:
        question = f"Forget job #{job.id} ({Path(job.file_path).name or job.operation_id})?"
        if job.has_transcript:
            question += " Its saved transcript is deleted with it."
        elif job.state == JobState.RUNNING:
            question += " It is still running; its result will never be fetched."

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(lambda: service.forget(job), f"Job #{job.id} forgotten.")

        self.app.push_screen(ConfirmScreen(question, "Forget"), answered)

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
                self._act(lambda: self._write_export(service, job, choice), f"Wrote {choice.path}.")

        fmt = self.app.prefs.export_format
        self.app.push_screen(ExportScreen(folder, job.file_path, job.id, channels, fmt), chosen)

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
            items = utterances(service.transcript_json(job))
        except (*EXPECTED, ExportError) as exc:
            self.app.post_message(ActionFailed(str(exc)))
            return
        self.app.post_message(TranscriptReady(job, items))

    def _act(self, action: Callable[[], object], done: str) -> None:
        def work() -> None:
            try:
                action()
            except EXPECTED as exc:
                self.app.post_message(ActionFailed(str(exc)))
            else:
                self.app.post_message(ActionDone(done))
            finally:
                self.app.wake_poller()

        self._background(work, "a job action", "actions")

    def _background(self, work: Callable[[], None], description: str, group: str) -> None:
        self.app.run_worker(work, thread=True, group=group, exit_on_error=False, description=description)
