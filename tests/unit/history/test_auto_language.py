"""A job asked in auto language came to the language of most of its speech; older histories learn it."""

from __future__ import annotations

import json
import sqlite3

from google.protobuf import json_format

from stt_tui._proto.yandex.cloud.ai.stt.v3 import stt_pb2 as v3
from stt_tui.history import MIGRATIONS, History
from stt_tui.jobs.model import RequestOptions


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
