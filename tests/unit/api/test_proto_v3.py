"""API v3 on the wire: every name, number and type of the asynchronous path as the service has them."""

from __future__ import annotations

import pytest
from google.protobuf.descriptor import FieldDescriptor as F

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_service_pb2 as v3_service

P = "speechkit.stt.v3."
I64, STR, BYTES, BOOL, DBL, MSG, ENUM = (
    F.TYPE_INT64, F.TYPE_STRING, F.TYPE_BYTES, F.TYPE_BOOL, F.TYPE_DOUBLE, F.TYPE_MESSAGE, F.TYPE_ENUM,
)  # fmt: skip

# (message, field, number, type, the type it names or None, repeated) as in the facts sheet (§6).
FIELDS = [
    ("RecognizeFileRequest", "content", 1, BYTES, None, False),
    ("RecognizeFileRequest", "uri", 2, STR, None, False),
    ("RecognizeFileRequest", "recognition_model", 3, MSG, "RecognitionModelOptions", False),
    ("RecognizeFileRequest", "recognition_classifier", 4, MSG, "RecognitionClassifierOptions", False),
    ("RecognizeFileRequest", "speech_analysis", 5, MSG, "SpeechAnalysisOptions", False),
    ("RecognizeFileRequest", "speaker_labeling", 6, MSG, "SpeakerLabelingOptions", False),
    ("RecognizeFileRequest", "summarization", 7, MSG, "SummarizationOptions", False),
    ("RecognitionModelOptions", "model", 1, STR, None, False),
    ("RecognitionModelOptions", "audio_format", 2, MSG, "AudioFormatOptions", False),
    ("RecognitionModelOptions", "text_normalization", 3, MSG, "TextNormalizationOptions", False),
    ("RecognitionModelOptions", "language_restriction", 4, MSG, "LanguageRestrictionOptions", False),
    (
        "RecognitionModelOptions",
        "audio_processing_type",
        5,
        ENUM,
        "RecognitionModelOptions.AudioProcessingType",
        False,
    ),
    ("AudioFormatOptions", "raw_audio", 1, MSG, "RawAudio", False),
    ("AudioFormatOptions", "container_audio", 2, MSG, "ContainerAudio", False),
    ("RawAudio", "audio_encoding", 1, ENUM, "RawAudio.AudioEncoding", False),
    ("RawAudio", "sample_rate_hertz", 2, I64, None, False),
    ("RawAudio", "audio_channel_count", 3, I64, None, False),
    ("ContainerAudio", "container_audio_type", 1, ENUM, "ContainerAudio.ContainerAudioType", False),
    (
        "TextNormalizationOptions",
        "text_normalization",
        1,
        ENUM,
        "TextNormalizationOptions.TextNormalization",
        False,
    ),
    ("TextNormalizationOptions", "profanity_filter", 2, BOOL, None, False),
    ("TextNormalizationOptions", "literature_text", 3, BOOL, None, False),
    (
        "TextNormalizationOptions",
        "phone_formatting_mode",
        4,
        ENUM,
        "TextNormalizationOptions.PhoneFormattingMode",
        False,
    ),
    (
        "LanguageRestrictionOptions",
        "restriction_type",
        1,
        ENUM,
        "LanguageRestrictionOptions.LanguageRestrictionType",
        False,
    ),
    ("LanguageRestrictionOptions", "language_code", 2, STR, None, True),
    ("SpeakerLabelingOptions", "speaker_labeling", 1, ENUM, "SpeakerLabelingOptions.SpeakerLabeling", False),
    ("SummarizationOptions", "model_uri", 1, STR, None, False),
    ("SummarizationOptions", "properties", 2, MSG, "SummarizationProperty", True),
    ("GetRecognitionRequest", "operation_id", 1, STR, None, False),
    ("DeleteRecognitionRequest", "operation_id", 1, STR, None, False),
    ("StreamingResponse", "session_uuid", 1, MSG, "SessionUuid", False),
    ("StreamingResponse", "audio_cursors", 2, MSG, "AudioCursors", False),
    ("StreamingResponse", "response_wall_time_ms", 3, I64, None, False),
    ("StreamingResponse", "partial", 4, MSG, "AlternativeUpdate", False),
    ("StreamingResponse", "final", 5, MSG, "AlternativeUpdate", False),
    ("StreamingResponse", "eou_update", 6, MSG, "EouUpdate", False),
    ("StreamingResponse", "final_refinement", 7, MSG, "FinalRefinement", False),
    ("StreamingResponse", "status_code", 8, MSG, "StatusCode", False),
    ("StreamingResponse", "channel_tag", 9, STR, None, False),
    ("StreamingResponse", "classifier_update", 10, MSG, "RecognitionClassifierUpdate", False),
    ("StreamingResponse", "speaker_analysis", 11, MSG, "SpeakerAnalysis", False),
    ("StreamingResponse", "conversation_analysis", 12, MSG, "ConversationAnalysis", False),
    ("StreamingResponse", "summarization", 13, MSG, "Summarization", False),
    ("SessionUuid", "uuid", 1, STR, None, False),
    ("SessionUuid", "user_request_id", 2, STR, None, False),
    ("AudioCursors", "received_data_ms", 1, I64, None, False),
    ("AudioCursors", "reset_time_ms", 2, I64, None, False),
    ("AudioCursors", "partial_time_ms", 3, I64, None, False),
    ("AudioCursors", "final_time_ms", 4, I64, None, False),
    ("AudioCursors", "final_index", 5, I64, None, False),
    ("AudioCursors", "eou_time_ms", 6, I64, None, False),
    ("AlternativeUpdate", "alternatives", 1, MSG, "Alternative", True),
    ("AlternativeUpdate", "channel_tag", 2, STR, None, False),
    ("Alternative", "words", 1, MSG, "Word", True),
    ("Alternative", "text", 2, STR, None, False),
    ("Alternative", "start_time_ms", 3, I64, None, False),
    ("Alternative", "end_time_ms", 4, I64, None, False),
    ("Alternative", "confidence", 5, DBL, None, False),
    ("Alternative", "languages", 6, MSG, "LanguageEstimation", True),
    ("LanguageEstimation", "language_code", 1, STR, None, False),
    ("LanguageEstimation", "probability", 2, DBL, None, False),
    ("Word", "text", 1, STR, None, False),
    ("Word", "start_time_ms", 2, I64, None, False),
    ("Word", "end_time_ms", 3, I64, None, False),
    ("EouUpdate", "time_ms", 2, I64, None, False),
    ("FinalRefinement", "final_index", 1, I64, None, False),
    ("FinalRefinement", "normalized_text", 2, MSG, "AlternativeUpdate", False),
    ("StatusCode", "code_type", 1, ENUM, "CodeType", False),
    ("StatusCode", "message", 2, STR, None, False),
    ("StreamingResponseList", "streaming_responses", 1, MSG, "StreamingResponse", True),
]


