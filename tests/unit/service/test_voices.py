"""Remembered voices' parts: the history's tables (schema 13: prints go with their job, a voice no job
teaches goes, forgetting a voice takes its matches), the matching rule (no name rather than a wrong one),
which speech a print is made of, and stretches read from a file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import numpy as np
import pytest

from stt_tui.audio.stretches import stretches
from stt_tui.history import MIGRATIONS, History
from stt_tui.history.voices import Taught
from stt_tui.jobs.model import RequestOptions
from stt_tui.outputs.export import Utterance, with_edits
from stt_tui.service.voices import MARGIN, PRINT_SECONDS, SAME_VOICE, matches, speech_of, voices_of
from tests.support.audio_helpers import clip, read_pcm


@pytest.fixture
def history(tmp_path):
    h = History(tmp_path / "h.sqlite3", clock=lambda: 1000.0)
    yield h
    h.close()


def job(history: History) -> int:
    return history.add_submitting(profile="local", file_path="/a/b.wav", options=RequestOptions()).id


def vector(*values: float) -> np.ndarray:
    v = np.zeros(256, dtype=np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def test_a_print_goes_with_its_job_and_a_voice_with_its_last_print(history):
    first, second, third = job(history), job(history), job(history)
    history.teach(first, 1, "Anna", vector(1).tobytes(), 10.0)
    history.teach(second, 2, "Anna", vector(1, 0.1).tobytes(), 5.0)
    history.recognized(third, [(1, history.taught()[0].voice_id, 0.9)])
    assert history.edits(third).heard == {1: "Anna"}
    (anna,) = history.voices()
    assert (anna.name, anna.taught_by, anna.heard_in) == ("Anna", (first, second), (third,))
    history.forget(first)
    assert [v.taught_by for v in history.voices()] == [(second,)]
    history.forget(second)  # the last job that taught it: the voice goes, and where it was recognized
    assert history.voices() == [] and history.edits(third).heard == {}


def test_renaming_moves_the_print_and_forgetting_a_voice_takes_its_matches(history):
    first, other = job(history), job(history)
    history.teach(first, 1, "Ana", vector(1).tobytes(), 10.0)
    history.teach(first, 1, "Anna", vector(1).tobytes(), 10.0)  # the person corrected the name
    assert [v.name for v in history.voices()] == ["Anna"]
    assert history.unteach(first, 1) == (vector(1).tobytes(), 10.0)
    assert history.voices() == []
    history.teach(first, 1, "Anna", vector(1).tobytes(), 10.0)
    history.recognized(other, [(2, history.taught()[0].voice_id, 0.8)])
    assert history.forget_voice("Anna") and not history.forget_voice("Anna")
    assert history.edits(other).heard == {} and history.taught() == []


def test_a_name_given_wins_over_one_recognized(history):
    other = job(history)
    history.teach(job(history), 1, "Anna", vector(1).tobytes(), 10.0)
    history.recognized(other, [(1, history.taught()[0].voice_id, 0.8)])
    history.set_name(other, 1, "Bob")
    edits = history.edits(other)
    assert edits.names == {1: "Bob"} and edits.heard == {}
    u = Utterance(1, "hello", 0.0, 1.0, (), speaker=True)
    (named,) = with_edits([u], edits)
    assert (named.who, named.by_voice) == ("Bob", False)
    history.set_name(other, 1, "")
    (heard,) = with_edits([u], history.edits(other))
    assert (heard.who, heard.by_voice) == ("Anna (by voice)", True)


def test_a_history_of_schema_12_gets_the_voices(tmp_path):
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    for n in range(1, 13):
        db.executescript(MIGRATIONS[n])
    db.execute("PRAGMA user_version=12")
    db.commit()
    db.close()
    history = History(path)
    try:
        assert history.voices() == [] and history.taught() == []
    finally:
        history.close()


def test_no_name_rather_than_a_wrong_one():
    anna, bob = vector(1, 0.2), vector(0.2, 1)
    voices = {1: anna, 2: bob}
    # Close to Anna: Anna. Closest to Anna but below the threshold: nobody.
    found = matches({1: vector(1, 0.25), 2: vector(0, 0, 1)}, voices)
    assert [(m.channel, m.voice_id) for m in found] == [(1, 1)]
    # Two speakers like Anna: only the closer one is her.
    found = matches({1: vector(1, 0.3), 2: vector(1, 0.21)}, voices)
    assert [(m.channel, m.voice_id) for m in found] == [(2, 1)]
    # A voice between two named ones, above the threshold for both but near each: nobody.
    between = vector(1, 1)
    assert float(between @ anna) > SAME_VOICE and abs(float(between @ anna - between @ bob)) < MARGIN
    assert matches({1: between}, voices) == []
    assert matches({1: anna}, {}) == []


def test_a_voice_print_is_the_weighted_mean_of_what_its_jobs_taught():
    taught = [
        Taught(1, "Anna", 1, vector(1).tobytes(), 30.0),
        Taught(1, "Anna", 2, vector(0, 1).tobytes(), 10.0),
        Taught(2, "Bob", 1, vector(0, 0, 1).tobytes(), 5.0),
    ]
    merged = voices_of(taught)
    assert merged[1][0] == "Anna" and np.allclose(merged[1][1][:2], vector(3, 1)[:2], atol=1e-6)
    assert np.allclose(merged[2][1], vector(0, 0, 1))


def test_a_print_is_made_of_each_speakers_longest_phrases():
    items = [
        Utterance(1, "a", 0.0, 1.0, (), speaker=True),
        Utterance(1, "b", 1.0, 41.0, (), speaker=True),
        Utterance(1, "c", 41.0, 71.0, (), speaker=True),
        Utterance(1, "d", 71.0, 72.0, (), speaker=True),
        Utterance(2, "e", 72.0, 74.0, (), speaker=True),
        Utterance(1, "f", 0.0, 9.0, (), speaker=False),  # a channel of stereo audio: not a voice
    ]
    spoken = speech_of(items)
    assert spoken == {1: [(1.0, 41.0), (41.0, 71.0)], 2: [(72.0, 74.0)]}
    assert sum(e - s for s, e in spoken[1]) >= PRINT_SECONDS


def test_stretches_are_the_samples_of_the_spans_asked_for():
    path = clip("sb_spk1_snt1.wav").path
    pcm, rate = read_pcm(path)
    whole = pcm[:, 0].astype(np.float32) / 32768
    later, first, past = stretches(path, [(1.0, 2.0), (0.5, 1.5), (2.5, 99.0)], rate)
    assert np.allclose(first, whole[rate // 2 : rate * 3 // 2], atol=1e-4)
    assert np.allclose(later, whole[rate : 2 * rate], atol=1e-4)
    assert np.allclose(past, whole[int(2.5 * rate) :], atol=1e-4)


def test_without_the_encoder_nothing_is_remembered_and_nothing_is_said(tmp_path):
    """A cloud-only install (no onnxruntime): naming works as before, no voice is kept, no error."""
    code = (
        "import sys\n"
        "sys.modules['onnxruntime'] = None  # as if it were not installed\n"
        "from pathlib import Path\n"
        "from stt_tui.history import History\n"
        "from stt_tui.jobs.model import RequestOptions\n"
        "from stt_tui.outputs.export import Utterance\n"
        "from stt_tui.service.voices import Voices, _encoder\n"
        "assert _encoder() is None\n"
        f"history = History(Path({str(tmp_path / 'h.sqlite3')!r}))\n"
        "job = history.add_submitting(profile='local', file_path='/a/b.wav', options=RequestOptions())\n"
        f"voices = Voices(history, lambda job: Path({str(clip('wcpp_jfk.wav').path)!r}))\n"
        "voices.named(job, 1, 'Anna', [Utterance(1, 'x', 0.0, 10.0, (), speaker=True)])\n"
        "assert history.voices() == []\n"
        "print('off')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "off\n" and done.stderr == "", done.stderr
