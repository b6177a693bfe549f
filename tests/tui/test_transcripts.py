"""The transcript side of the TUI (Pilot): a search across every transcript that opens one at the phrase,
a phrase corrected in place and undone, a channel named."""

from __future__ import annotations

import hashlib
import time
import wave
from pathlib import Path

import numpy as np
from textual.widgets import Input, OptionList

from stt_tui.history import History
from stt_tui.jobs.model import RequestOptions
from stt_tui.tui.screens.help import HelpScreen
from stt_tui.tui.screens.search import SearchScreen
from stt_tui.tui.screens.transcript import TranscriptScreen
from tests.support.histories import stored
from tests.support.transcripts import operation_json
from tests.support.tui_helpers import make_app, open_transcript, shown
from tests.support.waiting import wait_for


def at_phrase(screen) -> int | None:
    """The phrase a transcript is at, once it is there: a screen is pushed before it mounts."""
    phrases = screen.query("#phrases")
    return phrases.first(OptionList).highlighted if phrases else None


async def test_search_opens_the_transcript_at_the_phrase_which_is_corrected_and_named(home, tmp_path):
    first = stored(home, "first.wav")
    stored(home, "second.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        indexed = lambda: app.service.history.index_counts() == (2, 2)  # noqa: E731
        await wait_for(pilot, indexed, what="the index built in the background")
        await wait_for(pilot, lambda: not app.main.status.indexing, what="the status line to say it is done")

        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="the search")
        search = app.screen
        await pilot.press(*"THANKS")
        await wait_for(pilot, lambda: len(search.hits) == 2, what="a hit in each job")
        assert {h.file_path for h in search.hits} == {"/audio/first.wav", "/audio/second.wav"}
        hits = search.query_one("#hits", OptionList)
        for _ in range(2):
            if search.hits[hits.highlighted or 0].job_id == first:
                break
            hits.highlighted = (hits.highlighted or 0) + 1
        entry = shown(hits, hits.highlighted or 0)
        assert "00:00:06 ch1" in entry and "fine thanks" in entry
        await pilot.press("enter")  # opens the one highlighted at once (issue 33: it went to the hits)
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        screen = app.screen
        assert screen.job.id == first
        await wait_for(pilot, lambda: at_phrase(screen) == 2, what='at the phrase: "fine thanks"')
        phrases = screen.query_one("#phrases", OptionList)
        await pilot.press("question_mark")  # the transcript's keys first, not a page of scrolling away
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        assert app.screen.sections[0][0] == "Transcript"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back to the transcript")

        await pilot.press("enter")  # edit the phrase in place
        editor = screen.query_one("#editor", Input)
        await wait_for(pilot, lambda: editor.display and editor.has_focus, what="the editor")
        assert editor.value == "fine thanks"
        editor.value = "fine, thank you"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.items[2].edited, what="the correction saved")
        assert screen.items[2].text == "fine, thank you" and "✎" in shown(phrases, 2)
        assert app.service.export(screen.job, "txt").splitlines()[2] == "Channel 1: fine, thank you"

        await pilot.press("a")  # a name for the phrase's channel
        await wait_for(pilot, lambda: editor.display, what="the name editor")
        editor.value = "Anna"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.items[0].who == "Anna", what="the name")
        assert "Anna" in shown(phrases, 0)

        await pilot.press("u")  # the phrase as recognized again
        await wait_for(pilot, lambda: not screen.items[2].edited, what="the correction undone")
        assert screen.items[2].text == "fine thanks"
        assert app.service.history.edits(first).corrections == {}


async def test_enter_enter_typed_before_the_hits_come_opens_the_best_one(home, tmp_path):
    """A fast typist's Enter Enter must not be lost to a search still running (it once took a third)."""
    import threading

    first = stored(home, "first.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await wait_for(pilot, lambda: app.service.history.index_counts() == (1, 1), what="the index")
        service, search, go = app.service, app.service.search, threading.Event()

        def held_search(*args, **kwargs):  # the real search, answered only once both Enters are in
            go.wait(10)
            return search(*args, **kwargs)

        service.search = held_search  # type: ignore[method-assign]
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="the search")
        await pilot.press(*"thanks", "enter", "enter")
        assert isinstance(app.screen, SearchScreen) and not app.screen.hits  # both Enters came first
        go.set()
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        assert app.screen.job.id == first
        await wait_for(pilot, lambda: at_phrase(app.screen) == 2, what='at the phrase: "fine thanks"')


def tone(path: Path, seconds: float = 10.0, rate: int = 16000) -> np.ndarray:
    """A WAV of a tone whose samples differ along it (to tell which span was played)."""
    samples = (np.sin(np.arange(int(seconds * rate)) * 0.05) * 8000 + np.arange(int(seconds * rate)) % 97)
    data = samples.astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(data.tobytes())
    return data


