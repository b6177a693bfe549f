"""API v3 from the command line, on the local profile switched to v3: the engine serves both APIs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from bench.speakers import conversation, true_voice, write_wav

from stt_tui.history import History
from stt_tui.shared.paths import resolve_paths
from tests.support.audio_helpers import clip
from tests.support.homes import stt

RU = clip("ds_ru.wav")
CARDS = clip("ps_cards_003.wav")


def configure(home: Path, text: str) -> None:
    config = resolve_paths(home).config_dir
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text(text)


def test_v3_options_on_the_local_engine(module_home):
    configure(module_home, '[profiles.local]\napi = "v3"\n')
    result = stt(module_home, "submit", str(RU.path), "--language", "en-US,ru-RU", "--wait", "--json")
    assert result.returncode == 0, result.stderr
    (job,) = json.loads(result.stdout)
    text = stt(module_home, "export", str(job["id"]), "--format", "txt").stdout
    assert any("а" <= ch <= "я" for ch in text.lower())  # detected as Russian among the two
    history = History(resolve_paths(module_home).history)
    stored = history.get(job["id"])
    assert job["api"] == stored.api == "v3" and stored.options.language == "auto"
    assert stored.options.languages == ("en-US", "ru-RU")
    document = json.loads(stt(module_home, "export", str(job["id"]), "--format", "json").stdout)
    assert {e["final"]["alternatives"][0]["languages"][0]["languageCode"]
            for e in document["streamingResponses"] if "final" in e} == {"ru-RU"}  # fmt: skip
    history.close()


def test_speakers_on_the_local_engine_are_shown_and_exported(module_home, tmp_path):
    """`--speakers` on the local profile: the engine tells the two voices apart, `show` and every export
    say who spoke, as they do for the cloud's labels."""
    samples, truth = conversation(("spk1", "spk2"))
    audio = write_wav(tmp_path / "two voices.wav", samples)
    configure(module_home, '[profiles.local]\napi = "v3"\n')
    result = stt(module_home, "submit", str(audio), "--language", "en-US", "--speakers", "--wait", "--json")
    assert result.returncode == 0, result.stderr
    (job,) = json.loads(result.stdout)
    assert job["state"] == "done", job
    rows = list(csv.reader(io.StringIO(stt(module_home, "export", str(job["id"]), "--format", "csv").stdout)))
    assert rows[0] == ["start", "end", "speaker", "text"]
    # spk1 speaks first, so it is speaker "0" on the wire and Speaker 1 to a person.
    number = {"spk1": "Speaker 1", "spk2": "Speaker 2"}
    expected = [number[true_voice(truth, float(start), float(end))] for start, end, _, _ in rows[1:]]
    assert [row[2] for row in rows[1:]] == expected and len(expected) == len(truth) + 3  # 3 joined turns
    shown = stt(module_home, "show", str(job["id"])).stdout
    assert [line.split(":")[0] for line in shown.splitlines() if line.startswith("Speaker")] == expected
    for fmt in ("srt", "txt", "md"):
        exported = stt(module_home, "export", str(job["id"]), "--format", fmt).stdout
        assert "Speaker 1" in exported and "Speaker 2" in exported and "Speaker 3" not in exported, fmt
    # A search hit says who spoke: "what joy there is in living" is spk2's.
    (hit,) = stt(module_home, "search", "joy", "living").stdout.splitlines()
    assert f"#{job['id']} " in hit and " spk2 " in hit, hit


def test_what_the_api_cannot_do_is_one_sentence_and_no_row(module_home):
    configure(module_home, '[profiles.local]\napi = "v2"\n')
    before = History(resolve_paths(module_home).history).count()
    for flags, sentence in (
        (["--speakers"], "Speaker labeling needs API v3"),
        (["--language", "en-US,ru-RU"], "needs API v3"),
    ):
        result = stt(module_home, "submit", str(CARDS.path), *flags)
        assert result.returncode == 2 and sentence in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    configure(module_home, '[profiles.local]\napi = "v3"\n')
    result = stt(module_home, "submit", str(CARDS.path), "--language", "auto,xx-XX")
    assert result.returncode == 2 and "xx-XX" in result.stderr
    result = stt(module_home, "submit", str(CARDS.path), "--language", "en-US,xx-XX")
    assert result.returncode == 2 and "xx-XX" in result.stderr
    history = History(resolve_paths(module_home).history)
    assert all(j.state.value == "failed" for j in history.jobs()[: history.count() - before])
    history.close()
