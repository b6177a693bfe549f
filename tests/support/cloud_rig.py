"""One home wired to the cloud stand-in: the engine in strict cloud mode (in this process, TLS on a
loopback port), the SeaweedFS bucket, and a config.toml whose profile `testcloud` points at them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from stt_tui.engine.cloud import AccountKey, CloudConfig
from stt_tui.engine.engine import Engine, EngineConfig
from stt_tui.engine.server import EngineServer
from stt_tui.service.facade import Service
from stt_tui.settings.config import choose_profile, load_config
from stt_tui.shared.paths import resolve_paths
from tests.support.cloud_helpers import SA_ACCESS_KEY, SA_SECRET_KEY, cloud_profile_toml

API_KEY = "AQVNtest-api-key-that-must-never-leak-42"
PROFILE = "testcloud"


@dataclass
class CloudRig:
    home: Path
    engine_dir: Path
    port: int
    recognizer: object
    test_ca: object
    seaweed: object
    sa_key_file: Path
    cloud_options: dict = field(default_factory=dict)
    server: EngineServer | None = None

    @property
    def env(self) -> dict[str, str]:
        """What a user would export: the API key and the static key."""
        return {
            "YC_API_KEY": API_KEY,
            "AWS_ACCESS_KEY_ID": SA_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SA_SECRET_KEY,
        }

    def write_config(self, **kw) -> Path:
        path = self.home / "config.toml"
        path.write_text(
            cloud_profile_toml(PROFILE, self.port, self.test_ca.ca_file, self.seaweed.endpoint, **kw)
        )
        path.chmod(0o600)
        return path

    def start_engine(self) -> EngineServer:
        cloud = CloudConfig(
            api_keys=[API_KEY],
            account_keys=[AccountKey.from_file(self.sa_key_file)],
            storage_endpoint=self.seaweed.endpoint,
            storage_access_key_id=SA_ACCESS_KEY,
            storage_secret_access_key=SA_SECRET_KEY,
            **self.cloud_options,
        )
        config = EngineConfig(data_dir=self.engine_dir, cloud=cloud)
        tls = (self.test_ca.key_pem, self.test_ca.cert_pem)
        server = EngineServer(
            config, f"127.0.0.1:{self.port}", engine=Engine(config, self.recognizer), tls=tls  # type: ignore[arg-type]
        )
        server.start()
        self.server = server
        return server

    def stop_engine(self) -> None:
        if self.server is not None:
            self.server.stop(grace=0.5)
            self.server = None

    def service(self, env: dict[str, str] | None = None, **kw) -> Service:
        paths = resolve_paths(self.home)
        profile = choose_profile(load_config(paths.config_dir), PROFILE)
        return Service.open(paths, profile, env=self.env if env is None else env, **kw)
