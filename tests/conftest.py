from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from stt_tui.api import SpeechKitClient
from stt_tui.engine.models import model_source
from stt_tui.engine.recognizer import WhisperRecognizer
from stt_tui.engine.server import EngineServer
from tests.support.engines import client_for, make_server
from tests.support.homes import stop_engine, temporary_home


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temp folder with a short path: unix socket paths are limited to 107 characters."""
    path = Path(tempfile.mkdtemp(prefix="stt"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def home(short_tmp: Path) -> Iterator[Path]:
    """A home of one's own for a test; an engine the test started there is stopped after it."""
    yield short_tmp / "home"
    stop_engine(short_tmp / "home")


@pytest.fixture(scope="module")
def module_home() -> Iterator[Path]:
    """One home for all the tests of a module (their commands share its engine, started once); the engine
    stopped and the folder removed after the module."""
    yield from temporary_home("sttmod")


@pytest.fixture(scope="session")
def recognizer(tmp_path_factory) -> WhisperRecognizer:
    """The default model, loaded once for the tests that run the engine in this process."""
    return WhisperRecognizer(*model_source(None, tmp_path_factory.mktemp("engine")))


@pytest.fixture(scope="session")
def engine_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="stteng"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def engine_server(engine_dir: Path, recognizer: WhisperRecognizer) -> Iterator[EngineServer]:
    """The real engine on a loopback port, shared by the tests that only submit and poll."""
    server = make_server(engine_dir / "data", recognizer, roots=[engine_dir])
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def client(engine_server: EngineServer) -> Iterator[SpeechKitClient]:
    with client_for(engine_server.address) as c:
        yield c


# --- the cloud stand-in (see cloud_helpers.py) ---------------------------------------------------


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory):
    from tests.support.cloud_helpers import make_ca

    return make_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="session")
def seaweed():
    from tests.support.cloud_helpers import SeaweedS3

    server = SeaweedS3().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sa_key_file(tmp_path_factory) -> Path:
    from tests.support.cloud_helpers import make_sa_key

    return make_sa_key(tmp_path_factory.mktemp("sa") / "sa-key.json")


@pytest.fixture
def rig(short_tmp, recognizer, test_ca, seaweed, sa_key_file, request):
    """A home wired to the cloud stand-in; parametrize indirectly with CloudConfig options."""
    from tests.support.cloud_helpers import free_port
    from tests.support.cloud_rig import CloudRig

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


# --- only SQLite opens a database file, in this process and in every one the tests start ----------

_GUARD = Path(__file__).parent / "support" / "guard"
OPEN_LOG = Path(tempfile.gettempdir()) / f"stt-tui-opens-{os.getpid()}.log"
os.environ["STT_TUI_OPEN_LOG"] = str(OPEN_LOG)
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_GUARD), os.environ.get("PYTHONPATH")]))
sys.path.insert(0, str(_GUARD))
import database_guard  # noqa: E402  (from the folder just put on the path)

database_guard.install()


@pytest.fixture(autouse=True)
def no_plain_open_of_a_database() -> Iterator[None]:
    """Fails the test in which stt-tui's code opened a database file other than through SQLite."""
    before = len(database_guard.caught)
    yield
    assert database_guard.caught[before:] == [], "a database file was opened other than by SQLite"


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
    from tests.support.homes import alive

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

    if OPEN_LOG.exists():
        print(f"\nA DATABASE FILE WAS OPENED OTHER THAN BY SQLITE:\n{OPEN_LOG.read_text()}")
        OPEN_LOG.unlink()
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    left = _engines_under(tempfile.gettempdir())
    if left:
        for pid, _ in left:
            os.kill(pid, signal.SIGTERM)
        listing = "\n".join(f"  pid {pid}: {cmd}" for pid, cmd in left)
        print(f"\nENGINES LEFT RUNNING BY THE TESTS (now stopped):\n{listing}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
