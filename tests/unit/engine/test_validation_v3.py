"""The engine refuses by name what API v3 asks of it and it cannot do."""

from __future__ import annotations

import pytest

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui.engine.validation import RequestRefused
from stt_tui.engine.validation_v3 import check_recognize_file


def test_the_engine_refuses_what_it_cannot_do_by_name():
    wav = v3.AudioFormatOptions(container_audio=v3.ContainerAudio(container_audio_type=v3.ContainerAudio.WAV))
    base = v3.RecognizeFileRequest(recognition_model=v3.RecognitionModelOptions(audio_format=wav))
    assert check_recognize_file(base).raw_results  # normalization is off unless asked for
    cases = {
        "recognition_classifier": v3.RecognizeFileRequest(
            recognition_classifier=v3.RecognitionClassifierOptions(
                classifiers=[v3.RecognitionClassifier(classifier="insult")]
            )
        ),
        "BLACKLIST": v3.RecognizeFileRequest(
            recognition_model=v3.RecognitionModelOptions(
                language_restriction=v3.LanguageRestrictionOptions(
                    restriction_type=2, language_code=["ru-RU"]  # type: ignore[arg-type]
                )
            )
        ),
        "audio_format is required": v3.RecognizeFileRequest(),
        "sample_rate_hertz 44100": v3.RecognizeFileRequest(
            recognition_model=v3.RecognitionModelOptions(
                audio_format=v3.AudioFormatOptions(
                    raw_audio=v3.RawAudio(audio_encoding=1, sample_rate_hertz=44100)  # type: ignore[arg-type]
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
    labeled = v3.RecognizeFileRequest(speaker_labeling=v3.SpeakerLabelingOptions(speaker_labeling=1))  # type: ignore[arg-type]
    labeled.MergeFrom(base)
    assert check_recognize_file(labeled).speaker_labeling  # the engine labels speakers itself
    assert not check_recognize_file(base).speaker_labeling  # off unless asked for, as the service
