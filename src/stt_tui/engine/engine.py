"""The embedded engine's behaviour, independent of gRPC: accept, look up, cancel, expire."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from google.protobuf.message import Message

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui.engine.audio_source import normalize_roots, read_head, resolve_file_uri, spool
from stt_tui.engine.cloud import CloudConfig
from stt_tui.engine.decode import UndecodableAudio, probe
from stt_tui.engine.models import model_source
from stt_tui.engine.recognition import recognize_file, recognized, stream_events
from stt_tui.engine.recognizer import WhisperRecognizer
from stt_tui.engine.speakers import MAX_SPEAKERS
from stt_tui.engine.store import FINISHED, OperationStore, State, StoredOperation, new_operation_id
from stt_tui.engine.validation import AcceptedSpec, RequestRefused, Spec, check_lpcm, check_size, check_spec
from stt_tui.engine.validation_v3 import check_recognize_file
from stt_tui.engine.wire import RecognizeFileCall, RecognizeRequest
from stt_tui.engine.workers import CODE_CANCELLED, WorkerPool, discard_audio
from stt_tui.shared.speechkit import CLOUD_MAX_SPEAKERS, MAX_INLINE_BYTES, V3
from stt_tui.voiceprint.encoder import EncoderUnavailable, SpeakerEncoder

log = logging.getLogger(__name__)

DEFAULT_RETENTION_HOURS = 72.0


@dataclass
class EngineConfig:
    data_dir: Path
    allowed_roots: Sequence[Path] = ()
    retention_hours: float = DEFAULT_RETENTION_HOURS
    workers: int = 1
    model: str | None = None
    housekeeping_seconds: float = 60.0
    # Strict cloud mode: audio from Object Storage URIs, or v3 content up to 60 MB (no v2 inline audio).
    cloud: CloudConfig | None = None


class ResultsUnavailable(Exception):
    """GetRecognition/DeleteRecognition cannot be answered: unknown (found=False) or not done."""

    def __init__(self, message: str, *, found: bool) -> None:
        super().__init__(message)
        self.found = found


class Engine:
    """Owns the store, the recognizer and the worker pool."""

    def __init__(
        self,
        config: EngineConfig,
        recognizer: WhisperRecognizer | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._clock = clock
        config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.spool_dir = config.data_dir / "audio"
        self.allowed_roots = normalize_roots(config.allowed_roots)
        self.recognizer = recognizer or WhisperRecognizer(*model_source(config.model, config.data_dir))
        self.speakers = SpeakerEncoder()  # loaded by the first job that asks for speaker labeling
        # The strict cloud mode labels as the service does.
        self.max_speakers = CLOUD_MAX_SPEAKERS if config.cloud is not None else MAX_SPEAKERS
        self.objects = None
        if config.cloud is not None:
            from stt_tui.engine.object_source import ObjectSource

            cloud = config.cloud
            self.objects = ObjectSource(
                cloud.storage_endpoint,
                cloud.storage_uri_base,
                cloud.storage_region,
                cloud.storage_ca_file,
                cloud.storage_access_key_id,
                cloud.storage_secret_access_key,
            )
        self.store = OperationStore(config.data_dir / "engine.sqlite3", clock=clock)
        requeued = self.store.requeue_interrupted()
        if requeued:
            log.info("re-queued %d interrupted operation(s)", requeued)
        self.pool = WorkerPool(
            self.store,
            self._recognize,
            size=config.workers,
            housekeeping=self.expire,
            housekeeping_seconds=config.housekeeping_seconds,
        )

    def _recognize(self, op: StoredOperation, spec: AcceptedSpec, stop: Callable[[], bool]) -> Message:
        path = Path(op.audio_path)
        if op.api == V3:
            timed = recognized(path, spec, self.recognizer, stop, self.speakers, self.max_speakers)
            return stream_events(timed, spec, op.id)
        return recognize_file(path, spec, self.recognizer, stop)

    @property
    def retention_seconds(self) -> float:
        return self.config.retention_hours * 3600

    def start(self) -> None:
        self.expire()
        self.pool.start()

    def stop(self) -> None:
        self.pool.stop()
        self.store.close()

    def submit(self, request: RecognizeRequest) -> StoredOperation:
        """API v2: validate like the service and queue; raises RequestRefused with the reason."""
        spec = check_spec(request.config.specification)
        if request.content is not None and self.objects is not None:
            raise RequestRefused(
                "audio.content is not accepted for asynchronous recognition; upload the audio to Object "
                "Storage and send its link in audio.uri."
            )
        options = request.config.specification.SerializeToString()
        return self._accept(spec, options, request.content, request.uri, "audio.")

    def submit_file(self, request: RecognizeFileCall) -> StoredOperation:
        """API v3 RecognizeFile: content (up to 60 MB, as the service) or a URI; RequestRefused else."""
        spec = check_recognize_file(request.options)
        return self._accept(spec, request.options.SerializeToString(), request.content, request.uri, "")

    def _accept(
        self, spec: AcceptedSpec, options: bytes, content: memoryview | None, uri: str | None, where: str
    ) -> StoredOperation:
        reason = self.recognizer.unsupported(spec.language)
        for code in spec.languages:
            reason = reason or self.recognizer.unsupported(code)
        if reason:
            raise RequestRefused(reason)
        if spec.speaker_labeling:
            try:
                self.speakers.check()
            except EncoderUnavailable as exc:
                raise RequestRefused(str(exc)) from None
        op_id = new_operation_id()
        if content is not None:
            check_size(len(content), MAX_INLINE_BYTES)
            path, owned = spool(content, self.spool_dir, op_id), True
        elif uri is not None and self.objects is not None:
            path, owned = self.objects.fetch(uri, self.spool_dir / op_id), True
        elif uri is not None:
            path, owned = resolve_file_uri(uri, self.allowed_roots), False
            check_size(path.stat().st_size)
        else:
            raise RequestRefused(f"The request has no audio: set {where}content or {where}uri.")
        try:
            if spec.encoding == Spec.LINEAR16_PCM:
                check_lpcm(path.stat().st_size, read_head(path), spec)
            else:
                probe(path, spec)
        except (RequestRefused, UndecodableAudio) as exc:
            if owned:
                path.unlink(missing_ok=True)
            raise RequestRefused(str(exc)) from None
        # Store only the options: the audio itself lives in the spool or the user's file.
        op = self.store.add(
            op_id, spec=options, audio_path=str(path), audio_owned=owned, deferred=spec.deferred, api=spec.api
        )
        self.pool.notify()
        return op

    def get(self, op_id: str) -> StoredOperation | None:
        """The operation, or None when unknown or past its retention."""
        op = self.store.get(op_id)
        if op is None or self._expired(op):
            return None
        return op

    def recognition(self, op_id: str) -> v3.StreamingResponseList:
        """The results of a done v3 operation; ResultsUnavailable says why there are none."""
        op = self.get(op_id)
        if op is None or op.api != V3 or op.results_deleted:
            raise ResultsUnavailable(f"Recognition {op_id} not found.", found=False)
        if not op.done:
            raise ResultsUnavailable(
                f"Operation {op_id} is not done yet; poll OperationService.Get until done is true.",
                found=True,
            )
        if op.state != State.DONE:
            raise ResultsUnavailable(
                f"Operation {op_id} has no results: {op.error_message or op.state.value}.", found=True
            )
        return v3.StreamingResponseList.FromString(op.response or b"")

    def delete_recognition(self, op_id: str) -> None:
        """DeleteRecognition: the results of a done v3 operation are gone for good."""
        self.recognition(op_id)  # the same answers for unknown, unfinished or failed ones
        self.store.delete_results(op_id)

    def cancel(self, op_id: str) -> StoredOperation | None:
        """Stop queued or running work; a finished operation is returned as it is."""
        op = self.get(op_id)
        if op is None or op.state in FINISHED:
            return op
        self.store.finish(op.id, State.CANCELLED, error=(CODE_CANCELLED, "The operation was cancelled."))
        self.pool.cancel(op.id)
        if op.state == State.QUEUED:
            discard_audio(op)
        return self.store.get(op_id)

    def expire(self) -> int:
        """Forget operations past retention, with their spooled audio."""
        gone = self.store.purge_created_before(self._clock() - self.retention_seconds)
        for op in gone:
            discard_audio(op)
        return len(gone)

    def _expired(self, op: StoredOperation) -> bool:
        return bool(self._clock() >= op.created_at + self.retention_seconds)
