"""API v3 end to end against the engine in strict cloud mode: TLS, an API key, no bucket unless a file
needs one. Nothing is mocked but the cloud's addresses (the stream cut half way is served by a stand-in:
the engine cannot be made to fail mid-stream)."""

from __future__ import annotations

import json
import wave
from concurrent import futures
from pathlib import Path

import grpc
import jiwer
import numpy as np
import pytest

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_service_pb2_grpc as v3_grpc
from stt_tui.api import ChannelSettings, Endpoints, ServiceError, SpeechKitClient
from stt_tui.api.auth import ApiKey
from stt_tui.jobs.model import JobState, RequestOptions
from stt_tui.service.errors import UserError
from tests.support.audio_helpers import clip, normalize, read_pcm, resample
from tests.support.cloud_rig import API_KEY

CARDS = clip("ps_cards_003.wav")  # "seven of clubs"
RU = clip("ds_ru.wav")
EN = clip("ps_librivox_0880.wav")  # "he was not an ill disposed young man"
MB = 1024**2


def write_wav(path: Path, channels: list[np.ndarray], rate: int, size: int = 0) -> Path:
    """A 16-bit WAV of the given channels (int16, padded to one length), then silence up to `size` bytes."""
    length = max(len(c) for c in channels)
    frames = np.zeros((length, len(channels)), dtype="<i2")
    for i, c in enumerate(channels):
        frames[: len(c), i] = c
    with wave.open(str(path), "wb") as w:
        w.setnchannels(len(channels))
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames.tobytes())
        silence = bytes(1 << 20)
        left = size - path.stat().st_size if size else 0
        while left > 44:
            chunk = min(left - 44, len(silence))
            chunk -= chunk % (2 * len(channels))
            w.writeframes(silence[:chunk])
            left -= chunk
            if chunk == 0:
                break
    return path


def speech(c, rate: int = 16000) -> np.ndarray:
    samples, got = read_pcm(c.path)
    if got != rate:
        samples = resample(samples, got, rate)
    return samples[:, 0]


# The engine does minutes of mostly silent audio in a second or two: the first check need not wait
# for the service's stated speed.
QUICK = "work_seconds_per_audio_minute = 0.5"


def v3_rig(rig, **config):
    rig.write_config(api="v3", polling=QUICK, **config)
    return rig.service()


def stored_document(service, job) -> dict:
    return json.loads(service.history.result(job.id).document())


def test_a_30_mb_file_goes_inline_with_no_bucket_and_its_result_is_deleted_once_stored(
    rig, seaweed, tmp_path
):
    audio = write_wav(tmp_path / "talk.wav", [speech(CARDS, 48000)], 48000, size=30 * MB)
    assert 29 * MB < audio.stat().st_size <= 30 * MB
    service = v3_rig(rig, bucket="")  # no storage settings at all, no static key in the environment
    service.env = {"YC_API_KEY": API_KEY}
    before = set(seaweed.object_keys())
    try:
        job = service.submit(audio, RequestOptions(language="en-US"))
        assert job.api == "v3" and job.state == JobState.RUNNING and job.object_uri is None
        (final,) = service.wait([job], timeout=300)
        assert final.state == JobState.DONE, final.last_error
        assert normalize(service.export(final, "txt")) == "seven of clubs"
        document = stored_document(service, final)
        assert document["operation"]["description"] == "STT v3 async recognition"
        kinds = [
            next(k for k in e if k in ("final", "finalRefinement", "eouUpdate"))
            for e in document["streamingResponses"]
        ]
        assert kinds == ["final", "finalRefinement", "eouUpdate"]
        assert set(seaweed.object_keys()) == before  # nothing went through the bucket
        # Stored here, so the service was asked to forget it: asking again is NOT_FOUND.
        with service.backend.client() as client, pytest.raises(ServiceError) as gone:
            client.get_recognition(final.operation_id)
        assert gone.value.code == grpc.StatusCode.NOT_FOUND
        # The transcript still renders, from what is stored.
        assert "seven" in service.export(service.history.get(job.id), "srt").lower()
    finally:
        service.close()


def test_a_result_the_service_cannot_delete_is_one_warning(rig):
    warnings: list[str] = []
    rig.write_config(api="v3", bucket="", polling=QUICK)
    service = rig.service(warn=warnings.append)
    try:
        (job,) = service.wait([service.submit(CARDS.path, RequestOptions(language="en-US"))], timeout=120)
        assert job.state == JobState.DONE and warnings == []  # deleted at the service, quietly
        service.operations.delete_recognition(job)  # already gone: NOT_FOUND is what was asked for
        assert warnings == []
        rig.stop_engine()
        service.disconnect()
        service.operations.delete_recognition(job)
        (warning,) = warnings
        assert warning.startswith(f"Job #{job.id}: the service keeps its result (for 3 days): ")
        assert "delete_after_result = false" in warning and API_KEY not in warning
        assert normalize(service.export(job, "txt")) == "seven of clubs"  # nothing stored is lost
    finally:
        service.close()


