"""A server that accepts connections and never answers, and the moment a gRPC call to it is in flight."""

from __future__ import annotations

import socket


def silent_server() -> socket.socket:
    """A listening socket on a loopback port that no one will ever answer on."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    return silent


def call_in_flight(silent: socket.socket, timeout: float = 30.0) -> socket.socket:
    """The connection a call made to `silent`, once the client has sent its first bytes on it (HTTP/2's
    preface, or a TLS hello): the call is then under way and waits for the server, which never answers
    (keep the connection open while the call should wait). gRPC sends the call itself only once the
    server has answered, which this one never does."""
    silent.settimeout(timeout)
    conn, _ = silent.accept()
    conn.settimeout(timeout)
    assert conn.recv(1), "the client closed the connection without a word"
    return conn