def _message(name: str):
    module = v3_service if name == "GetRecognitionRequest" else v3
    return getattr(module, name)


@pytest.mark.parametrize(("message", "name", "number", "kind", "type_name", "repeated"), FIELDS)
def test_field_matches_the_service(message, name, number, kind, type_name, repeated):
    descriptor = _message(message).DESCRIPTOR
    assert descriptor.full_name == P + message
    field = descriptor.fields_by_name[name]
    assert (field.number, field.type, field.is_repeated) == (number, kind, repeated)
    if type_name:
        target = field.message_type or field.enum_type
        assert target.full_name == P + type_name


def test_the_listed_messages_have_no_other_fields():
    expected: dict[str, set[str]] = {}
    for message, name, *_ in FIELDS:
        expected.setdefault(message, set()).add(name)
    for message, names in expected.items():
        assert set(_message(message).DESCRIPTOR.fields_by_name) == names, message


ENUMS = {
    v3.RawAudio.AudioEncoding: {"AUDIO_ENCODING_UNSPECIFIED": 0, "LINEAR16_PCM": 1},
    v3.ContainerAudio.ContainerAudioType: {
        "CONTAINER_AUDIO_TYPE_UNSPECIFIED": 0, "WAV": 1, "OGG_OPUS": 2, "MP3": 3,
    },
    v3.TextNormalizationOptions.TextNormalization: {
        "TEXT_NORMALIZATION_UNSPECIFIED": 0, "TEXT_NORMALIZATION_ENABLED": 1,
        "TEXT_NORMALIZATION_DISABLED": 2,
    },
    v3.TextNormalizationOptions.PhoneFormattingMode: {
        "PHONE_FORMATTING_MODE_UNSPECIFIED": 0, "PHONE_FORMATTING_MODE_DISABLED": 1,
    },
    v3.LanguageRestrictionOptions.LanguageRestrictionType: {
        "LANGUAGE_RESTRICTION_TYPE_UNSPECIFIED": 0, "WHITELIST": 1, "BLACKLIST": 2,
    },
    v3.SpeakerLabelingOptions.SpeakerLabeling: {
        "SPEAKER_LABELING_UNSPECIFIED": 0, "SPEAKER_LABELING_ENABLED": 1, "SPEAKER_LABELING_DISABLED": 2,
    },
    v3.RecognitionModelOptions.AudioProcessingType: {
        "AUDIO_PROCESSING_TYPE_UNSPECIFIED": 0, "REAL_TIME": 1, "FULL_DATA": 2,
    },
    v3.CodeType: {"CODE_TYPE_UNSPECIFIED": 0, "WORKING": 1, "WARNING": 2, "CLOSED": 3},
}  # fmt: skip


