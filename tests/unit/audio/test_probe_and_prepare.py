"""Probing real files, checking them against the service's limits, and preparing what is sent."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from stt_tui.audio import probe as audio
from stt_tui.audio.prepare import SourceChanged, prepare
from stt_tui.audio.probe import GB, Encoding, Probe, ProbeError, check, probe
from stt_tui.audio.wav import wav_data_range
from tests.support.audio_helpers import clip, encode, read_pcm

SPEECH = clip("ps_librivox_0880.wav").path  # 16 kHz mono, 3 s


def tone(seconds: float, rate: int, channels: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    wave_ = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    return np.stack([wave_] * channels, axis=1)


def write_wav(path: Path, samples: np.ndarray, rate: int, extra_chunk: bytes = b"") -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    if extra_chunk:  # a LIST chunk before `data`, as many editors write
        data = path.read_bytes()
        fmt_end = 12 + 8 + struct.unpack("<I", data[16:20])[0]
        chunk = b"LIST" + struct.pack("<I", len(extra_chunk)) + extra_chunk + b"\0" * (len(extra_chunk) & 1)
        body = data[12:fmt_end] + chunk + data[fmt_end:]
        path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body)
    return path


def write_with(
    path: Path, codec: str, rate: int, channels: int, seconds: float = 2.0, fmt: str | None = None
) -> Path:
    layout = {1: "mono", 2: "stereo", 3: "3.0"}[channels]
    with av.open(str(path), "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        samples = tone(seconds, rate, channels)
        frame_size = stream.codec_context.frame_size or 1024
        for start in range(0, len(samples), frame_size):
            part = np.ascontiguousarray(samples[start : start + frame_size].reshape(1, -1))
            frame = av.AudioFrame.from_ndarray(part, format="s16", layout=layout)
            frame.sample_rate = rate
            for packet in stream.encode(frame):  # type: ignore[arg-type]
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def test_a_16khz_wav_goes_as_it_is(tmp_path):
    p = probe(SPEECH)
    assert (p.container, p.codec, p.channels, p.sample_rate) == ("wav", "pcm_s16le", 1, 16000)
    assert p.duration == pytest.approx(2.99, abs=0.01)
    assert p.size == SPEECH.stat().st_size
    verdict = check(p)
    assert verdict.ready and verdict.encoding == Encoding.LINEAR16_PCM and verdict.reasons == []


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("cd.wav", lambda p: write_wav(p, tone(2, 44100, 2), 44100), "44100 Hz"),
        ("deep.wav", lambda p: write_with(p, "pcm_s24le", 16000, 1, fmt="wav"), "pcm_s24le WAV"),
        ("song.flac", lambda p: write_with(p, "flac", 44100, 2), "flac in flac"),
        ("memo.m4a", lambda p: write_with(p, "aac", 44100, 1, fmt="mp4"), "aac in mp4"),
        ("talk.mka", lambda p: write_with(p, "libopus", 48000, 1, fmt="matroska"), "opus in matroska"),
    ],
)
def test_what_the_service_cannot_take_is_converted(tmp_path, name, make, reason):
    p = probe(make(tmp_path / name))
    verdict = check(p)
    assert verdict.encoding == Encoding.OGG_OPUS and verdict.convert and not verdict.ready
    assert p.duration == pytest.approx(2.0, abs=0.1)
    assert len(verdict.reasons) == 1 and reason in verdict.reasons[0]


def test_a_video_file_is_converted(tmp_path):
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as out:
        video = out.add_stream("mpeg4", rate=10)
        video.width, video.height = 64, 48
        audio = out.add_stream("aac", rate=16000, layout="mono")
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20, np.uint8), format="rgb24")
            for packet in video.encode(frame):
                out.mux(packet)
        samples = tone(1, 16000, 1)
        for start in range(0, len(samples), 1024):
            frame = av.AudioFrame.from_ndarray(  # type: ignore[assignment]
                np.ascontiguousarray(samples[start : start + 1024].reshape(1, -1)),
                format="s16",
                layout="mono",
            )
            frame.sample_rate = 16000
            for packet in audio.encode(frame):  # type: ignore[arg-type]
                out.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode(None):
                out.mux(packet)
    p = probe(path)
    assert p.video and p.channels == 1
    verdict = check(p)
    assert verdict.convert and "video" in verdict.reasons[0]


def test_opus_and_mp3_go_as_they_are(tmp_path):
    samples, rate = read_pcm(SPEECH)
    (tmp_path / "a.ogg").write_bytes(encode(samples, rate, "ogg", "libopus", out_rate=48000))
    (tmp_path / "a.mp3").write_bytes(encode(samples, rate, "mp3", "libmp3lame"))
    assert check(probe(tmp_path / "a.ogg")).encoding == Encoding.OGG_OPUS
    assert check(probe(tmp_path / "a.mp3")).encoding == Encoding.MP3
    assert check(probe(tmp_path / "a.ogg")).ready and check(probe(tmp_path / "a.mp3")).ready


def test_three_channels_are_refused(tmp_path):
    verdict = check(probe(write_wav(tmp_path / "three.wav", tone(1, 16000, 3), 16000)))
    assert verdict.refused
    assert verdict.reasons == ["It has 3 channels; the service takes at most 2."]


def fake(**kw) -> Probe:
    base = dict(
        path="x", size=1000, container="mp3", codec="mp3", duration=60.0, channels=1, sample_rate=44100
    )
    return Probe(**{**base, **kw})


def test_limits_on_length_and_size():
    too_long = check(fake(duration=2.5 * 3600, channels=2))
    assert too_long.refused and "5.0 h summed over its 2 channels" in too_long.reasons[0]
    assert check(fake(duration=2.5 * 3600, channels=1)).ready
    every = check(fake(duration=3 * 3600, channels=3))
    assert len(every.reasons) == 2  # every reason, not just the first
    big = check(fake(size=GB + 1))
    assert big.convert and "over the 1 GB limit" in big.reasons[0]
    assert check(fake(duration=0.0)).refused


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda d: (d / "t.mp3").write_text("not audio at all\n" * 50) and d / "t.mp3",
            "is not a readable MP3",
        ),
        (lambda d: (d / "e.wav").write_bytes(b"") or d / "e.wav", "is empty"),
        (lambda d: d, "is a folder"),
        (lambda d: d / "missing.wav", "does not exist"),
        (
            lambda d: (d / "notes.txt").write_text("hello\n" * 200) and d / "notes.txt",
            "not an audio or video file",
        ),
    ],
)
def test_unreadable_input_is_one_sentence(tmp_path, make, message):
    with pytest.raises(ProbeError, match=message) as info:
        probe(make(tmp_path))
    assert str(info.value).endswith(".") and "\n" not in str(info.value)


def test_the_wav_header_is_stripped_even_with_extra_chunks(tmp_path):
    samples = tone(1, 16000, 2)
    path = write_wav(tmp_path / "tagged.wav", samples, 16000, extra_chunk=b"INFOISFT\x05\0\0\0odd!!")
    offset, length = wav_data_range(path)
    assert length == samples.size * 2
    p = probe(path)
    payload = prepare(p, check(p), tmp_path / "outbox")
    assert payload.encoding == Encoding.LINEAR16_PCM and (payload.sample_rate, payload.channels) == (16000, 2)
    assert payload.path.read_bytes() == samples.astype("<i2").tobytes()
    # The same content is prepared once.
    again = prepare(p, check(p), tmp_path / "outbox")
    assert again.path == payload.path and len(list((tmp_path / "outbox").iterdir())) == 1


@pytest.mark.parametrize(
    ("name", "keep_wav"),
    [("talk.wav", False), ("talk.wav", True), ("song.flac", False)],
    ids=["pcm", "wav", "opus"],
)
def test_a_file_that_changes_while_it_is_read_is_not_prepared(tmp_path, name, keep_wav):
    """A copy still under way (a writer that paused longer than a watch's settle time) must not be sent
    half under the hash of another state of it, nor leave that half in the outbox for that hash."""
    if name.endswith(".wav"):
        path = write_wav(tmp_path / name, tone(1, 16000, 1), 16000)
    else:
        path = write_with(tmp_path / name, "flac", 44100, 1, seconds=1.0)
    p = probe(path)
    outbox = tmp_path / "outbox"

    def resumed(stage: str, fraction: float) -> None:  # the writer comes back while the file is read
        if path.stat().st_size == p.size:
            with path.open("ab") as f:
                f.write(b"\0\0" * 800)

    with pytest.raises(SourceChanged, match=f"{name} changed while it was being read"):
        prepare(p, check(p), outbox, resumed, keep_wav=keep_wav)
    assert list(outbox.iterdir()) == []
    # Changed between the probe and the read: refused before anything is written.
    with pytest.raises(SourceChanged):
        prepare(p, check(p), outbox, keep_wav=keep_wav)
    assert list(outbox.iterdir()) == []
    # Probed again, it is what is sent.
    again = probe(path)
    assert prepare(again, check(again), outbox, keep_wav=keep_wav).path.exists()


@pytest.mark.parametrize("keep_wav", [False, True], ids=["pcm", "wav"])
def test_audio_behind_a_symlink_is_prepared_as_the_file_itself(tmp_path, keep_wav):
    """A WAV sent whole (API v3) was hard-linked into the outbox as the symlink itself, which the engine
    followed out of the outbox and refused: every submit of linked audio failed on the local profile."""
    (tmp_path / "store").mkdir()
    real = write_wav(tmp_path / "store" / "talk.wav", tone(1, 16000, 1), 16000)
    link = tmp_path / "talk.wav"
    link.symlink_to(real)
    p = probe(link)
    outbox = tmp_path / "outbox"
    sent = prepare(p, check(p), outbox, keep_wav=keep_wav).path
    assert not sent.is_symlink() and sent.resolve().parent == outbox.resolve()
    assert sent.read_bytes() in (real.read_bytes(), real.read_bytes()[44:])  # whole, or its samples


def test_conversion_reports_progress_and_keeps_the_length(tmp_path):
    path = write_with(tmp_path / "song.flac", "flac", 44100, 2, seconds=3.0)
    p = probe(path)
    seen: list[tuple[str, float]] = []
    payload = prepare(p, check(p), tmp_path / "outbox", lambda stage, f: seen.append((stage, f)))
    assert payload.encoding == Encoding.OGG_OPUS and payload.path.suffix == ".opus"
    converted = probe(payload.path)
    assert (converted.container, converted.codec, converted.channels) == ("ogg", "opus", 2)
    assert converted.duration == pytest.approx(3.0, abs=0.05)
    fractions = [f for stage, f in seen if stage == "converting"]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 3
    assert not list((tmp_path / "outbox").glob("*.part"))


def _wav(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(np.zeros(int(16000 * seconds), "<i2").tobytes())
    return path


def test_a_truncated_wav_is_said_and_measured(tmp_path):
    whole = _wav(tmp_path / "whole.wav", 10.0)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: 44 + 2 * 960])  # 0.06 s of the promised 10 s
    probe = audio.probe(cut)
    assert probe.duration == pytest.approx(0.06) and probe.claimed_duration == pytest.approx(10.0)
    verdict = audio.check(probe)
    assert not verdict.refused
    assert verdict.notes == [
        "It is truncated: its header promises 10.00 s but it holds 0.06 s; those 0.06 s are sent."
    ]
    assert audio.check(audio.probe(whole)).notes == []


def test_a_damaged_ogg_claiming_hours_is_refused_as_damaged(tmp_path):
    from tests.support.audio_helpers import clip, encode, read_pcm

    samples, rate = read_pcm(clip("ps_cards_001.wav").path)
    data = bytearray(encode(samples, rate, "ogg", "libopus", 48000))
    # The last page's granule position says where the stream ends: claim ~9 hours.
    last = data.rfind(b"OggS")
    data[last + 6 : last + 14] = (48000 * 3600 * 9).to_bytes(8, "little")
    bad = tmp_path / "bad.opus"
    bad.write_bytes(bytes(data))
    with pytest.raises(audio.ProbeError, match="looks damaged"):
        audio.probe(bad)


def test_a_symlink_loop_is_one_sentence(tmp_path):
    loop = tmp_path / "loop.wav"
    loop.symlink_to(loop)
    with pytest.raises(audio.ProbeError, match="cannot be read"):
        audio.probe(loop)


def _understated(whole: Path, path: Path, said_bytes: int, tail: bytes = b"") -> Path:
    """`whole` with a header whose data size says `said_bytes` (a recorder that never came back to fix
    it), and `tail` after the samples."""
    data = bytearray(whole.read_bytes() + tail)
    at = data.index(b"data")
    data[at + 4 : at + 8] = said_bytes.to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def test_a_wav_header_that_promises_less_than_the_file_holds_is_said_and_all_of_it_sent(tmp_path):
    from stt_tui.audio.prepare import prepare

    whole = _wav(tmp_path / "whole.wav", 3.0)
    short = _understated(whole, tmp_path / "short.wav", 3200)  # says 0.1 s
    probe = audio.probe(short)
    assert probe.duration == pytest.approx(3.0) and probe.claimed_duration == pytest.approx(0.1)
    assert audio.check(probe).notes == [
        "Its header promises only 0.10 s but it holds 3.00 s of samples; all 3.00 s are sent."
    ]
    raw = prepare(probe, audio.check(probe), tmp_path / "raw")
    assert raw.path.stat().st_size == 16000 * 3 * 2
    sent = prepare(probe, audio.check(probe), tmp_path / "v3", keep_wav=True)
    with wave.open(str(sent.path)) as w:  # a header that says what it holds
        assert w.getnframes() == 16000 * 3
    # Chunks after the samples (tags) are no samples: that header is right and is obeyed.
    tagged = _understated(whole, tmp_path / "tagged.wav", 16000 * 3 * 2, b"LIST\x04\0\0\0INFO")
    assert audio.probe(tagged).claimed_duration is None
    assert audio.probe(tagged).duration == pytest.approx(3.0)


def test_a_streamed_wav_is_measured_by_what_it_holds(tmp_path):
    """FFmpeg writing to a pipe leaves 0xFFFFFFFF as the sizes (mutagen reads 37 hours), a writer that
    never came back leaves 0 (no audio): both are the 3 s they hold."""
    samples = np.zeros(48000, "<i2").tobytes()
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
    for riff, data in ((0xFFFFFFFF, 0xFFFFFFFF), (10, 0)):
        path = tmp_path / f"streamed{data}.wav"
        sizes = struct.pack("<I", riff), struct.pack("<I", data)
        path.write_bytes(b"RIFF" + sizes[0] + b"WAVE" + fmt + b"data" + sizes[1] + samples)
        probe = audio.probe(path)
        assert probe.duration == pytest.approx(3.0) and probe.claimed_duration is None
        assert not audio.check(probe).refused
