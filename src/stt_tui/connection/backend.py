"""The connection to one profile's service: the engine started on demand, credentials, IAM, the bucket.

Made on first use and shared by every thread of the process. A connection is replaced (the engine went
away, the profile changed) without pulling it from under a call in flight: the old one is closed by
whoever finishes the last call on it. Quitting ends the calls in flight at once.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from stt_tui.api import ChannelSettings, Credentials, Endpoints, ServiceError, SpeechKitClient
from stt_tui.api.iam import IamTokenClient, ServiceAccountCredentials, ServiceAccountKey
from stt_tui.connection.local_engine import EngineStartError, ensure_engine, is_serving
from stt_tui.connection.storage import ObjectStore
from stt_tui.settings import credentials
from stt_tui.settings.config import ConfigError, Profile
from stt_tui.shared.paths import Paths
from stt_tui.shared.private import private_dir

log = logging.getLogger(__name__)


@dataclass
class _Connection:
    client: SpeechKitClient
    iam: IamTokenClient | None
    users: int = 0
    retired: bool = False

    def close(self) -> None:
        self.client.close()
        if self.iam is not None:
            self.iam.close()


@dataclass
class Backend:
    paths: Paths
    profile: Profile
    env: Mapping[str, str] = field(default_factory=lambda: os.environ, repr=False)
    warn: Callable[[str], None] = log.warning
    clock: Callable[[], float] = time.time
    _conn: _Connection | None = None
    _store: ObjectStore | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)

    @contextmanager
    def client(self, submitting: bool = False) -> Iterator[SpeechKitClient]:
        """The connection for one or more calls; the local profile starts its engine if it is not running.

        A cloud profile without usable credentials raises ConfigError, saying what to set. Once the
        process is stopping, nothing more is asked, but a submission already on its way still goes out
        within the grace the client gives it (so a file being sent is not left half submitted).
        """
        with self._lock:
            stopping = self._stopping.is_set()
            if stopping and not (submitting and self._conn is not None):
                raise ServiceError(grpc.StatusCode.CANCELLED, "stt-tui is stopping; nothing more is sent.")
            if self._conn is None:
                self._conn = self._connect()
            conn = self._conn
            conn.users += 1
        try:
            yield conn.client
        except ServiceError as exc:
            if exc.code == grpc.StatusCode.UNAVAILABLE and self.profile.local:
                self.retire(conn)  # the engine may have stopped: the next call starts it again
            raise
        finally:
            with self._lock:
                conn.users -= 1
                last = conn.retired and conn.users == 0
            if last:
                conn.close()

    def _connect(self) -> _Connection:
        if self.profile.local:
            outbox = private_dir(self.paths.outbox)  # the engine reads prepared audio from it
            try:
                target = ensure_engine(self.paths, allowed_roots=[outbox], stop=self._stopping)
            except EngineStartError as exc:
                raise ServiceError(grpc.StatusCode.UNAVAILABLE, str(exc)) from None
            return _Connection(SpeechKitClient(Endpoints.single(ChannelSettings(target))), None)
        creds, iam = self._cloud_credentials()
        stt = self._cloud_channel(self.profile.stt_target())
        endpoints = Endpoints(stt, self._cloud_channel(self.profile.operation_endpoint))
        return _Connection(SpeechKitClient(endpoints, credentials=creds), iam)

    def _cloud_channel(self, target: str | None) -> ChannelSettings:
        if not target:
            raise ConfigError(f"The {self.profile.name} profile lacks an endpoint.")
        # The real service is TLS only: a cloud profile never falls back to plaintext, even on loopback.
        return ChannelSettings(target, tls=True, root_certificates=self._roots())

    def _roots(self) -> bytes | None:
        if not self.profile.ca_file:
            return None
        try:
            return Path(self.profile.ca_file).read_bytes()
        except OSError as exc:
            raise ConfigError(f"The CA file {self.profile.ca_file} cannot be read: {exc.strerror}.") from None

    def _cloud_credentials(self) -> tuple[Credentials, IamTokenClient | None]:
        found = credentials.speechkit_credential(self.profile, self.env)
        for warning in found.warnings:
            self.warn(warning)
        if not isinstance(found.value, ServiceAccountKey):
            assert not isinstance(found.value, credentials.StaticKey)
            return found.value, None
        iam = IamTokenClient(self._cloud_channel(self.profile.iam_endpoint))
        return ServiceAccountCredentials(found.value, iam.exchange, clock=self.clock), iam

    def object_store(self) -> ObjectStore:
        """The cloud profile's bucket, reached on first use."""
        with self._lock:
            if self._store is None:
                if self.profile.storage is None:
                    raise ConfigError(f"The {self.profile.name} profile has no storage settings.")
                found = credentials.storage_key(self.profile, self.env)
                for warning in found.warnings:
                    self.warn(warning)
                key = found.value
                assert isinstance(key, credentials.StaticKey)
                self._store = ObjectStore(self.profile.storage, key.access_key_id, key.secret_access_key)
            return self._store

    def use(self, client: SpeechKitClient) -> None:
        """Make the calls through `client` from now on, not through a connection of the profile's own
        (an engine this process runs itself, as the tests do)."""
        with self._lock:
            self._conn = _Connection(client, None)

    def use_store(self, store: ObjectStore) -> None:
        """Reach the bucket through `store` from now on (keys other than the profile's)."""
        with self._lock:
            self._store = store

    def retire(self, conn: _Connection | None = None) -> None:
        """Stop using the current connection (or `conn`, if it still is); the next call makes a new one.

        Closed now if no call is using it, else by the last call to finish.
        """
        with self._lock:
            conn = conn or self._conn
            if conn is None or conn.retired:
                return
            if conn is self._conn:
                self._conn = None
            conn.retired = True
            idle = conn.users == 0
        if idle:
            conn.close()

    def abort(self) -> None:
        """The process is stopping: end the calls in flight and an engine start under way, now."""
        self._stopping.set()
        with self._lock:
            conn = self._conn
        if conn is not None:
            conn.client.abort()
            if conn.iam is not None:
                conn.iam.abort()

    def engine_running(self) -> bool | None:
        """Local profile: whether the engine answers right now; None for a cloud profile."""
        if not self.profile.local:
            return None
        return is_serving(self.paths.engine_target, timeout=0.25)