@pytest.mark.parametrize("enum", list(ENUMS), ids=lambda e: e.DESCRIPTOR.full_name)
def test_enum_values(enum):
    assert dict(enum.items()) == ENUMS[enum]


def test_oneofs_and_reserved_numbers():
    def names(message, oneof):
        return [f.name for f in message.DESCRIPTOR.oneofs_by_name[oneof].fields]

    assert names(v3.RecognizeFileRequest, "AudioSource") == ["content", "uri"]
    assert names(v3.AudioFormatOptions, "AudioFormat") == ["raw_audio", "container_audio"]
    assert names(v3.StreamingResponse, "Event") == [
        "partial", "final", "eou_update", "final_refinement", "status_code", "classifier_update",
        "speaker_analysis", "conversation_analysis", "summarization",
    ]  # fmt: skip
    assert names(v3.FinalRefinement, "Type") == ["normalized_text"]
    # channel_tag (9) lies outside the oneof; EouUpdate's field 1 is reserved by the service.
    assert v3.StreamingResponse.DESCRIPTOR.fields_by_name["channel_tag"].containing_oneof is None
    assert 1 not in v3.EouUpdate.DESCRIPTOR.fields_by_number


def test_async_recognizer_methods():
    service = v3_service.DESCRIPTOR.services_by_name["AsyncRecognizer"]
    assert service.full_name == "speechkit.stt.v3.AsyncRecognizer"
    shape = {
        m.name: (m.input_type.full_name, m.output_type.full_name, m.server_streaming) for m in service.methods
    }
    assert shape == {
        "RecognizeFile": (P + "RecognizeFileRequest", "yandex.cloud.operation.Operation", False),
        "GetRecognition": (P + "GetRecognitionRequest", P + "StreamingResponse", True),
        "DeleteRecognition": (P + "DeleteRecognitionRequest", "google.protobuf.Empty", False),
    }


def test_analysis_events_decode():
    """A stream may carry classifier, analysis and summarization events: they decode, nothing is lost."""
    events = [
        v3.StreamingResponse(
            classifier_update=v3.RecognitionClassifierUpdate(
                window_type=v3.RecognitionClassifierUpdate.LAST_UTTERANCE,
                classifier_result=v3.RecognitionClassifierResult(
                    classifier="insult",
                    labels=[v3.RecognitionClassifierLabel(label="insult", confidence=0.9)],
                ),
            ),
            channel_tag="0",
        ),
        v3.StreamingResponse(
            speaker_analysis=v3.SpeakerAnalysis(speaker_tag="1", total_speech_ms=1500, words_count=4)
        ),
        v3.StreamingResponse(
            conversation_analysis=v3.ConversationAnalysis(total_simultaneous_speech_duration_ms=300)
        ),
        v3.StreamingResponse(
            summarization=v3.Summarization(results=[v3.SummarizationPropertyResult(response="A call.")])
        ),
    ]
    for event in events:
        again = v3.StreamingResponse.FromString(event.SerializeToString())
        assert again == event
        assert again.WhichOneof("Event") == event.WhichOneof("Event")
