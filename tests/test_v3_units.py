"""API v3 decisions without I/O: routing, options, requests, the stream's completeness, exports,
migrations of both stores, and the per-second pacing of v3 checks."""

from __future__ import annotations

import json
import random
import sqlite3

import grpc
import pytest
from google.protobuf import json_format
from google.protobuf.any_pb2 import Any
from google.protobuf.empty_pb2 import Empty

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui._proto.yandex.cloud.operation import operation_pb2
from stt_tui.api import ProtocolError, decode_operation
from stt_tui.api.recognition import ResultIncomplete, gather
from stt_tui.audio.prepare import Payload
from stt_tui.audio.probe import Encoding, Probe, Verdict
from stt_tui.connection.recognition_requests import build_file_request, options_problem_for, route
from stt_tui.engine.recognition import stream_events
from stt_tui.engine.recognizer import RecognizedWord, Utterance
from stt_tui.engine.store import OperationStore
from stt_tui.engine.validation import WAV, RequestRefused
from stt_tui.engine.validation_v3 import SPEAKERS_NEED_THE_CLOUD, check_recognize_file
from stt_tui.history import MIGRATIONS, History
from stt_tui.jobs.model import RequestOptions, StoredResult, parse_languages
from stt_tui.jobs.schedule import LOCAL_POLICY
from stt_tui.outputs.export import render, utterances
from stt_tui.service.polling import Poller

MB = 1024**2


def probe(size: int, seconds: float, channels: int = 1) -> Probe:
    return Probe("/a/talk.wav", size, "wav", "pcm_s16le", seconds, channels, 48000)


NATIVE = Verdict(Encoding.LINEAR16_PCM)


def test_route_inline_bucket_or_converted():
    assert route(probe(30 * MB, 300), NATIVE, upload="auto", has_bucket=False).inline
    big = route(probe(70 * MB, 760), NATIVE, upload="auto", has_bucket=True)
    assert not big.inline and big.problem is None and not big.verdict.convert
    # No bucket: converted to Ogg Opus (32 kbit/s per channel) it fits, so that is what is sent.
    fitted = route(probe(70 * MB, 760), NATIVE, upload="auto", has_bucket=False)
    assert fitted.inline and fitted.verdict.convert and fitted.verdict.encoding == Encoding.OGG_OPUS
    assert "over the 60 MB" in fitted.verdict.reasons[0]
    # 4 h of stereo does not fit even as Opus, and there is no bucket.
    hopeless = route(probe(900 * MB, 4 * 3600, 2), NATIVE, upload="auto", has_bucket=False)
    assert hopeless.problem and "no bucket" in hopeless.problem
    assert not route(probe(MB, 10), NATIVE, upload="always", has_bucket=True).inline
    assert route(probe(MB, 10), NATIVE, upload="always", has_bucket=False).problem


def test_what_each_api_can_be_asked():
    assert "needs API v3" in options_problem_for("v2", RequestOptions(language="auto", languages=("en-US",)))
    assert "needs API v3" in options_problem_for("v2", RequestOptions(speaker_labeling=True))
    assert "needs API v3" in options_problem_for("v2", RequestOptions(phone_formatting=False))
    assert options_problem_for("v2", RequestOptions()) is None
    assert "`auto` only" in options_problem_for("v3", RequestOptions(language="en-US", languages=("ru-RU",)))
    assert "mono audio only" in options_problem_for("v3", RequestOptions(speaker_labeling=True), channels=2)
    assert options_problem_for("v3", RequestOptions(speaker_labeling=True), channels=1) is None
    assert parse_languages("en-US") == ("en-US", ())
    assert parse_languages("en-US, ru-RU,en-US") == ("auto", ("en-US", "ru-RU"))
    assert parse_languages("auto,ru-RU,xx") == ("auto", ("ru-RU", "xx"))  # checked later, not dropped
    options = RequestOptions(language="auto", languages=("en-US", "ru-RU"), speaker_labeling=True)
    assert RequestOptions.from_dict(json.loads(json.dumps(options.to_dict()))) == options
    assert RequestOptions.from_dict({"language": "ru-RU"}).languages == ()  # rows written before v3


def payload(encoding=Encoding.LINEAR16_PCM, wav=False) -> Payload:
    return Payload(__import__("pathlib").Path("/o/x"), encoding, 16000, 2, "ab", wav=wav)


