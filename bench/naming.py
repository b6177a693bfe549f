"""The naming part of bench/speakers.py: voices named in one conversation, recognized in another made of
other clips of the same people, as stt-tui does it (service/voices.py: the print of each labeled speaker's
phrases, read back from the audio file; the named voices' prints; the matches).

Naming conversations: spk1 + spk2, and librivox + lucier + osr, each person from some of their clips (or
the first part of a long one). Recognition conversations: the same people from their other clips (or the
rest), with voices never named among them (jfk, LJ, vosk's digits, the cards reader). The engine labels
every conversation; a person names each speaker found in a naming conversation after the voice most of its
speech is. Printed: the share of the named people's speech time in the recognition conversations shown
with the right name, the names given to voices never named (goal 0), names given wrongly to named people,
the similarities of each speaker to its own voice and to the nearest other, and the time taken.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench.speakers import RATE, Turn, cut, speech_of

# Named in the first conversation they are in, recognized in the others.
NAMING = {
    "name: spk1+spk2": ("spk1", "spk2"),
    "name: librivox+lucier+osr": ("librivox", "lucier", "osr"),
}
RECOGNIZING = {
    "hear: spk1+librivox+jfk": ("spk1 later", "librivox later", "jfk"),
    "hear: spk2+lucier+LJ": ("spk2 later", "lucier later", "LJ"),
    "hear: osr+digits": ("osr later", "digits"),
    "hear: cards+jfk (none named)": ("cards", "jfk"),
}


def people() -> dict[str, list[np.ndarray]]:
    """Each voice's turns; `X later` are other clips of X (or a later part of its recording)."""
    spk1 = [speech_of(f"sb_spk1_snt{i}.wav") for i in range(1, 6)]
    spk2 = [speech_of(f"sb_spk2_snt{i}.wav") for i in range(1, 6)]
    librivox = [speech_of(f"ps_librivox_0{n}.wav") for n in (870, 880, 890, 920, 930)]
    lucier = cut(speech_of("vosk_lucier.wav"), [6, 4, 8, 5, 7, 3, 9, 6, 5, 8])
    osr = cut(speech_of("joinly_OSR_us_000_0034_8k.wav"), [4, 3, 5, 4, 3, 4, 5])
    return {
        "spk1": spk1[:3], "spk1 later": spk1[3:],
        "spk2": spk2[:3], "spk2 later": spk2[3:],
        "librivox": librivox[:3], "librivox later": librivox[3:],
        "lucier": lucier[:4], "lucier later": lucier[6:],
        "osr": osr[:4], "osr later": osr[4:],
        "jfk": cut(speech_of("wcpp_jfk.wav"), [4, 3, 3]),
        "LJ": cut(speech_of("sb_LJ050-0131.wav"), [4, 3]),
        "digits": cut(speech_of("vosk_test.wav"), [4, 3]),
        "cards": [speech_of(f"ps_cards_00{i}.wav") for i in range(1, 6)],
    }  # fmt: skip


def person(voice: str) -> str:
    return voice.removesuffix(" later")


def majority(truth: Sequence[Turn], spans: Sequence[tuple[float, float]]) -> str:
    """The person most of these spans' time is spoken by."""
    from bench.speakers import true_voice

    time_of: dict[str, float] = {}
    for start, end in spans:
        who = person(true_voice(truth, start, end))
        time_of[who] = time_of.get(who, 0.0) + end - start
    return max(time_of, key=lambda k: time_of[k])


