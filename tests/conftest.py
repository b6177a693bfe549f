from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stt_tui.api import ChannelSettings, Endpoints, OperationState, SpeechKitClient
from stt_tui.engine.engine import Engine, EngineConfig
from stt_tui.engine.models import model_source
from stt_tui.engine.recognizer import WhisperRecognizer
from stt_tui.engine.server import EngineServer

from .audio_helpers import SHARED
from .homes import stop_engine


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temp folder with a short path: unix socket paths are limited to 107 characters."""
    path = Path(tempfile.mkdtemp(prefix="stt"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def home(short_tmp: Path) -> Iterator[Path]:
    """A home of one's own for a test; an engine the test started there is stopped after it. (Modules whose
    tests share one home define their own.)"""
    yield short_tmp / "home"
    stop_engine(short_tmp / "home")


@pytest.fixture(scope="session")
def recognizer(tmp_path_factory) -> WhisperRecognizer:
    """The default model, loaded once for the tests that run the engine in this process."""
    return WhisperRecognizer(*model_source(None, tmp_path_factory.mktemp("engine")))


@pytest.fixture(scope="session")
def engine_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="stteng"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def make_server(
    data_dir: Path, recognizer: WhisperRecognizer, *, roots=(), clock=time.time, **kw
) -> EngineServer:
    config = EngineConfig(data_dir=data_dir, allowed_roots=[SHARED, *roots], **kw)
    return EngineServer(config, "127.0.0.1:0", engine=Engine(config, recognizer, clock=clock))


@pytest.fixture(scope="session")
def engine_server(engine_dir: Path, recognizer: WhisperRecognizer) -> Iterator[EngineServer]:
    """The real engine on a loopback port, shared by the tests that only submit and poll."""
    server = make_server(engine_dir / "data", recognizer, roots=[engine_dir])
    server.start()
    yield server
    server.stop()


def client_for(address: str, **settings) -> SpeechKitClient:
    return SpeechKitClient(Endpoints.single(ChannelSettings(address, **settings)))


@pytest.fixture(scope="session")
def client(engine_server: EngineServer) -> Iterator[SpeechKitClient]:
    with client_for(engine_server.address) as c:
        yield c


def wait_done(client: SpeechKitClient, op_id: str, timeout: float = 300.0) -> OperationState:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get_operation(op_id)
        if state.done:
            return state
        time.sleep(0.2)
    raise AssertionError(f"operation {op_id} not done after {timeout} s")


# --- the cloud stand-in (see cloud_helpers.py) ---------------------------------------------------


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    from .cloud_helpers import make_ca

    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def seaweed():
    from .cloud_helpers import SeaweedS3

    server = SeaweedS3().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sa_key_file(tmp_path_factory) -> Path:
    from .cloud_helpers import make_sa_key

    return make_sa_key(tmp_path_factory.mktemp("sa") / "sa-key.json")


@pytest.fixture
def rig(short_tmp, recognizer, test_ca, seaweed, sa_key_file, request):
    """A home wired to the cloud stand-in; parametrize indirectly with CloudConfig options."""
    from .cloud_helpers import free_port
    from .cloud_rig import CloudRig

    home = short_tmp / "home"
    home.mkdir()
    options = getattr(request, "param", {})
    rig = CloudRig(
        home, short_tmp / "engine", free_port(), recognizer, test_ca, seaweed, sa_key_file, options
    )
    rig.write_config()
    rig.start_engine()
    yield rig
    rig.stop_engine()


# --- no engine outlives the suite ---------------------------------------------------------------


SESSION_MARK = f"STT_TUI_TEST_SESSION={os.getpid()}"
os.environ["STT_TUI_TEST_SESSION"] = str(os.getpid())  # inherited by every engine this session starts


def _ours(pid: str) -> bool:
    """Whether the process was started by this test session (another session's engines are its own)."""
    try:
        return SESSION_MARK.encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False


def _engines_under(folder: str) -> list[tuple[int, str]]:
    """(pid, command line) of running `stt_tui serve` processes of this session with data under `folder`."""
    from .homes import alive

    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [a.decode(errors="replace") for a in argv if a]
        ours = any(w == "stt_tui" or w.endswith("/stt-tui") for w in words)
        mine = ours and "serve" in words and any(w.startswith(folder) for w in words)
        if mine and alive(int(proc.name)) and _ours(proc.name):
            found.append((int(proc.name), " ".join(words)))
    return found


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if an engine started by a test is still running: every test stops what it starts."""
    import signal

    left = _engines_under(tempfile.gettempdir())
    if left:
        for pid, _ in left:
            os.kill(pid, signal.SIGTERM)
        listing = "\n".join(f"  pid {pid}: {cmd}" for pid, cmd in left)
        print(f"\nENGINES LEFT RUNNING BY THE TESTS (now stopped):\n{listing}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
