"""The backend's connection: one replaced (a profile switch) is closed only once its calls are done."""

from __future__ import annotations

from dataclasses import replace

import grpc
import pytest

from stt_tui.api import ServiceError
from stt_tui.shared.paths import resolve_paths


def test_a_replaced_connection_is_closed_only_after_its_calls(tmp_path, engine_server):
    from stt_tui.connection.backend import Backend
    from stt_tui.settings.config import builtin_profiles
    from tests.support.engines import client_for

    backend = Backend(resolve_paths(tmp_path), replace(builtin_profiles()["local"], kind="cloud"))
    conn_client = client_for(engine_server.address)
    backend.use(conn_client)
    with backend.client() as client:
        backend.retire()  # another thread switches profiles meanwhile
        with pytest.raises(ServiceError) as caught:
            client.get_operation("unknownop0000000000000")  # the call still works: NOT_FOUND, not closed
        assert caught.value.code == grpc.StatusCode.NOT_FOUND
    with pytest.raises(ServiceError, match="closed"):
        conn_client.get_operation("unknownop0000000000000")  # closed by the last user, and said so
