"""Hardening through the installed `stt-tui`: scripts, bad settings, files, disks, and the engine's wire."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import shutil
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

import grpc
import pytest

from stt_tui._proto.yandex.cloud.ai.stt.v2 import stt_service_pb2 as pb
from stt_tui.shared.paths import resolve_paths
from tests.support.audio_helpers import clip, lpcm_request, service_pcm
from tests.support.engines import client_for
from tests.support.homes import STT_TUI, alive, engine_pid, stop_engine, stt
from tests.support.waiting import wait_until

CARDS = clip("ps_cards_003.wav")  # "seven of clubs", 1.5 s


def shell(home: Path, script: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "STT_TUI_HOME": str(home), "STT": STT_TUI}
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=300)


def rows(home: Path) -> list[dict]:
    result = stt(home, "jobs", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def one_sentence(result: subprocess.CompletedProcess, code: int, *fragments: str) -> str:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("stt-tui: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_a_closed_pipe_ends_quietly_like_a_unix_tool(module_home):
    done = stt(module_home, "submit", str(CARDS.path), "--wait", "--json")
    assert done.returncode == 0, done.stderr
    history = sqlite3.connect(module_home / "history.sqlite3")
    history.executemany(  # more rows than a pipe's buffer holds once printed
        "INSERT INTO jobs (profile, state, file_path, options, created_at) "
        "VALUES ('local', 'failed', ?, '{}', 0)",
        [(f"/x/{n:05d}-{'long name ' * 8}.wav",) for n in range(3000)],
    )
    history.commit()
    history.close()
    for script in ('"$STT" jobs | head -n 2', '"$STT" jobs --json | true', '"$STT" show 1 | head -c 10'):
        result = shell(module_home, f'{script}; echo "status ${{PIPESTATUS[0]}}" >&2')
        assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr, result.stderr
        status = int(result.stderr.strip().splitlines()[-1].split()[1])
        assert status in (0, 141), result.stderr  # 141: ended by its reader going away, as `yes | head`
    assert shell(module_home, '"$STT" jobs | head -n 2').stderr.strip() == "", "nothing but the two lines"


def test_unknown_options_are_user_errors_that_write_nothing(module_home):
    before = len(rows(module_home))
    one_sentence(stt(module_home, "submit", str(CARDS.path), "--model", "foo"), 2, "'foo'", "general")
    one_sentence(stt(module_home, "submit", str(CARDS.path), "--language", "xx-YY"), 2, "'xx-YY'")
    assert len(rows(module_home)) == before


def test_importing_an_id_the_service_does_not_know_writes_nothing(module_home):
    before = len(rows(module_home))
    one_sentence(stt(module_home, "import", "abcdef123"), 2, "does not know operation abcdef123")
    assert len(rows(module_home)) == before


def test_empty_references_and_homes_are_refused(module_home):
    one_sentence(stt(module_home, "show", ""), 2, "Give a job number")
    one_sentence(stt(module_home, "--home", "", "jobs"), 2, "--home needs a folder")


def test_wait_on_a_pipe_prints_each_final_line_once(module_home):
    result = stt(module_home, "submit", str(CARDS.path), "--again", "--wait")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and " done " in lines[0], result.stdout
    assert result.stderr == ""


def test_wait_on_a_terminal_shows_a_live_line_then_the_final_one(module_home):
    main, follower = pty.openpty()
    env = {**os.environ, "STT_TUI_HOME": str(module_home)}
    proc = subprocess.Popen(
        [STT_TUI, "submit", str(clip("vosk_test.wav").path), "--wait"],
        stdout=subprocess.PIPE, stderr=follower, env=env, text=True,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    stdout, _ = proc.communicate(timeout=120)
    os.close(main)
    assert proc.returncode == 0
    screen = seen.decode(errors="replace")
    assert "running" in screen and " / ~" in screen, screen  # state, elapsed against the expected time
    assert stdout.count(" done ") == 1  # the final line, once, on stdout
    assert screen.rstrip().endswith("\x1b[J")  # and the live block erased, not left to double it


def test_export_goes_through_a_symlink_and_refuses_a_device(module_home, tmp_path):
    (job,) = [j for j in rows(module_home) if j["state"] == "done"][:1]
    real = tmp_path / "notes.txt"
    real.write_text("mine")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert stt(module_home, "export", str(job["id"]), "-o", str(link)).returncode == 0
    assert link.is_symlink() and real.read_text() == stt(module_home, "export", str(job["id"])).stdout
    one_sentence(stt(module_home, "export", str(job["id"]), "-o", "/dev/full"), 2, "not a regular file")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_names_with_escape_sequences_never_reach_the_terminal(module_home, tmp_path):
    evil = tmp_path / "\x1b[31mred\nline.wav"
    shutil.copy(CARDS.path, evil)
    result = stt(module_home, "submit", str(evil), "--again")
    assert result.returncode == 0, result.stderr
    listing = stt(module_home, "jobs").stdout
    assert "\x1b" not in listing and "\\x1b[31mred\\nline.wav" in listing
    stt(module_home, "wait")


def test_everything_written_is_private_in_a_folder_others_can_read(short_tmp):
    home = short_tmp / "open"
    home.mkdir()
    home.chmod(0o755)
    try:
        assert stt(home, "submit", str(CARDS.path), "--wait").returncode == 0
        loose = []
        for path in home.rglob("*"):
            mode = stat.S_IMODE(path.lstat().st_mode)
            if path.is_dir() and mode != 0o700 or path.is_file() and mode != 0o600:
                loose.append((str(path.relative_to(home)), oct(mode)))
        assert loose == []
    finally:
        stop_engine(home)


def test_a_full_disk_still_reads_and_says_disk_full_when_writing(short_tmp):
    """The home on a 200 MB tmpfs (the engine joins its 145 MB model there) in a private mount namespace:
    fill it, then use stt-tui."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to mount a small disk for this test")
    home, disk = short_tmp / "disk" / "home", short_tmp / "disk"
    disk.mkdir()
    big = short_tmp / "big.wav"
    shutil.copy(clip("vosk_lucier.wav").path, big)  # 3 MB: more than the disk holds
    script = f"""
set -u
mount -t tmpfs -o size=200m tmpfs {disk} || exit 99
export STT_TUI_HOME={home}
"$STT" submit {CARDS.path} --wait >/dev/null || echo "first submit failed"
head -c 300000000 /dev/zero > {disk}/filler 2>/dev/null
echo "jobs: $("$STT" jobs --json | tr -d '\n')"
"$STT" jobs >/dev/null; echo "jobs-status=$?"
"$STT" submit {big}; echo "submit-status=$?"
kill $(head -n 1 {home}/engine/engine.lock)
sleep 1
find {home} -name "*.part" >&2; find {home} -name "*.part" | wc -l
"""
    env = {**os.environ, "STT": STT_TUI, "PATH": f"{Path(STT_TUI).parent}:{os.environ['PATH']}"}
    result = subprocess.run(
        ["unshare", "--mount", "--map-root-user", "bash", "-c", script],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    assert f'"file": "{CARDS.path}"' in result.stdout, result.stdout + result.stderr
    assert "jobs-status=0" in result.stdout
    said = result.stdout + result.stderr
    assert "submit-status=2" in result.stdout and "disk is full" in result.stderr, said
    assert result.stdout.strip().splitlines()[-1] == "0", said  # no .part file left (find names them)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--workers", "0"), "between 1 and 64"),
        (("--workers", "-1"), "between 1 and 64"),
        (("--workers", "100000"), "between 1 and 64"),
        (("--retention-hours", "0"), "positive"),
        (("--retention-hours", "-1"), "positive"),
        (("--listen", "127.0.0.1:99999"), "between 0 and 65535"),
        (("--listen", "bogus"), "is not HOST:PORT"),
    ],
)
def test_serve_refuses_settings_that_cannot_work(short_tmp, args, fragment):
    result = stt(short_tmp, "serve", "--data-dir", str(short_tmp / "eng"), *args, timeout=60)
    assert result.returncode == 2 and fragment in result.stderr, result.stderr
    assert "reachable from other machines" not in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_says_a_certificate_is_not_one(short_tmp):
    junk = short_tmp / "junk.pem"
    junk.write_text("not a certificate")
    pair = ("--tls-cert", str(junk), "--tls-key", str(junk))
    result = stt(short_tmp, "serve", "--listen", "127.0.0.1:0", *pair)
    one_sentence(result, 2, "is not a PEM certificate")


