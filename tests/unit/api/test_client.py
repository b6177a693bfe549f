"""The client's calls: one in flight ends at once when the process quits."""

from __future__ import annotations

import threading
import time

import grpc

from stt_tui.api import ServiceError
from tests.support.silent_server import call_in_flight, silent_server


def test_quitting_ends_a_call_in_flight_at_once():
    from stt_tui.api import ChannelSettings, Endpoints, SpeechKitClient

    # A server that accepts connections and never answers: the call would wait its 30 s deadline.
    silent = silent_server()
    port = silent.getsockname()[1]
    client = SpeechKitClient(Endpoints.single(ChannelSettings(f"127.0.0.1:{port}", retry_attempts=1)))
    outcome: list[BaseException] = []

    def call():
        try:
            client.get_operation("e03abc")
        except BaseException as exc:  # noqa: BLE001
            outcome.append(exc)

    t = threading.Thread(target=call)
    t.start()
    conn = call_in_flight(silent)
    started = time.monotonic()
    client.abort()
    t.join(5)
    assert time.monotonic() - started < 1.0 and not t.is_alive()
    assert isinstance(outcome[0], ServiceError) and outcome[0].code == grpc.StatusCode.CANCELLED
    client.close()
    conn.close()
    silent.close()