def child_naming(folder: Path, recognizer: Any, encoder: Any, label: Any) -> None:
    """Name the speakers of the naming conversations, recognize those of the others; one JSON line."""
    from stt_tui.history.voices import Taught
    from stt_tui.outputs.export import Utterance
    from stt_tui.service.voices import MIN_SECONDS, Voices, matches, voices_of

    Prints = dict[int, tuple[np.ndarray, float]]

    def speakers_of(name: str) -> tuple[list[Turn], list[Utterance], Prints, float]:
        truth = [Turn(**t) for t in json.loads((folder / f"{name}.json").read_text())]
        path = folder / f"{name}.wav"
        timed = label(path)
        items = [
            Utterance(tag + 1, u.text, u.start, u.end, (), speaker=True) for tag, u in timed
        ]
        started = time.perf_counter()
        voices = Voices(None, lambda job: path, encoder=lambda: encoder)  # type: ignore[arg-type]
        prints = voices.prints(None, items)  # type: ignore[arg-type]
        return truth, items, prints, time.perf_counter() - started

    taught: list[Taught] = []
    ids: dict[str, int] = {}
    spent: list[float] = []
    for name in NAMING:
        truth, items, prints, seconds = speakers_of(name)
        spent.append(seconds)
        for channel, (vector, speech) in prints.items():
            who = majority(truth, [(u.start, u.end) for u in items if u.channel == channel])
            ids.setdefault(who, len(ids) + 1)
            taught.append(Taught(ids[who], who, 0, vector.tobytes(), speech))
    voices = {voice: vector for voice, (_, vector) in voices_of(taught).items()}
    names = {i: who for who, i in ids.items()}
    right = named_time = 0.0
    never_named = wrong = 0
    rows = []
    for name in RECOGNIZING:
        truth, items, prints, seconds = speakers_of(name)
        spent.append(seconds)
        found = matches({c: v for c, (v, _) in prints.items()}, voices)
        given = {m.channel: names[m.voice_id] for m in found}
        for channel in sorted({u.channel for u in items}):
            spans = [(u.start, u.end) for u in items if u.channel == channel]
            who = majority(truth, spans)
            speech = sum(e - s for s, e in spans)
            vector = prints.get(channel, (None, 0.0))[0]
            own = other = None
            if vector is not None:
                sims = {names[v]: float(voices[v] @ vector) for v in voices}
                own = sims.get(who)
                other = max((s for n, s in sims.items() if n != who), default=None)
            got = given.get(channel)
            if who in ids:
                named_time += speech
                right += speech if got == who else 0.0
                wrong += got is not None and got != who
            else:
                never_named += got is not None
            rows.append({"conversation": name, "voice": who, "speech": speech, "given": got,
                         "own": own, "other": other, "printed": vector is not None})  # fmt: skip
    print(json.dumps({
        "naming": True, "right": right / named_time if named_time else 0.0, "never_named": never_named,
        "wrong": wrong, "rows": rows, "print_seconds": spent, "min_seconds": MIN_SECONDS,
    }), flush=True)  # fmt: skip


def report(row: dict[str, Any]) -> None:
    print()
    print(f"{'recognition conversation':30} {'voice':9} {'speech':>6} {'own':>5} {'other':>5}  name given")
    for r in row["rows"]:
        own = "-" if r["own"] is None else f"{r['own']:.2f}"
        other = "-" if r["other"] is None else f"{r['other']:.2f}"
        given = r["given"] or ("(too little speech)" if not r["printed"] else "-")
        print(f"{r['conversation']:30} {r['voice']:9} {r['speech']:5.1f}s {own:>5} {other:>5}  {given}")
    spent = row["print_seconds"]
    print(
        f"named right: {row['right']:.1%} of the named people's speech time (goal >= 90 %); names given to "
        f"voices never named: {row['never_named']} (goal 0); wrong names for named people: {row['wrong']}; "
        f"prints from the audio: {sum(spent) / len(spent):.2f} s per conversation on average"
    )
    print("(own: cosine similarity of the speaker's print to its own named voice; other: to the nearest "
          "other named voice)")  # fmt: skip


def write(folder: Path, conversation: Any, write_wav: Any) -> None:
    """The naming and recognition conversations as WAV files, their turns as JSON."""
    turns_of = people()
    for name, names in {**NAMING, **RECOGNIZING}.items():
        samples, truth = conversation(names, turns_of=turns_of)
        write_wav(folder / f"{name}.wav", samples)
        (folder / f"{name}.json").write_text(json.dumps([t.__dict__ for t in truth]))


__all__ = ["RATE", "child_naming", "report", "write"]