def test_broken_settings_are_sentences_not_tracebacks(short_tmp):
    home = short_tmp / "h"
    home.mkdir()
    (home / "config.toml").write_bytes(b"default_profile = '\xff'\n")
    one_sentence(stt(home, "jobs"), 2, "not UTF-8")
    (home / "config.toml").unlink()
    (home / "outbox").write_text("a file where a folder should be")
    result = stt(home, "submit", str(CARDS.path))
    one_sentence(result, 2, "outbox")
    (home / "outbox").unlink()
    db = sqlite3.connect(home / "history.sqlite3")
    db.execute("DROP TABLE IF EXISTS jobs")
    db.execute("PRAGMA user_version=3")
    db.close()
    (home / "history.sqlite3").unlink()
    db = sqlite3.connect(home / "history.sqlite3")
    db.execute("PRAGMA user_version=3")
    db.close()
    one_sentence(stt(home, "jobs"), 2, "damaged")
    loop = short_tmp / "loop.wav"
    loop.symlink_to(loop)
    fresh = short_tmp / "fresh"
    one_sentence(stt(fresh, "submit", str(loop)), 2, "cannot be read")
    stop_engine(fresh)


def test_the_engine_bounds_what_its_errors_repeat(engine_server, tmp_path):
    client = client_for(engine_server.address)
    pcm, rate, channels = service_pcm(CARDS.path)
    huge = "x" * 1_000_000
    for request, fragment in (
        (lpcm_request(pcm, rate, channels, language=huge), "language_code"),
        (lpcm_request(pcm, rate, channels, model=huge), "model"),
    ):
        with pytest.raises(Exception) as caught:
            client.recognize(request)
        assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT and fragment in str(caught.value)
        assert len(str(caught.value)) < 1000
    for uri, fragment in (
        ("file:///tmp/a%00b.wav", "NUL"),
        ("file:///" + "a/" * 2500 + "x.wav", "no file has such a name"),
    ):
        spec = pb.RecognitionSpec(audio_encoding=pb.RecognitionSpec.MP3, language_code="en-US")
        request = pb.LongRunningRecognitionRequest(
            config=pb.RecognitionConfig(specification=spec), audio=pb.RecognitionAudio(uri=uri)
        )
        with pytest.raises(Exception) as caught:
            client.recognize(request)
        assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT, caught.value
        assert fragment in str(caught.value) and len(str(caught.value)) < 1000
    with pytest.raises(Exception) as caught:
        client.get_operation(huge)
    assert caught.value.code == grpc.StatusCode.NOT_FOUND and len(str(caught.value)) < 1000
    client.close()


