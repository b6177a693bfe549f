"""API v3 from the command line, on the local profile switched to v3: the engine serves both APIs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from stt_tui.history import History
from stt_tui.shared.paths import resolve_paths

from .audio_helpers import clip
from .homes import stt, temporary_home

RU = clip("ds_ru.wav")
CARDS = clip("ps_cards_003.wav")


@pytest.fixture(scope="module")
def home() -> Iterator[Path]:
    yield from temporary_home("sttv3")


def configure(home: Path, text: str) -> None:
    config = resolve_paths(home).config_dir
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(text)


def test_v3_options_on_the_local_engine(home):
    configure(home, '[profiles.local]\napi = "v3"\n')
    result = stt(home, "submit", str(RU.path), "--language", "en-US,ru-RU", "--wait", "--json")
    assert result.returncode == 0, result.stderr
    (job,) = json.loads(result.stdout)
    text = stt(home, "export", str(job["id"]), "--format", "txt").stdout
    assert any("а" <= ch <= "я" for ch in text.lower())  # detected as Russian among the two
    history = History(resolve_paths(home).history)
    stored = history.get(job["id"])
    assert job["api"] == stored.api == "v3" and stored.options.language == "auto"
    assert stored.options.languages == ("en-US", "ru-RU")
    document = json.loads(stt(home, "export", str(job["id"]), "--format", "json").stdout)
    assert {e["final"]["alternatives"][0]["languages"][0]["languageCode"]
            for e in document["streamingResponses"] if "final" in e} == {"ru-RU"}  # fmt: skip
    history.close()


def test_what_the_api_cannot_do_is_one_sentence_and_no_row(home):
    configure(home, '[profiles.local]\napi = "v2"\n')
    before = History(resolve_paths(home).history).count()
    for flags, sentence in (
        (["--speakers"], "Speaker labeling needs API v3"),
        (["--language", "en-US,ru-RU"], "needs API v3"),
    ):
        result = stt(home, "submit", str(CARDS.path), *flags)
        assert result.returncode == 2 and sentence in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    configure(home, '[profiles.local]\napi = "v3"\n')
    result = stt(home, "submit", str(CARDS.path), "--speakers")
    # The engine has no speaker model: it refuses by name, and the client shows it.
    assert result.returncode != 0 and "speaker labeling needs the cloud" in result.stderr
    result = stt(home, "submit", str(CARDS.path), "--language", "auto,xx-XX")
    assert result.returncode == 2 and "xx-XX" in result.stderr
    result = stt(home, "submit", str(CARDS.path), "--language", "en-US,xx-XX")
    assert result.returncode == 2 and "xx-XX" in result.stderr
    history = History(resolve_paths(home).history)
    assert all(j.state.value == "failed" for j in history.jobs()[: history.count() - before])
    history.close()
