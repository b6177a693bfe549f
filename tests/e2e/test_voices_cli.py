"""Voices remembered across recordings, through the real CLI and the engine it starts: a speaker named in
one job is recognized by voice in another recording of that person, and in none of other voices; `voices`
lists and forgets them; forgetting a job forgets what only it taught; remember_voices = false turns it
off."""

from __future__ import annotations

import json
import re

from tests.support.homes import stt
from tests.support.voices import configure, names, ok, submit, voices


def test_a_named_voice_is_recognized_in_another_recording_and_only_of_that_person(module_home, tmp_path):
    configure(module_home)
    first = submit(module_home, tmp_path, "first", "spk1", "spk2")
    assert set(names(module_home, first)) == {1, 2}  # spk1 speaks first: Speaker 1
    ok(module_home, "name", str(first), "1", "Anna")
    listed = json.loads(ok(module_home, "voices", "--json"))
    assert [(v["name"], v["named_in"], v["recognized_in"]) for v in listed] == [("Anna", [first], [])]
    assert listed[0]["last_heard"]

    # Other sentences of spk1, after a voice never named: Anna is recognized, the other is nobody.
    second = submit(module_home, tmp_path, "second", "librivox", "spk1 later")
    assert names(module_home, second) == {1: (None, False), 2: ("Anna", True)}
    shown = ok(module_home, "show", str(second))
    assert re.search(r"^by voice +2: Anna$", shown, re.M) and "\nAnna (by voice): " in shown
    assert "Anna (by voice): " in ok(module_home, "export", str(second), "--format", "txt")
    exported = json.loads(ok(module_home, "export", str(second), "--format", "json"))
    assert exported["names_by_voice"] == {"2": "Anna"} and exported["names"] == {}
    assert voices(module_home) == {"Anna": ([first], [second])}

    # A recording of other voices: no name at all.
    others = submit(module_home, tmp_path, "others", "jfk", "digits")
    assert all(name is None for name, _ in names(module_home, others).values())

    # Taken: the person names the speaker as recognized; it teaches the voice too.
    ok(module_home, "name", str(second), "2", "Anna")
    assert names(module_home, second)[2] == ("Anna", False)
    assert voices(module_home) == {"Anna": ([first, second], [])}

    # A job forgotten forgets what only it taught: Anna stays while the second job teaches it.
    ok(module_home, "forget", str(first))
    assert voices(module_home) == {"Anna": ([second], [])}
    ok(module_home, "name", str(others), "1", "Jack")
    assert set(voices(module_home)) == {"Anna", "Jack"}
    ok(module_home, "forget", str(others))
    assert set(voices(module_home)) == {"Anna"}

    # Forgotten by name: the names a person gave stay, the voice is no longer remembered.
    ok(module_home, "voices", "forget", "Anna")
    assert voices(module_home) == {} and names(module_home, second)[2] == ("Anna", False)
    missing = stt(module_home, "voices", "forget", "Anna")
    assert missing.returncode != 0 and "No voice is called 'Anna'" in missing.stderr


def test_the_setting_turns_it_off(module_home, tmp_path):
    configure(module_home)
    named = submit(module_home, tmp_path, "named", "spk2", "librivox")
    ok(module_home, "name", str(named), "1", "Bea")
    assert set(voices(module_home)) == {"Bea"}
    configure(module_home, remember=False)
    # Nothing is recognized, nor taught, while it is off.
    later = submit(module_home, tmp_path, "later", "spk2 later", "lucier")
    assert all(name is None for name, _ in names(module_home, later).values())
    ok(module_home, "name", str(later), "2", "Lu")
    assert set(voices(module_home)) == {"Bea"}
    configure(module_home)