def test_the_recognize_file_request():
    options = RequestOptions(
        language="auto", languages=("en-US", "ru-RU"), model="deferred-general", profanity_filter=True,
        speaker_labeling=True, phone_formatting=False,
    )  # fmt: skip
    request = build_file_request(payload(wav=True), options, content=b"RIFF")
    model = request.recognition_model
    assert request.WhichOneof("AudioSource") == "content" and request.content == b"RIFF"
    assert model.audio_format.container_audio.container_audio_type == v3.ContainerAudio.WAV
    assert model.model == "deferred-general"
    restriction = model.language_restriction
    assert restriction.restriction_type == v3.LanguageRestrictionOptions.WHITELIST
    assert list(restriction.language_code) == ["en-US", "ru-RU"]
    norm = model.text_normalization
    assert norm.text_normalization == v3.TextNormalizationOptions.TEXT_NORMALIZATION_ENABLED
    assert norm.profanity_filter and not norm.literature_text
    assert norm.phone_formatting_mode == v3.TextNormalizationOptions.PHONE_FORMATTING_MODE_DISABLED
    assert request.speaker_labeling.speaker_labeling == v3.SpeakerLabelingOptions.SPEAKER_LABELING_ENABLED
    raw = build_file_request(
        payload(), RequestOptions(language="ru-RU", raw_results=True), uri="https://s/b/k"
    )
    assert raw.uri == "https://s/b/k" and not raw.HasField("speaker_labeling")
    fmt = raw.recognition_model.audio_format.raw_audio
    assert (fmt.audio_encoding, fmt.sample_rate_hertz, fmt.audio_channel_count) == (1, 16000, 2)
    assert list(raw.recognition_model.language_restriction.language_code) == ["ru-RU"]
    norm = raw.recognition_model.text_normalization.text_normalization
    assert norm == v3.TextNormalizationOptions.TEXT_NORMALIZATION_DISABLED
    # The engine reads back what the client sends.
    accepted = check_recognize_file(build_file_request(payload(wav=True), RequestOptions(language="auto",
                                    languages=("en-US", "ru-RU")), content=b"x"))  # fmt: skip
    assert (accepted.encoding, accepted.language, accepted.languages, accepted.api) == (
        WAV,
        "auto",
        ("en-US", "ru-RU"),
        "v3",
    )
    assert accepted.raw_results  # the service never normalizes `auto`


def test_the_engine_refuses_what_it_cannot_do_by_name():
    wav = v3.AudioFormatOptions(container_audio=v3.ContainerAudio(container_audio_type=v3.ContainerAudio.WAV))
    base = v3.RecognizeFileRequest(recognition_model=v3.RecognitionModelOptions(audio_format=wav))
    assert check_recognize_file(base).raw_results  # normalization is off unless asked for
    cases = {
        "speaker labeling needs the cloud": v3.RecognizeFileRequest(
            speaker_labeling=v3.SpeakerLabelingOptions(speaker_labeling=1)
        ),
        "recognition_classifier": v3.RecognizeFileRequest(
            recognition_classifier=v3.RecognitionClassifierOptions(
                classifiers=[v3.RecognitionClassifier(classifier="insult")]
            )
        ),
        "BLACKLIST": v3.RecognizeFileRequest(
            recognition_model=v3.RecognitionModelOptions(
                language_restriction=v3.LanguageRestrictionOptions(
                    restriction_type=2, language_code=["ru-RU"]
                )
            )
        ),
        "audio_format is required": v3.RecognizeFileRequest(),
        "sample_rate_hertz 44100": v3.RecognizeFileRequest(
            recognition_model=v3.RecognitionModelOptions(
                audio_format=v3.AudioFormatOptions(
                    raw_audio=v3.RawAudio(audio_encoding=1, sample_rate_hertz=44100)
                )
            )
        ),
    }
    for sentence, request in cases.items():
        merged = v3.RecognizeFileRequest()
        if request.ByteSize():  # the empty request is the one without an audio format
            merged.CopyFrom(base)
        merged.MergeFrom(request)
        with pytest.raises(RequestRefused, match=sentence):
            check_recognize_file(merged)
    assert SPEAKERS_NEED_THE_CLOUD.startswith("speaker labeling needs the cloud")


def final(channel: str, index: int, text: str) -> list[v3.StreamingResponse]:
    cursors = v3.AudioCursors(final_index=index)
    alt = v3.Alternative(text=text, start_time_ms=index * 1000, end_time_ms=index * 1000 + 500)
    return [
        v3.StreamingResponse(
            final=v3.AlternativeUpdate(alternatives=[alt]), channel_tag=channel, audio_cursors=cursors
        ),
        v3.StreamingResponse(
            eou_update=v3.EouUpdate(time_ms=500), channel_tag=channel, audio_cursors=cursors
        ),
    ]