def test_an_engine_that_dies_while_starting_does_not_make_the_next_client_wait(short_tmp):
    """One process holds the engine's lock as if starting, then dies: a client starts its own."""
    from stt_tui.connection.local_engine import ensure_engine
    from stt_tui.shared.paths import resolve_paths

    paths = resolve_paths(short_tmp / "race")
    paths.engine_dir.mkdir(parents=True)
    holder = subprocess.Popen(
        ["python3", "-c",
         "import fcntl,os,sys,time; fd=os.open(sys.argv[1], os.O_RDWR|os.O_CREAT); "
         "fcntl.flock(fd, fcntl.LOCK_EX); time.sleep(3)",
         str(paths.engine_dir / "engine.lock")],
    )  # fmt: skip

    def held() -> bool:
        """Whether another process holds the lock (taking it here would have to wait)."""
        fd = os.open(paths.engine_dir / "engine.lock", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing drops a lock taken here
        return False

    wait_until(held, 30, "the holder to take the lock", every=0.05)
    started = time.monotonic()
    try:
        ensure_engine(paths, timeout=60)
        took = time.monotonic() - started
    finally:
        holder.wait()
        stop_engine(short_tmp / "race")
    assert took < 20, f"waited {took:.1f} s"


def test_an_engine_started_by_a_client_is_never_left_a_zombie(short_tmp):
    from stt_tui.connection.local_engine import ensure_engine
    from stt_tui.shared.paths import resolve_paths

    home = short_tmp / "z"
    ensure_engine(resolve_paths(home))
    pid = engine_pid(home)
    assert pid is not None
    stop_engine(home)
    # Still in the process table after 5 s: a zombie nobody reaped.
    wait_until(lambda: not Path(f"/proc/{pid}").exists(), 5, "the ended engine to be reaped", every=0.05)
    assert not alive(pid)


def test_inline_audio_over_60_mb_is_refused_before_the_engine_holds_it(short_tmp):
    """The engine takes inline audio up to the service's 60 MB; a 300 MB request is refused by its
    length alone (gRPC reads the size before the bytes), so the engine never holds it."""
    proc = subprocess.Popen(
        [STT_TUI, "serve", "--data-dir", str(short_tmp / "eng"), "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        address = proc.stdout.readline().split()[-1]
        client = client_for(address)
        before = _peak_mb(proc.pid)
        with pytest.raises(Exception) as caught:
            client.recognize(lpcm_request(bytes(300 * 2**20), 16000, 1))
        assert caught.value.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "too large (300 MB; its limit is 61 MB)" in str(caught.value) and "by URI" in str(caught.value)
        assert _peak_mb(proc.pid) - before < 50  # it held none of it (it used to grow by three times 300 MB)
        with pytest.raises(Exception) as caught:
            client.recognize(lpcm_request(bytes(60 * 2**20 + 2), 16000, 1))
        assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT and "limit is 60 MB" in str(caught.value)
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.parametrize("api", ["v2", "v3"])
def test_a_wav_whose_header_understates_its_samples_is_transcribed_whole(api, short_tmp):
    """A recorder that never fixed the header's data size: said once, and every sample is sent (v2 as raw
    samples, v3 as a WAV with its header made right)."""
    home = short_tmp / "home"
    config = resolve_paths(home).config_dir
    config.mkdir(parents=True)
    (config / "config.toml").write_text(f'[profiles.local]\napi = "{api}"\n')
    source = clip("ps_cards_001.wav")
    data = bytearray(source.path.read_bytes())
    at = data.index(b"data")
    data[at + 4 : at + 8] = (3200).to_bytes(4, "little")
    short = short_tmp / "recorder.wav"
    short.write_bytes(bytes(data))
    try:
        result = stt(home, "--json", "submit", str(short), "--wait", "--language", "en-US")
        assert result.returncode == 0, result.stderr
        assert "promises only" in result.stderr
        job = json.loads(result.stdout)[0]
        assert job["api"] == api
        assert job["audio_seconds"] == pytest.approx(source.seconds, abs=0.2)
        shown = stt(home, "show", str(job["id"]))
        said = source.reference.lower().split()
        assert sum(word in shown.stdout.lower() for word in said) >= len(said) // 2, shown.stdout
    finally:
        stop_engine(home)
