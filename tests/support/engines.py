"""The engine in this process on a loopback port, a client for it, and waiting for an operation."""

from __future__ import annotations

import time
from pathlib import Path

from stt_tui.api import ChannelSettings, Endpoints, OperationState, SpeechKitClient
from stt_tui.engine.engine import Engine, EngineConfig
from stt_tui.engine.recognizer import WhisperRecognizer
from stt_tui.engine.server import EngineServer
from tests.support.audio_helpers import SHARED
from tests.support.waiting import wait_until


def make_server(
    data_dir: Path, recognizer: WhisperRecognizer, *, roots=(), clock=time.time, **kw
) -> EngineServer:
    config = EngineConfig(data_dir=data_dir, allowed_roots=[SHARED, *roots], **kw)
    return EngineServer(config, "127.0.0.1:0", engine=Engine(config, recognizer, clock=clock))


def client_for(address: str, **settings) -> SpeechKitClient:
    return SpeechKitClient(Endpoints.single(ChannelSettings(address, **settings)))


def wait_done(client: SpeechKitClient, op_id: str, timeout: float = 300.0) -> OperationState:
    def done() -> OperationState | None:
        state = client.get_operation(op_id)
        return state if state.done else None

    return wait_until(done, timeout, f"operation {op_id}")