def test_a_stream_is_whole_only_when_every_final_is_closed():
    events = final("0", 0, "one") + final("1", 0, "two")
    assert len(gather("op", events).streaming_responses) == 4
    with pytest.raises(ResultIncomplete, match="ended early") as cut:
        gather("op", events + final("0", 1, "three")[:1])
    assert cut.value.code == grpc.StatusCode.DATA_LOSS  # fetched again later, never stored short
    assert len(gather("op", []).streaming_responses) == 0  # silence: nothing to say


def test_v3_operations_carry_empty_and_never_the_v2_response():
    op = operation_pb2.Operation(id="f8d0000000000000000a", done=True)
    op.response.CopyFrom(
        Any(type_url="type.googleapis.com/google.protobuf.Empty", value=Empty().SerializeToString())
    )
    state = decode_operation(op, "v3")
    assert state.succeeded and state.response is None and state.api == "v3"
    with pytest.raises(ProtocolError, match="google.protobuf.Empty"):
        decode_operation(op)  # a v2 job answered with a v3 operation
    op.response.type_url = "type.googleapis.com/yandex.cloud.ai.stt.v2.LongRunningRecognitionResponse"
    with pytest.raises(ProtocolError):
        decode_operation(op, "v3")


def utt(start: float, text: str, language: str = "") -> Utterance:
    words = [
        RecognizedWord(start + i * 0.3, start + i * 0.3 + 0.25, w, 0.9) for i, w in enumerate(text.split())
    ]
    return Utterance(start, start + 0.3 * len(words), text, words, 0.9, language, 0.99)


def test_speakers_and_languages_reach_every_export():
    from stt_tui.engine.validation_v3 import check_recognize_file as accept

    wav = v3.AudioFormatOptions(container_audio=v3.ContainerAudio(container_audio_type=v3.ContainerAudio.WAV))
    norm = v3.TextNormalizationOptions(text_normalization=1)
    spec = accept(v3.RecognizeFileRequest(
        recognition_model=v3.RecognitionModelOptions(audio_format=wav, text_normalization=norm,
            language_restriction=v3.LanguageRestrictionOptions(restriction_type=1, language_code=["en-US"])),
    ))  # fmt: skip
    events = stream_events(
        [(0, utt(0.0, "i have 2 cards", "en-US")), (1, utt(2.0, "hello there", "en-US"))], spec, "op1"
    )
    kinds = [e.WhichOneof("Event") for e in events.streaming_responses]
    assert kinds == ["final", "final_refinement", "eou_update"] * 2
    assert events.streaming_responses[0].final.alternatives[0].text == "i have two cards"  # raw: as spoken
    assert (
        events.streaming_responses[1].final_refinement.normalized_text.alternatives[0].text
        == "i have 2 cards"
    )
    assert {e.session_uuid.user_request_id for e in events.streaming_responses} == {"op1"}
    operation = json_format.MessageToJson(operation_pb2.Operation(id="op1", done=True))
    document = StoredResult(operation, json_format.MessageToJson(events)).document()
    items = utterances(document, speakers=True)
    assert [(u.who, u.text, u.language) for u in items] == [
        ("Speaker 1", "i have 2 cards", "en-US"), ("Speaker 2", "hello there", "en-US"),
    ]  # fmt: skip
    assert render(document, "txt", speakers=True) == "Speaker 1: i have 2 cards\nSpeaker 2: hello there\n"
    assert "<v Speaker 2>hello there" in render(document, "vtt", speakers=True)
    assert "Speaker 1: i have 2 cards" in render(document, "srt", speakers=True)
    assert render(document, "txt", channel=2, speakers=True) == "hello there\n"
    assert render(document, "txt").startswith("Channel 1: ")  # without speaker labeling: channels
    assert json.loads(render(document, "json"))["operation"]["id"] == "op1"


def test_a_schema_8_history_gains_the_api_and_keeps_its_results(tmp_path):
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    for n in range(1, 9):
        db.executescript(MIGRATIONS[n])
    db.execute(
        "INSERT INTO jobs (profile, state, file_path, options, created_at) "
        """VALUES ('yandex', 'done', '/a.wav', '{"language": "ru-RU"}', 1)"""
    )
    db.execute('INSERT INTO results (job_id, operation_json, stored_at) VALUES (1, \'{"id": "x"}\', 2)')
    db.execute("PRAGMA user_version=8")
    db.commit()
    db.close()
    history = History(path)
    (job,) = history.jobs()
    assert job.api == "v2" and job.options.language == "ru-RU" and job.options.languages == ()
    assert history.result(job.id) == StoredResult('{"id": "x"}', None)
    assert history.result(job.id).document() == '{"id": "x"}'


