"""Subtitles a viewer can read (issue 33): the shared English and Russian clips transcribed by the embedded
engine, their srt cues cut the old way (before) and by outputs/subtitles (after), each cue checked against
the limits (Netflix's by default: 42 characters a line, 2 lines, 5/6 s to 7 s, 20 characters a second, no
one- or two-word cue where the phrase runs on).

    python bench/subtitles.py                     # transcribe every clip in a fresh home, then measure
    python bench/subtitles.py --home DIR          # measure the jobs a home already holds (kept after a run)

Prints per clip and overall the cues within every limit, and why the others are not. A reason is either the
speech's (the phrase says more than can be read in the time it and the silence after it leave, or it is
shorter than the minimum before the next one begins: no cutting helps) or the cutter's (a line too long, an
orphan, a cue too short where the phrase had time): the goal is >= 95 % within every limit.
"""

from __future__ import annotations

import argparse
import collections
import csv
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from stt_tui.history import History  # noqa: E402
from stt_tui.jobs.model import JobState  # noqa: E402
from stt_tui.jobs.transcript import Utterance, Word  # noqa: E402
from stt_tui.outputs.export import cues, utterances  # noqa: E402
from stt_tui.outputs.subtitles import NETFLIX, SubtitleLimits, wrap  # noqa: E402
from stt_tui.outputs.timing import word_starts  # noqa: E402
from stt_tui.shared.paths import resolve_paths  # noqa: E402

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "speech"
LANGUAGES = {"en": "en-US", "ru": "ru-RU"}


def old_cues(items: list[Utterance]) -> list[Utterance]:
    """The cutting before issue 33, kept here only to compare: words gathered until 84 characters or 7 s,
    one line, a phrase without words cut at spaces with its time shared by length."""
    out: list[Utterance] = []
    for u in items:
        if not u.words:
            out += _old_split_by_time(u)
            continue
        groups: list[list[Word]] = []
        group: list[Word] = []
        for w in u.words:
            text = " ".join(x.text for x in [*group, w])
            if group and (len(text) > 84 or w.end - group[0].start > 7.0):
                groups.append(group)
                group = []
            group.append(w)
        groups.append(group)
        tokens, starts = word_starts(u.text, u.words)
        first = 0
        for g, words in enumerate(groups):
            last = first + len(words)
            begin = 0 if g == 0 else starts[first]
            end = len(tokens) if g == len(groups) - 1 else starts[last]
            text = " ".join(tokens[begin:end]) or " ".join(w.text for w in words)
            out.append(dataclasses.replace(u, text=text, start=words[0].start, end=words[-1].end, words=()))
            first = last
    return [dataclasses.replace(c, end=max(c.end, c.start + 0.2)) for c in out]


def _old_split_by_time(u: Utterance) -> list[Utterance]:
    if len(u.text) <= 84:
        return [u]
    pieces: list[str] = []
    for token in u.text.split():
        if pieces and len(pieces[-1]) + 1 + len(token) <= 84:
            pieces[-1] += " " + token
        else:
            pieces.append(token)
    total = sum(len(p) for p in pieces) or 1
    span, at, out = u.end - u.start, u.start, []
    for piece in pieces:
        end = at + span * len(piece) / total
        out.append(dataclasses.replace(u, text=piece, start=at, end=end))
        at = end
    return out


def faults(
    cue: Utterance, lines: tuple[str, ...], items: list[Utterance], limits: SubtitleLimits
) -> list[str]:
    """What a cue breaks, each as 'speech: …' (no cut could help) or 'cut: …' (the cutter's doing)."""
    at = cue.start + 1e-6
    phrase = next(u for u in items if u.channel == cue.channel and u.start <= at <= u.end + 0.01)
    later = [u.start for u in items if u.start > phrase.start + 1e-6]
    # The time the phrase and the silence after it leave for reading it.
    room = min([*later, phrase.end + limits.max_seconds]) - phrase.start
    out = []
    if any(len(line) > limits.line_chars and " " in line for line in lines):
        out.append("cut: line over the limit")
    if len(lines) > limits.lines:
        out.append("cut: too many lines")
    shown = cue.end - cue.start
    if shown > limits.max_seconds + 1e-3 and " " in cue.text:
        out.append("cut: on screen too long")
    if shown < limits.min_seconds - 1e-3:
        out.append("speech: the phrase ends before the minimum time" if room < limits.min_seconds
                   else "cut: on screen too short")  # fmt: skip
    if len(cue.text) / shown > limits.chars_per_second + 1e-6:
        fast = len(phrase.text) / room > limits.chars_per_second
        out.append("speech: too fast to read" if fast else "cut: more than can be read in its time")
    words = len(cue.text.split())
    if words <= 2 and len(phrase.text.split()) > words:
        out.append("cut: one- or two-word cue")
    return out


def measure(
    items: list[Utterance], new: bool, limits: SubtitleLimits
) -> tuple[int, int, collections.Counter[str]]:
    """Cues made, cues within every limit, and the reasons of the others."""
    made = cues(items, limits) if new else old_cues(items)
    reasons: collections.Counter[str] = collections.Counter()
    ok = 0
    for c in made:
        lines = wrap(c.text.split(), limits) if new else (c.text,)
        found = faults(c, lines, items, limits)
        ok += not found
        reasons.update(found)
    return len(made), ok, reasons


def transcribe(home: Path) -> None:
    clips = list(csv.DictReader((SPEECH / "MANIFEST.tsv").open(), delimiter="\t"))
    env = {**os.environ, "STT_TUI_HOME": str(home)}
    stt = str(Path(sys.executable).parent / "stt-tui")
    for code, language in LANGUAGES.items():
        files = [str(SPEECH / c["file"]) for c in clips if c["language"] == code and c["file"][-4:] == ".wav"]
        print(f"transcribing {len(files)} {code} clips…", file=sys.stderr)
        subprocess.run([stt, "submit", *files, "--language", language, "--wait", "--json"], env=env,
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--home", type=Path, help="an stt-tui home whose done jobs are measured")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="sttsubs"))
    if args.home is None:
        transcribe(home)
    history = History(resolve_paths(home).history)
    rows = []
    totals = {False: [0, 0, collections.Counter()], True: [0, 0, collections.Counter()]}
    for job in sorted(history.jobs(), key=lambda j: j.file_path):
        result = history.result(job.id) if job.state == JobState.DONE else None
        if result is None:
            continue
        items = utterances(result.document(), job.options.speaker_labeling)
        row = [Path(job.file_path).name]
        for new in (False, True):
            count, ok, reasons = measure(items, new, NETFLIX)
            bad = count - ok
            totals[new][0] += count
            totals[new][1] += bad
            totals[new][2].update(reasons)
            row.append(f"{count - bad}/{count}")
        rows.append(row)
    width = max(len(r[0]) for r in rows)
    print(f"{'clip'.ljust(width)}  before (within/cues)  after")
    for name, before, after in rows:
        print(f"{name.ljust(width)}  {before:>20}  {after:>6}")
    for new in (False, True):
        count, bad, reasons = totals[new]
        print(f"\n{'AFTER' if new else 'BEFORE'}: {count - bad} of {count} cues within every limit "
              f"({100 * (count - bad) / max(count, 1):.1f} %)")  # fmt: skip
        for reason, n in reasons.most_common():
            print(f"  {n:4d}  {reason}")
    print(json.dumps({"before": totals[False][:2], "after": totals[True][:2]}), file=sys.stderr)


if __name__ == "__main__":
    main()