def test_a_70_mb_file_goes_through_the_bucket(rig, seaweed, tmp_path):
    audio = write_wav(tmp_path / "long.wav", [speech(CARDS, 48000)], 48000, size=70 * MB)
    service = v3_rig(rig)
    try:
        job = service.submit(audio, RequestOptions(language="en-US"))
        assert job.object_uri and job.object_uri.endswith(".wav")  # WAV as it is: no header stripping
        assert any(k.endswith(".wav") for k in seaweed.object_keys())
        (final,) = service.wait([job], timeout=600)
        assert final.state == JobState.DONE, final.last_error
        assert normalize(service.export(final, "txt")) == "seven of clubs"
        assert final.object_uri is None and not any(k.endswith(".wav") for k in seaweed.object_keys())
    finally:
        service.close()


def test_too_big_for_inline_without_a_bucket_is_one_sentence_before_anything_is_written(rig, tmp_path):
    from stt_tui.connection.recognition_requests import route

    audio = write_wav(tmp_path / "huge.wav", [speech(CARDS, 48000)], 48000, size=70 * MB)
    service = v3_rig(rig, bucket="")
    try:
        # Converted to Ogg Opus, 70 MB of WAV fits: the file is sent converted, inline.
        probe, verdict = service.inspect(audio)
        plan = route(probe, verdict, upload="auto", has_bucket=False)
        assert plan.inline and plan.verdict.convert and plan.problem is None
        # upload = "always" with no bucket cannot work: said before any row.
        rig.write_config(api="v3", bucket="", extra='upload = "always"', polling=QUICK)
        strict = rig.service()
        with pytest.raises(UserError, match="no bucket"):
            strict.submit(audio, RequestOptions(language="en-US"))
        assert strict.history.count() == 0
        strict.close()
    finally:
        service.close()


def test_auto_language_on_english_and_russian(rig, tmp_path):
    service = v3_rig(rig, bucket="")
    try:
        en = service.submit(EN.path, RequestOptions(language="auto"))
        ru = service.submit(RU.path, RequestOptions(language="auto", languages=("en-US", "ru-RU")))
        en, ru = service.wait([en, ru], timeout=300)
        assert en.state == ru.state == JobState.DONE, (en.last_error, ru.last_error)
        from stt_tui.outputs.export import utterances

        english = utterances(service.transcript_json(en))
        russian = utterances(service.transcript_json(ru))
        assert {u.language for u in english} == {"en-US"} and {u.language for u in russian} == {"ru-RU"}
        assert jiwer.wer(normalize(EN.reference), normalize(" ".join(u.text for u in english))) <= 0.15
        heard = normalize(" ".join(u.text for u in russian))
        assert jiwer.cer(normalize(RU.reference), heard) <= 0.25 and any("а" <= ch <= "я" for ch in heard)
    finally:
        service.close()


def test_a_two_channel_wav_keeps_its_channels(rig, tmp_path):
    stereo = write_wav(tmp_path / "call.wav", [speech(CARDS), speech(EN)], 16000)
    service = v3_rig(rig, bucket="")
    try:
        job = service.submit(stereo, RequestOptions(language="en-US"))
        (final,) = service.wait([job], timeout=300)
        assert final.state == JobState.DONE, final.last_error
        tags = {e["channelTag"] for e in stored_document(service, final)["streamingResponses"]}
        assert tags == {"0", "1"}  # v3 counts channels from "0"
        assert normalize(service.export(final, "txt", channel=1)) == "seven of clubs"
        assert jiwer.wer(normalize(EN.reference), normalize(service.export(final, "txt", channel=2))) <= 0.15
        merged = service.export(final, "txt")
        assert "Channel 1: " in merged and "Channel 2: " in merged
        assert "<v Channel 2>" in service.export(final, "vtt")
    finally:
        service.close()


def test_ogg_opus_and_mp3_containers(rig, tmp_path):
    from tests.support.audio_helpers import encode, read_pcm

    samples, rate = read_pcm(CARDS.path)
    flac = tmp_path / "cards.flac"  # converted to Ogg Opus before it is sent
    flac.write_bytes(encode(samples, rate, "flac", "flac"))
    mp3 = tmp_path / "cards.mp3"  # sent as it is
    mp3.write_bytes(encode(samples, rate, "mp3", "libmp3lame"))
    service = v3_rig(rig, bucket="")
    try:
        jobs = [
            service.submit(flac, RequestOptions(language="en-US")),
            service.submit(mp3, RequestOptions(language="en-US"), again=True),
        ]
        assert [j.encoding for j in jobs] == ["OGG_OPUS", "MP3"]
        finals = list(service.wait(jobs, timeout=300))
        assert len(finals) == len(jobs)  # the checks below ran for each
        for final in finals:
            assert final.state == JobState.DONE, final.last_error
            assert normalize(service.export(final, "txt")) == "seven of clubs"
    finally:
        service.close()


