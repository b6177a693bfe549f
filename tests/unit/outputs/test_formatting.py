"""How a job reads in lists and JSON: one wording for no transcript, a cancelled job never saved."""

from __future__ import annotations

import json
import re

import pytest

from stt_tui.jobs.model import JobState, RequestOptions, StoredResult
from stt_tui.outputs.export import ExportError, utterances
from stt_tui.outputs.formatting import job_details, job_to_dict, no_transcript
from stt_tui.tui import cells
from tests.support.jobs import job
from tests.support.transcripts import operation_json


def test_one_wording_for_a_job_without_a_transcript():
    failed = job(state=JobState.FAILED, last_error="Invalid audio received.")
    assert no_transcript(failed) == "Job #1 has no transcript: it is failed: Invalid audio received."


def test_a_cancelled_job_with_its_stored_operation_is_not_saved():
    cancelled = job(state=JobState.CANCELLED, has_result=True, expires_at=10_000.0)
    assert not cancelled.has_transcript
    assert cells.retention_cell(cancelled, 2000.0).plain == "-"
    assert job_to_dict(cancelled, 2000.0)["result_saved"] is False
    done = job(state=JobState.DONE, has_result=True)
    assert done.has_transcript and cells.retention_cell(done, 2000.0).plain == "✓ saved"


def test_show_says_the_language_auto_found_as_the_list_does():
    """`show` said `language auto` where `jobs` said `auto ru-RU` (issue 33, item 4)."""
    found = job(state=JobState.DONE, options=RequestOptions("auto"), detected_language="ru-RU", api="v3")
    lines = job_details(found, 2000.0).splitlines()
    assert re.search(r"^language +auto ru-RU$", "\n".join(lines), re.M)
    asked = job(options=RequestOptions("auto"), api="v3")  # not found yet
    assert re.search(r"^language +auto$", job_details(asked, 2000.0), re.M)


@pytest.mark.parametrize(
    ("operation", "recognition"),
    [
        (operation_json(), "garbage"),
        (operation_json(), "[1]"),
        (operation_json(), '{"streamingResponses": 5}'),
        (operation_json(), '{"streamingResponses": [{"final": 3}]}'),
        ("{not json", None),
        ('{"id": "x", "done": true, "response": {"@type": "nope"}}', None),
        ("[]", None),
    ],
)
def test_a_damaged_stored_result_reads_as_one_sentence(operation, recognition):
    """A row damaged on disk or by hand ended `stt-tui show` in a traceback (exit 0) and the transcript
    view in a worker's failure: every reader of the phrases now says it in a sentence."""
    document = StoredResult(operation, recognition).document()
    with pytest.raises(ExportError, match=r"^The stored result is damaged and cannot be read \(.+\)\.$"):
        utterances(document)


def test_what_a_damaged_result_says_of_itself_is_bounded_and_printable():
    """The parser's words quote the damaged row: a terminal sequence and 5,000 letters in it reach the
    sentence escaped and cut, not whole."""
    planted = "type.googleapis.com/\x1b[31m" + "A" * 5000
    operation = json.dumps({"id": "x", "done": True, "response": {"@type": planted}})
    with pytest.raises(ExportError) as raised:
        utterances(StoredResult(operation, None).document())
    said = str(raised.value)
    assert "\x1b" not in said and "\\x1b[31m" in said
    assert len(said) < 400 and said.endswith("…).")
