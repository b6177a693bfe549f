"""A bounded pool of threads that take queued operations and recognize them."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from google.protobuf.message import Message

from stt_tui.engine.allocator import give_back
from stt_tui.engine.decode import Stopped, UndecodableAudio
from stt_tui.engine.store import OperationStore, State, StoredOperation
from stt_tui.engine.validation import AcceptedSpec, RequestRefused
from stt_tui.engine.validation_v3 import stored_spec

log = logging.getLogger(__name__)

# google.rpc.Code values carried in Operation.error.
CODE_CANCELLED = 1
CODE_INVALID_ARGUMENT = 3
CODE_INTERNAL = 13

STORE_RETRY_FIRST = 0.5
STORE_RETRY_MAX = 10.0
STORE_RESULT_SECONDS = 30.0  # how long a result is offered to a store that refuses it, before a failure

Recognize = Callable[[StoredOperation, AcceptedSpec, Callable[[], bool]], Message]


def discard_audio(op: StoredOperation) -> None:
    """Delete audio the engine spooled for an operation (never a user's own file)."""
    if op.audio_owned:
        Path(op.audio_path).unlink(missing_ok=True)


class WorkerPool:
    """`size` threads; each claims the next queued operation, so at most `size` run at once."""

    def __init__(
        self,
        store: OperationStore,
        recognize: Recognize,
        *,
        size: int = 1,
        housekeeping: Callable[[], object] = lambda: None,
        housekeeping_seconds: float = 60.0,
    ) -> None:
        self._store = store
        self._recognize = recognize
        self._size = size
        self._housekeeping = housekeeping
        self._housekeeping_seconds = housekeeping_seconds
        self._wake = threading.Condition()
        self._stopping = threading.Event()
        self._cancel_flags: dict[str, threading.Event] = {}
        self._threads: list[threading.Thread] = []
        self.store_trouble: str | None = None  # why the store cannot be used right now, for the log and Get

    def start(self) -> None:
        for n in range(self._size):
            t = threading.Thread(target=self._run, name=f"stt-worker-{n}", daemon=True)
            t.start()
            self._threads.append(t)

    def notify(self) -> None:
        """New work was queued."""
        with self._wake:
            self._wake.notify_all()

    def cancel(self, op_id: str) -> None:
        """Ask a running operation to stop at its next checkpoint."""
        flag = self._cancel_flags.get(op_id)
        if flag is not None:
            flag.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking work; running operations stop at a checkpoint and go back in the queue."""
        self._stopping.set()
        self.notify()
        for t in self._threads:
            t.join(timeout)

    @property
    def busy(self) -> int:
        return len(self._cancel_flags)

    def _run(self) -> None:
        """Take work until stopped; no error of the store or of one job ends the thread."""
        pause = STORE_RETRY_FIRST
        while not self._stopping.is_set():
            try:
                op = self._store.claim_next()
                if op is None:
                    with self._wake:
                        if self._wake.wait(self._housekeeping_seconds):
                            continue
                    self._housekeeping()
                    continue
                self.store_trouble = None
                pause = STORE_RETRY_FIRST
            except Exception as exc:  # noqa: BLE001 - a locked or full store: wait, then try again
                self._trouble(exc)
                self._stopping.wait(pause)
                pause = min(pause * 2, STORE_RETRY_MAX)
                continue
            self._process(op)

    def _trouble(self, exc: Exception) -> None:
        message = f"The engine cannot use its store: {exc}."
        if message != self.store_trouble:
            log.error("%s Retrying.", message)
        self.store_trouble = message

    def _process(self, op: StoredOperation) -> None:
        flag, began = threading.Event(), time.monotonic()
        self._cancel_flags[op.id] = flag

        def should_stop() -> bool:
            return flag.is_set() or self._stopping.is_set()

        try:
            spec = stored_spec(op.api, op.spec)
            response = self._recognize(op, spec, should_stop)
        except sqlite3.Error as exc:
            self._trouble(exc)
            self._finish(op, State.FAILED, error=(CODE_INTERNAL, f"Recognition failed: {exc}."))
        except Stopped:
            if flag.is_set():
                self._finish(op, State.CANCELLED, error=(CODE_CANCELLED, "The operation was cancelled."))
            else:
                try:
                    self._store.requeue(op.id)
                except sqlite3.Error as exc:
                    self._trouble(exc)  # left running: a restarted engine queues it again
        except (UndecodableAudio, RequestRefused) as exc:
            self._finish(op, State.FAILED, error=(CODE_INVALID_ARGUMENT, str(exc)))
        except FileNotFoundError:
            self._finish(op, State.FAILED, error=(CODE_INVALID_ARGUMENT, "The audio file is gone."))
        except Exception as exc:  # noqa: BLE001 - one bad job must not kill the worker
            log.exception("operation %s failed", op.id)
            self._finish(op, State.FAILED, error=(CODE_INTERNAL, f"Recognition failed: {exc}"))
        else:
            if flag.is_set():
                self._finish(op, State.CANCELLED, error=(CODE_CANCELLED, "The operation was cancelled."))
            else:
                self._finish(op, State.DONE, response=response.SerializeToString())
                log.info("operation %s done: recognized in %.2f s", op.id, time.monotonic() - began)
        finally:
            self._cancel_flags.pop(op.id, None)
            give_back()

    def _finish(self, op: StoredOperation, state: State, **result: Any) -> None:
        """Record the outcome, however long the store refuses: the result first, then, if the store still
        refuses it (a full disk takes no large result), a failure saying why; never a lost job."""
        pause, started = STORE_RETRY_FIRST, time.monotonic()
        while True:
            try:
                self._store.finish(op.id, state, **result)
                self.store_trouble = None
                break
            except sqlite3.Error as exc:
                self._trouble(exc)
                if self._stopping.is_set():
                    return  # left running: a restarted engine queues it again
                if state == State.DONE and time.monotonic() - started > STORE_RESULT_SECONDS:
                    state = State.FAILED
                    result = {"error": (CODE_INTERNAL, f"The engine could not store the result: {exc}.")}
                self._stopping.wait(pause)
                pause = min(pause * 2, STORE_RETRY_MAX)
        discard_audio(op)
