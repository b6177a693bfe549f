"""`stt-tui search WORDS`: every stored transcript, phrase by phrase, as grep answers: a line per hit, exit 1
when nothing matches."""

from __future__ import annotations

import argparse

from stt_tui.cli.output import EXIT_NO_MATCH, EXIT_OK, err, out_json, out_line
from stt_tui.outputs.formatting import hit_line, hit_to_dict
from stt_tui.service.facade import Service


def search(args: argparse.Namespace, service: Service) -> int:
    indexed, stored = service.index_counts()
    if indexed < stored:
        err(f"indexing {stored - indexed:,} transcripts stored before the search index…")
        service.build_index()
    words = " ".join(args.words)
    for key, flag in (("lang", args.language), ("after", args.since), ("before", args.until)):
        if flag:  # quoted, so that a value with a space stays the filter's
            words += f' {key}:"{flag.replace(chr(34), "")}"'
    hits = service.search(words, args.limit)
    if args.json:
        out_json([hit_to_dict(hit) for hit in hits])
    else:
        for hit in hits:
            out_line(hit_line(hit))
    return EXIT_OK if hits else EXIT_NO_MATCH
