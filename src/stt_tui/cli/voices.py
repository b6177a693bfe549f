"""`stt-tui voices`: the voices remembered across recordings (a speaker a person named, recognized by voice
in later jobs), and `stt-tui voices forget NAME`."""

from __future__ import annotations

import argparse

from stt_tui.cli.output import EXIT_OK, err, out_json, out_line
from stt_tui.outputs.formatting import iso_time, local_time
from stt_tui.service.errors import UserError
from stt_tui.service.facade import Service
from stt_tui.shared.names import as_text
from stt_tui.shared.wording import printable


def _jobs(ids: tuple[int, ...]) -> str:
    return ", ".join(f"#{i}" for i in ids) or "-"


def voices(args: argparse.Namespace, service: Service) -> int:
    if args.action == "forget":
        if args.name is None:
            raise UserError("Give the name of the voice to forget (`stt-tui voices` lists them).")
        name = as_text(args.name)
        service.forget_voice(name)
        if args.json:
            out_json({"forgot": name})
        else:
            err(f"forgot the voice {printable(name)}")
        return EXIT_OK
    if args.name is not None:
        raise UserError(f"Unexpected {printable(as_text(args.name))!r}: `stt-tui voices forget NAME`?")
    found = service.remembered_voices()
    if args.json:
        out_json(
            [
                {
                    "name": v.name,
                    "named_in": list(v.taught_by),
                    "recognized_in": list(v.heard_in),
                    "last_heard": iso_time(v.last_heard),
                }
                for v in found
            ]
        )
        return EXIT_OK
    if not found:
        err("No voice is remembered: name a speaker (`a` in a transcript, or `stt-tui name`).")
        return EXIT_OK
    width = max(len(printable(v.name)) for v in found)
    for v in found:
        out_line(
            f"{printable(v.name).ljust(width)}  named in {_jobs(v.taught_by)}  recognized in "
            f"{_jobs(v.heard_in)}  last heard {local_time(v.last_heard)}"
        )
    return EXIT_OK