def test_an_engine_store_of_version_1_gains_the_api(tmp_path):
    path = tmp_path / "engine.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE operations (id TEXT PRIMARY KEY, created_at REAL NOT NULL, modified_at REAL NOT NULL, "
        "state TEXT NOT NULL, deferred INTEGER NOT NULL, spec BLOB NOT NULL, audio_path TEXT NOT NULL, "
        "audio_owned INTEGER NOT NULL, response BLOB, error_code INTEGER, error_message TEXT);"
        "INSERT INTO operations VALUES ('a1', 1, 1, 'done', 0, x'', '/x', 0, x'0a00', NULL, NULL);"
        "PRAGMA user_version=1;"
    )
    db.commit()
    db.close()
    store = OperationStore(path)
    op = store.get("a1")
    assert op.api == "v2" and op.response == b"\n\x00" and not op.results_deleted
    store.delete_results("a1")
    assert store.get("a1").results_deleted and store.get("a1").response is None
    store.close()


def test_v3_checks_keep_to_five_a_second(tmp_path):
    now = [1000.0]
    history = History(tmp_path / "h.sqlite3", clock=lambda: now[0])
    for n in range(7):
        job = history.add_submitting(
            profile="local", file_path=f"/{n}.wav", options=RequestOptions(), api="v3"
        )
        history.mark_submitted(job.id, f"op{n:018d}", 900.0, 900.0)
    asked: list[str] = []

    def check(job):
        asked.append(job.operation_id)
        return decode_operation(operation_pb2.Operation(id=job.operation_id, done=False), "v3")

    poller = Poller(history, "local", check, LOCAL_POLICY, clock=lambda: now[0], rand=random.Random(0))
    poller.poll_due()
    assert len(asked) == 5  # the other two wait for the next second
    assert 0 < poller.v3_wait() <= 1.0
    now[0] += 1.01
    poller.poll_due()
    second = asked[5:]
    # Five again, the two that waited among them (the first five were due again by then).
    assert len(second) == 5 and {f"op{5:018d}", f"op{6:018d}"} <= set(second)


def auto_result(*phrases: tuple[float, float, str]) -> str:
    """A v3 result stream of finals, each (start, end, language), as GetRecognition streams it."""
    events = v3.StreamingResponseList()
    for n, (start, end, language) in enumerate(phrases):
        alt = v3.Alternative(text=f"phrase {n}", start_time_ms=int(start * 1000), end_time_ms=int(end * 1000))
        alt.languages.add(language_code=language, probability=0.9)
        final = v3.AlternativeUpdate(alternatives=[alt], channel_tag="0")
        events.streaming_responses.add(final=final, audio_cursors=v3.AudioCursors(final_index=n))
    return json_format.MessageToJson(events)


def test_what_auto_came_to_is_the_language_of_most_of_the_speech(tmp_path):
    history = History(tmp_path / "h.sqlite3")
    auto = RequestOptions("auto")
    job = history.add_submitting(profile="local", file_path="/a.wav", options=auto, api="v3")
    history.mark_submitted(job.id, "op1", 1.0, 2.0)
    # Three short English phrases, one long Russian one: Russian is most of the speech.
    stream = auto_result((0, 1, "en-US"), (1, 2, "en-US"), (2, 3, "en-US"), (3, 9, "ru-RU"))
    done = history.store_result(job.id, '{"id": "op1", "done": true}', recognition_json=stream)
    assert done.detected_language == "ru-RU" and done.language == "auto ru-RU"
    fixed = history.add_submitting(profile="local", file_path="/b.wav", options=RequestOptions("en-US"))
    assert fixed.detected_language is None and fixed.language == "en-US"
    history.close()


def test_a_schema_9_history_learns_what_its_auto_jobs_came_to(tmp_path):
    path = tmp_path / "h.sqlite3"
    db = sqlite3.connect(path)
    for n in range(1, 10):
        db.executescript(MIGRATIONS[n])
    for language, api in (("auto", "v3"), ("auto", "v2")):
        db.execute(
            "INSERT INTO jobs (profile, state, file_path, options, created_at, api) VALUES "
            "('local', 'done', '/a.wav', ?, 1, ?)",
            (json.dumps({"language": language}), api),
        )
    stream = auto_result((0, 5, "kk-KZ"), (5, 6, "ru-RU"))
    db.execute(
        "INSERT INTO results (job_id, operation_json, stored_at, recognition_json) VALUES (1, '{}', 2, ?)",
        (stream,),
    )
    db.execute("INSERT INTO results (job_id, operation_json, stored_at) VALUES (2, '{}', 2)")
    db.execute("PRAGMA user_version=9")
    db.commit()
    db.close()
    history = History(path)
    assert [j.language for j in sorted(history.jobs(), key=lambda j: j.id)] == ["auto kk-KZ", "auto"]
    history.close()
