"""Installed as a tool: the built wheel in a clean virtual environment that cannot see the source tree
transcribes a clip (the generated modules, the styles and everything read at run time are in it; the
`local` extra brings the engine)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

from tests.support.audio_helpers import clip
from tests.support.homes import stop_engine

ROOT = Path(__file__).resolve().parents[2]
SHORT = clip("ds_arctic_a0024.wav")


def test_the_wheel_in_a_clean_venv_submits_and_waits(tmp_path):
    dist = tmp_path / "dist"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist)]
    built = subprocess.run([*command, str(ROOT)], capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = dist.glob("stt_tui-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "stt_tui/tui/app.tcss" in names
    assert "stt_tui/_proto/yandex/cloud/ai/stt/v3/stt_pb2.py" in names
    assert not any(n.startswith(("tests/", "bench/")) for n in names)

    env_dir = tmp_path / "tool"
    venv.create(env_dir, with_pip=True)  # no system site-packages: only what the wheel asks for
    pip = env_dir / "bin" / "pip"
    installed = subprocess.run(
        [str(pip), "install", "--quiet", f"{wheel}[local]"], capture_output=True, text=True, check=False
    )
    assert installed.returncode == 0, installed.stderr[-2000:]

    home = tmp_path / "home"
    elsewhere = tmp_path / "elsewhere"  # no source tree in sight
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["STT_TUI_HOME"] = str(home)
    tool = env_dir / "bin" / "stt-tui"
    try:
        sent = subprocess.run(
            [str(tool), "submit", str(SHORT.path), "--wait", "--json"],
            capture_output=True, text=True, cwd=elsewhere, env=env, timeout=600, check=False,
        )  # fmt: skip
        assert sent.returncode == 0, sent.stderr
        (job,) = json.loads(sent.stdout)
        assert job["state"] == "done"
        shown = subprocess.run(
            [str(tool), "show", str(job["id"])], capture_output=True, text=True, cwd=elsewhere, env=env,
            check=False,
        )  # fmt: skip
        assert "north" in shown.stdout.lower()
        where = subprocess.run(
            [str(env_dir / "bin" / "python"), "-c", "import stt_tui; print(stt_tui.__file__)"],
            capture_output=True, text=True, cwd=elsewhere, env=env, check=False,
        )  # fmt: skip
        assert where.stdout.startswith(str(env_dir)), where.stdout  # the installed copy, not the source
    finally:
        stop_engine(home)
