"""The job commands: jobs, show, wait, export, import, cancel, forget. Thin over service.py."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from stt_tui.cli.live import LiveJobs
from stt_tui.cli.output import (
    EXIT_INTERRUPTED,
    EXIT_JOB_FAILED,
    EXIT_OK,
    EXIT_TIMEOUT,
    err,
    out,
    out_json,
    out_line,
)
from stt_tui.jobs.model import Job, JobState, RequestOptions, parse_languages
from stt_tui.jobs.schedule import expected_work
from stt_tui.outputs import notify
from stt_tui.outputs.formatting import JOB_HEADERS, job_details, job_row, job_summary, job_to_dict, table
from stt_tui.service.errors import UserError
from stt_tui.service.facade import Service
from stt_tui.shared.names import as_text

Command = Callable[[argparse.Namespace, Service], int]


def emit_jobs(args: argparse.Namespace, jobs: list[Job]) -> None:
    now = time.time()
    if args.json:
        out_json([job_to_dict(j, now) for j in jobs])
    elif args.command == "jobs":
        out(table(JOB_HEADERS, [job_row(j, now) for j in jobs]))
    else:
        for job in jobs:
            out_line(job_summary(job, now))


def wait_and_report(service: Service, args: argparse.Namespace, jobs: list[Job]) -> int:
    """Wait for the jobs: a live line per job on a terminal, then each final line once, on stdout."""
    policy = service.profile.poll_policy

    def expected(job: Job) -> float | None:
        if job.options.deferred:
            return None
        return job.expected_seconds or expected_work(job.audio_seconds, job.channels, policy)

    live = LiveJobs(sys.stderr, jobs, expected)
    live.draw()
    try:
        final = service.wait(jobs, timeout=args.timeout, on_update=live.update, sleep=live.sleep)
    except KeyboardInterrupt:
        live.close()
        ids = " ".join(str(j.id) for j in jobs)
        err(f"stopped waiting; the jobs keep running, and `stt-tui wait {ids}` picks them up.")
        return EXIT_INTERRUPTED
    finally:
        live.close()
    emit_jobs(args, final)
    ended = [j.state.value for j in final if j.state not in (JobState.RUNNING, JobState.SUBMITTING)]
    if ended and getattr(args, "notify", False) and sys.stderr.isatty():
        notify.tell(os.environ, sys.stderr.write, notify.endings(ended))  # the person may be elsewhere
        sys.stderr.flush()
    if any(j.state in (JobState.RUNNING, JobState.SUBMITTING) for j in final):
        err(f"{args.timeout:g} s passed; the unfinished jobs keep running.")
        return EXIT_TIMEOUT
    return EXIT_OK if all(j.state == JobState.DONE for j in final) else EXIT_JOB_FAILED


def request_options(args: argparse.Namespace, service: Service) -> RequestOptions:
    """The options asked for, checked before any file is looked at (a typo writes no row)."""
    language, languages = parse_languages(args.language or service.profile.default_language)
    return service.service_options(
        RequestOptions(
            language=language,
            model=args.model or service.profile.default_model,
            profanity_filter=args.profanity_filter,
            literature_text=args.literature_text,
            raw_results=args.raw_results,
            languages=languages,
            speaker_labeling=args.speakers,
            phone_formatting=not args.no_phone_formatting,
        )
    )


def jobs(args: argparse.Namespace, service: Service) -> int:
    found = service.jobs(every_profile=args.all_profiles)
    if args.state:
        found = [j for j in found if j.state.value in args.state]
    emit_jobs(args, found)
    return EXIT_OK


def find(service: Service, refs: Sequence[str]) -> list[Job]:
    return [service.find(as_text(ref)) for ref in refs]


def show(args: argparse.Namespace, service: Service) -> int:
    (job,) = find(service, [args.id])
    text = service.export(job, "txt") if job.has_transcript else None
    if args.json:
        out_json({**job_to_dict(job, time.time()), "transcript": text})
        return EXIT_OK
    out(job_details(job, time.time(), service.edits(job)))
    if text is not None:
        out("")
        out(text, end="")
    return EXIT_OK


def wait(args: argparse.Namespace, service: Service) -> int:
    service.deliver_pending()
    if args.ids:
        waiting = find(service, args.ids)
    else:
        waiting = service.unfinished_here()
        if not waiting:
            if args.json:
                out_json([])
            else:
                err("no jobs are running.")
            return EXIT_OK
    waiting = [
        service.refresh(j) if j.state == JobState.RUNNING and j.next_poll_at is None else j for j in waiting
    ]
    return wait_and_report(service, args, waiting)


def export(args: argparse.Namespace, service: Service) -> int:
    from stt_tui.outputs.export import FORMATS

    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lstrip(".").lower() if args.output else ""
        fmt = suffix if suffix in FORMATS else "txt"
    (job,) = find(service, [args.id])
    if not args.output or args.output == "-":
        out(service.export(job, fmt, args.channel, words=args.words), end="")
        return EXIT_OK
    written = service.export_to(job, fmt, Path(args.output), args.channel, words=args.words)
    err(f"wrote {written}")
    return EXIT_OK


def import_(args: argparse.Namespace, service: Service) -> int:
    options = RequestOptions(language=args.language or "", model=args.model or "")
    job = service.import_operation(as_text(args.id), options, args.api)
    emit_jobs(args, [job])
    return EXIT_OK


def cancel(args: argparse.Namespace, service: Service) -> int:
    emit_jobs(args, [service.cancel(job) for job in find(service, args.ids)])
    return EXIT_OK


def forget(args: argparse.Namespace, service: Service) -> int:
    chosen = find(service, args.ids)
    for job in chosen:
        if not job.finished and not args.force:
            raise UserError(
                f"Job #{job.id} is {job.state}: forgetting it loses its operation id and its result; "
                "add --force to forget it anyway."
            )
    for job in chosen:
        service.forget(job)
        if not args.json:
            err(f"forgot job #{job.id}")
    if args.json:
        out_json([j.id for j in chosen])
    return EXIT_OK