def test_bad_input(rig, tmp_path):
    service = v3_rig(rig, bucket="")
    stereo = write_wav(tmp_path / "call.wav", [speech(CARDS), speech(CARDS)], 16000)
    client = SpeechKitClient(
        Endpoints.single(
            ChannelSettings(f"localhost:{rig.port}", tls=True, root_certificates=rig.test_ca.cert_pem)
        ),
        credentials=ApiKey(API_KEY),
    )
    try:
        # Speaker labeling is for mono audio: refused before anything is written.
        with pytest.raises(UserError, match="mono audio only"):
            service.submit(stereo, RequestOptions(language="en-US", speaker_labeling=True))
        # A language the service does not know, in the list for auto.
        with pytest.raises(UserError, match="xx-XX"):
            service.submit(CARDS.path, RequestOptions(language="auto", languages=("en-US", "xx-XX")))
        assert service.history.jobs(None) == []  # each refused before anything was written

        def request(**kw):
            audio = v3.AudioFormatOptions(
                container_audio=v3.ContainerAudio(container_audio_type=v3.ContainerAudio.WAV)
            )
            return v3.RecognizeFileRequest(
                recognition_model=v3.RecognitionModelOptions(audio_format=audio), **kw
            )

        wav = CARDS.path.read_bytes()
        with pytest.raises(ServiceError, match="xx-XX") as unknown:
            whitelist = v3.LanguageRestrictionOptions(
                restriction_type=v3.LanguageRestrictionOptions.WHITELIST, language_code=["xx-XX"]
            )
            req = request(content=wav)
            req.recognition_model.language_restriction.CopyFrom(whitelist)
            client.recognize_file(req)
        assert unknown.value.code == grpc.StatusCode.INVALID_ARGUMENT
        # Over 60 MB of content: refused with the limit named.
        with pytest.raises(ServiceError, match="limit is 60 MB") as big:
            client.recognize_file(request(content=wav + bytes(60 * MB - len(wav) + 2)))
        assert big.value.code == grpc.StatusCode.INVALID_ARGUMENT
        # What the engine cannot do is refused by name, never ignored.
        for name, value in (
            ("summarization", v3.SummarizationOptions(model_uri="gpt://b1/yandexgpt")),
            ("speech_analysis", v3.SpeechAnalysisOptions(enable_speaker_analysis=True)),
        ):
            with pytest.raises(ServiceError, match=name):
                client.recognize_file(request(content=wav, **{name: value}))
        # Results of an operation nobody started, and of one not done yet.
        with pytest.raises(ServiceError) as missing:
            client.get_recognition("e03nosuchoperation00")
        assert missing.value.code == grpc.StatusCode.NOT_FOUND
        pending = client.recognize_file(request(content=wav))
        try:
            client.get_recognition(pending.id)
        except ServiceError as early:
            assert early.code == grpc.StatusCode.FAILED_PRECONDITION and "not done" in str(early)
    finally:
        client.close()
        service.close()


class CutStream(v3_grpc.AsyncRecognizerServicer):
    """A server that sends the first utterance's `final` and then fails, or just stops."""

    def __init__(self, fail: bool) -> None:
        self.fail = fail

    def GetRecognition(self, request, context):  # noqa: N802
        yield v3.StreamingResponse(
            final=v3.AlternativeUpdate(alternatives=[v3.Alternative(text="half a")]), channel_tag="0"
        )
        if self.fail:
            context.abort(grpc.StatusCode.INTERNAL, "stream broken")


@pytest.mark.parametrize("fail", [True, False], ids=["with-an-error", "silently"])
def test_a_stream_cut_half_way_is_an_error_not_a_short_transcript(fail):
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    v3_grpc.add_AsyncRecognizerServicer_to_server(CutStream(fail), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    client = SpeechKitClient(Endpoints.single(ChannelSettings(f"127.0.0.1:{port}")))
    try:
        with pytest.raises(ServiceError) as cut:
            client.get_recognition("e03abcdefghijklmnopq")
        expected = grpc.StatusCode.INTERNAL if fail else grpc.StatusCode.DATA_LOSS
        assert cut.value.code == expected
        assert "half a" not in str(cut.value)
    finally:
        client.close()
        server.stop(0)