def alsa_config(folder: Path, played: Path) -> Path:
    """ALSA's configuration with one device: the file plugin over the null device (what is played lands
    in `played`)."""
    config = folder / "asound.conf"
    slave = "slave { pcm { type null } }"
    config.write_text(f'pcm.!default {{\n type file\n {slave}\n file "{played}"\n format "raw"\n}}\n')
    return config


def with_audio(home: Path, audio: Path) -> int:
    history = History(home / "history.sqlite3")
    try:
        sha = hashlib.sha256(audio.read_bytes()).hexdigest()
        job = history.add_submitting(
            profile="local", file_path=str(audio), options=RequestOptions(), file_hash=sha, file_size=1
        )
        history.mark_submitted(job.id, f"op{job.id:018d}", time.time(), time.time())
        history.store_result(job.id, operation_json())
        return job.id
    finally:
        history.close()


async def test_two_enters_in_one_read_of_the_terminal_open_the_hit(home, tmp_path):
    """Both Enters of one read (tmux send-keys, a fast typist over SSH): the first opens the hit, and the
    second reaches the transcript it opened, where Enter corrects the phrase (it was lost, and the search
    stayed open; then it reached the transcript before its phrases were there, and failed)."""
    from textual import events

    first = stored(home, "first.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await wait_for(pilot, lambda: app.service.history.index_counts() == (1, 1), what="the index")
        await pilot.press("ctrl+f", *"thanks")
        found = lambda: isinstance(app.screen, SearchScreen) and app.screen.hits  # noqa: E731
        await wait_for(pilot, found, what="the hit")
        for _ in range(2):  # as the driver hands on the keys of one read: without a pause between
            key = events.Key("enter", "\r")
            key.set_sender(app)
            app.post_message(key)
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        assert app.screen.job.id == first
        editor = app.screen.query_one("#editor")
        await wait_for(pilot, lambda: editor.has_focus, what="the second Enter correcting the phrase")


async def test_p_plays_the_audio_from_the_phrase_and_the_view_follows(home, tmp_path, monkeypatch):
    audio = tmp_path / "talk.wav"
    samples = tone(audio)
    played = tmp_path / "played.raw"
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(alsa_config(tmp_path, played)))
    job_id = with_audio(home, audio)
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_transcript(pilot, job_id)
        screen = app.screen
        phrases = screen.query_one("#phrases", OptionList)
        phrases.highlighted = 1  # "hi how are you", from 2.0 s
        await pilot.press("p")
        done = lambda: played.exists() and played.stat().st_size == (len(samples) - 32000) * 2  # noqa: E731
        await wait_for(pilot, done, what="the rest of the audio played")
        heard = np.frombuffer(played.read_bytes(), dtype="<i2")
        assert np.array_equal(heard, samples[2 * 16000 :])  # exactly the span from the phrase on
        await wait_for(pilot, lambda: phrases.highlighted == 3, what="the view to follow to the end")
        assert phrases.highlighted == 3  # it followed along, to the last phrase (8.0 s)


async def test_where_there_is_no_audio_output_p_says_so(home, tmp_path, monkeypatch):
    audio = tmp_path / "talk.wav"
    tone(audio, 3.0)
    # A sound device that does not answer, as on a server (ALSA reads its configuration once a process).
    monkeypatch.setenv("STT_TUI_AUDIO_DEVICE", "stt-tui-no-such-device")
    job_id = with_audio(home, audio)
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await open_transcript(pilot, job_id)
        await pilot.press("p")
        said = lambda: [m for _, m in app.shown if "There is no audio output here" in m]  # noqa: E731
        await wait_for(pilot, said, what="the sentence")
        assert isinstance(app.screen, TranscriptScreen)  # the app goes on
        audio.write_bytes(audio.read_bytes()[:-100] + b"\x00" * 100)  # the file changed since it was sent
        await pilot.press("p")
        changed = lambda: [m for _, m in app.shown if "has changed since it was sent" in m]  # noqa: E731
        await wait_for(pilot, changed, what="why the changed file is not played")


async def test_a_new_query_that_finds_nothing_or_is_no_query_clears_the_hits(home, tmp_path):
    stored(home, "first.wav")
    app = make_app(home, tmp_path)
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await wait_for(pilot, lambda: app.service.history.index_counts() == (1, 1), what="the index")
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="the search")
        search = app.screen
        query, hits = search.query_one("#query", Input), search.query_one("#hits", OptionList)
        note = search.query_one("#search-note")
        answers = [("don't", "No phrase matches."), ('"', "Give some words"), ("*", "Give some words"),
                   ("thanks NEAR(", "No phrase matches."), ("after:soon thanks", "is not a date")]
        for text, says in answers:
            await pilot.press(*"thanks")
            # The query before was empty, with no hits: a hit is the answer to "thanks".
            await wait_for(pilot, lambda: hits.option_count == 1, what="a hit")
            query.value = text
            answered = lambda s=says: hits.option_count == 0 and s in str(note.render())  # noqa: E731
            await wait_for(pilot, answered, what=f"the answer to {text!r}")
            assert hits.option_count == 0 and search.hits == [] and says in str(note.render()), text
            query.value = ""
