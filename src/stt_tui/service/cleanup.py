"""What a job leaves behind once it is finished or forgotten: its prepared audio here, and the object it
uploaded to the bucket. Each is deleted only when no other unfinished job still needs it."""

from __future__ import annotations

from pathlib import Path

from stt_tui.connection.storage import StorageError
from stt_tui.jobs.model import FINAL_STATES, Job
from stt_tui.service.context import Context
from stt_tui.settings.config import ConfigError
from stt_tui.shared.objects import parse_object_uri


class Cleanup:
    """Deletes payloads and uploaded objects; a bucket that refuses once is not asked (and warned about)
    for every later job."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._deletes_refused = False

    def forget(self, job: Job) -> None:
        """Drop a job from the history, after what it left behind."""
        self.after(job, force=True)
        self.context.history.forget(job.id)

    def after(self, job: Job, force: bool = False) -> None:
        """Once a job is finished (or forgotten): delete its prepared audio and its uploaded object."""
        if not (force or job.state in FINAL_STATES):
            return
        self.drop_payload(job)
        if job.object_uri:
            self._drop_object(job)

    def drop_payload(self, job: Job) -> None:
        history = self.context.history
        if job.payload_path and not history.payload_in_use(job.payload_path, except_job=job.id):
            Path(job.payload_path).unlink(missing_ok=True)

    def _drop_object(self, job: Job) -> None:
        ctx = self.context
        storage = ctx.profile.storage
        if job.profile != ctx.profile.name or storage is None or not storage.delete_after_result:
            return
        if self._deletes_refused:
            return
        if job.object_uri is None or ctx.history.object_in_use(job.object_uri, except_job=job.id):
            return
        where = parse_object_uri(job.object_uri, storage.uri_base)
        if where is None or where[0] != storage.bucket:
            ctx.warn(
                f"Job #{job.id}: {job.object_uri} is not in the bucket {storage.bucket!r}; left as it is."
            )
            return
        try:
            ctx.backend.object_store().delete(where[1])
        except StorageError as exc:
            if exc.denied:
                self._deletes_refused = True
                ctx.warn(
                    f"{exc} Uploaded audio stays in the bucket; grant the role, or set "
                    "delete_after_result = false (a lifecycle rule on the bucket can expire it)."
                )
            else:
                ctx.warn(f"Job #{job.id}: the uploaded audio stays in the bucket: {exc}")
            return
        except ConfigError as exc:
            ctx.warn(f"Job #{job.id}: the uploaded audio stays in the bucket: {exc}")
            return
        ctx.history.set_uploaded(job.id, None)
