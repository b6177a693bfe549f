"""Remembered voices through the real CLI: a home set up for them, conversations of the shared clips sent
with speakers labeled, and what `phrases` and `voices` say of them."""

from __future__ import annotations

import json
from pathlib import Path

from bench.naming import people
from bench.speakers import conversation, write_wav

from stt_tui.shared.paths import resolve_paths
from tests.support.homes import stt


def configure(home: Path, remember: bool = True) -> None:
    config = resolve_paths(home).config_dir
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(
        f'remember_voices = {"true" if remember else "false"}\n[profiles.local]\napi = "v3"\n'
    )


def ok(home: Path, *args: str) -> str:
    result = stt(home, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def submit(home: Path, folder: Path, name: str, *voices: str) -> int:
    samples, _ = conversation(voices, turns_of=people())
    audio = write_wav(folder / f"{name}.wav", samples)
    (job,) = json.loads(
        ok(home, "submit", str(audio), "--language", "en-US", "--speakers", "--wait", "--json")
    )
    assert job["state"] == "done", job
    return int(job["id"])


def names(home: Path, job: int) -> dict[int, tuple[str | None, bool]]:
    """Each speaker's name in the job's phrases, and whether it was recognized by voice."""
    return {
        p["channel"]: (p["name"], p["by_voice"]) for p in json.loads(ok(home, "phrases", str(job), "--json"))
    }


def voices(home: Path) -> dict[str, tuple[list[int], list[int]]]:
    return {v["name"]: (v["named_in"], v["recognized_in"]) for v in json.loads(ok(home, "voices", "--json"))}
