"""`stt-tui phrases`, `correct` and `name`: the transcript workspace of the TUI, for scripts. Each goes
through the service's use cases (Service.phrases, correct, rename), so every output follows as it does in
the TUI: the exports, the search index and the transcripts written beside the audio."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from stt_tui.cli.commands import find
from stt_tui.cli.output import EXIT_OK, out_json, out_line
from stt_tui.jobs.model import clock
from stt_tui.outputs.export import Utterance
from stt_tui.service.errors import UserError
from stt_tui.service.facade import Service
from stt_tui.shared.names import as_text


def phrase_to_dict(number: int, u: Utterance) -> dict[str, Any]:
    """The stable JSON shape of a phrase for scripts; `number` counts from 1, as `correct` takes it."""
    return {
        "number": number,
        "start": round(u.start, 3),
        "end": round(u.end, 3),
        "channel": u.channel,
        "speaker": u.speaker,
        "name": u.name or None,
        "by_voice": u.by_voice,
        "who": u.who,
        "text": u.text,
        "corrected": u.edited,
    }


def phrase_line(number: int, u: Utterance) -> str:
    """`3  00:00:06-00:00:07  Anna ✎  fine, thank you`: ✎ marks a corrected phrase, as in the TUI."""
    return f"{number}  {clock(u.start)}-{clock(u.end)}  {u.who}{' ✎' if u.edited else ''}  {u.text}"


def _emit(args: argparse.Namespace, numbered: list[tuple[int, Utterance]]) -> None:
    if args.json:
        out_json([phrase_to_dict(n, u) for n, u in numbered])
    else:
        for n, u in numbered:
            out_line(phrase_line(n, u))


def phrases(args: argparse.Namespace, service: Service) -> int:
    (job,) = find(service, [args.id])
    _emit(args, list(enumerate(service.phrases(job), 1)))
    return EXIT_OK


def correct(args: argparse.Namespace, service: Service) -> int:
    if args.undo == (args.text is not None):
        raise UserError("Give the phrase's new text (- reads it from standard input), or --undo.")
    if args.undo:
        text = ""
    elif args.text == "-":
        text = sys.stdin.buffer.read().decode("utf-8", "replace")
    else:
        text = as_text(args.text)
    (job,) = find(service, [args.id])
    if args.number < 1:
        raise UserError(f"Phrases are numbered from 1; {args.number} is none.")
    now = service.correct(job, args.number - 1, text)
    _emit(args, [(args.number, now[args.number - 1])])
    return EXIT_OK


def name(args: argparse.Namespace, service: Service) -> int:
    (job,) = find(service, [args.id])
    now = service.rename(job, args.tag, as_text(args.name))
    _emit(args, [(n, u) for n, u in enumerate(now, 1) if u.channel == args.tag])
    return EXIT_OK
