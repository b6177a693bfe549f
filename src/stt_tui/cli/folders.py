"""Sending audio: `submit` (files and folders) and `watch` (a folder, as files appear). Thin over the core."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

from stt_tui.audio.folders import media_files
from stt_tui.cli.commands import emit_jobs, request_options, wait_and_report
from stt_tui.cli.output import EXIT_OK, EXIT_SERVICE, EXIT_USER, Progress, err, out_json, out_line
from stt_tui.jobs.model import FINAL_STATES, Job
from stt_tui.outputs import notify
from stt_tui.outputs.export import parse_formats
from stt_tui.outputs.formatting import job_summary
from stt_tui.service.batch import FileOutcome, Outcome
from stt_tui.service.errors import UserError
from stt_tui.service.facade import Service
from stt_tui.shared.wording import plural

# A batch's exit code: a file refused is the user's to fix, trouble and the quota the service's.
EXIT_CODES = {Outcome.REFUSED: EXIT_USER, Outcome.TROUBLE: EXIT_SERVICE, Outcome.NOT_SENT: EXIT_SERVICE}
STOP_SECONDS = 3.0  # a submission under way gets this long to finish (shared/stopping.py ends it at 5 s)


def export_formats(args: argparse.Namespace) -> tuple[str, ...] | None:
    """--export as given (None: the profile's auto_export)."""
    if args.export is None:
        return None
    try:
        return parse_formats([args.export])
    except ValueError as exc:
        raise UserError(f"--export: {exc}") from None


def expand(names: list[str], recursive: bool) -> tuple[list[Path], list[str]]:
    """The files named, with each folder replaced by its audio files; and the folders that hold none."""
    files: list[Path] = []
    empty: list[str] = []
    for name in names:
        path = Path(name)
        if not path.is_dir():
            files.append(path)
            continue
        try:
            found = media_files(path, recursive=recursive)
        except OSError as exc:
            raise UserError(f"The folder {name} cannot be read: {exc.strerror}.") from None
        if not found:
            empty.append(name)
        files += found
    return files, empty


def submit(args: argparse.Namespace, service: Service) -> int:
    options = request_options(args, service)
    export = export_formats(args)
    service.deliver_pending()
    files, empty = expand(args.files, args.recursive)
    code = EXIT_OK
    for name in empty:
        more = "" if args.recursive else " (--recursive looks in its subfolders too)"
        err(f"The folder {name} holds no audio files{more}.")
        code = EXIT_USER
    jobs: list[Job] = []
    bars: list[Progress] = []

    def progress(path: Path) -> Progress:
        bars.append(Progress(path.name))
        return bars[-1]

    def report(done: FileOutcome) -> None:
        if bars:
            bars.pop().done()
        if done.outcome == Outcome.LINKED:
            err(f"{done.message} Add --again to send it anyway.")
        elif done.quota:
            err(f"{done.path.name} and the files after it were not sent: {done.message}")
        elif done.message and done.outcome != Outcome.NOT_SENT:
            err(done.message if done.outcome == Outcome.REFUSED else f"{done.path.name}: {done.message}")
        if done.job is None or any(j.id == done.job.id for j in jobs):
            return  # nothing sent, or two copies of one recording: one job
        jobs.append(done.job)
        if not args.json and not args.wait:
            out_line(job_summary(done.job, time.time()))

    outcomes = service.submit_files(
        files, options, again=args.again, export=export, progress=progress, report=report
    )
    if any(o.stops and not o.quota for o in outcomes):
        return EXIT_USER  # what every file would meet (no credentials...): said once, nothing waited for
    code = max([code, *(EXIT_CODES.get(o.outcome, EXIT_OK) for o in outcomes)])
    refused = [o.path.name for o in outcomes if o.outcome in (Outcome.REFUSED, Outcome.TROUBLE)]
    if refused and len(files) > 1:
        names = ", ".join(refused[:5]) + (f" and {len(refused) - 5} more" if len(refused) > 5 else "")
        err(f"{len(files) - len(refused)} of {plural(len(files), 'file')} sent; not sent: {names}.")
    if args.wait and jobs:
        return max(code, wait_and_report(service, args, jobs))
    if args.json:
        emit_jobs(args, jobs)
    return code


def watch(args: argparse.Namespace, service: Service) -> int:
    from stt_tui.service.watch import FolderWatch, WatchEvent

    folder = Path(args.folder)
    if not folder.is_dir():
        raise UserError(f"{args.folder} is not a folder.")
    options = request_options(args, service)
    export = export_formats(args)
    service.deliver_pending()
    open_jobs: dict[int, Job] = {}

    def report(event: WatchEvent) -> None:
        if args.json:
            job = event.job
            out_json({"event": event.kind, "file": str(event.path), "job": job.id if job else None,
                      "message": event.message})  # fmt: skip
        elif event.kind == "submitted" and event.job is not None:
            out_line(f"submitted #{event.job.id} {event.path.name}")
        elif event.kind == "linked" and event.job is not None:
            out_line(f"linked {event.path.name} to job #{event.job.id}: the same audio, not sent again")
        else:
            err(event.message)
        if event.job is not None and event.job.state not in FINAL_STATES:
            open_jobs[event.job.id] = event.job

    poller = service.poller()

    def tick() -> None:
        ended = []
        for job in poller.poll_due():
            if job.state in FINAL_STATES and open_jobs.pop(job.id, None) is not None:
                ended.append(job.state.value)
                if args.json:
                    out_json({"event": job.state.value, "file": job.file_path, "job": job.id, "message": ""})
                else:
                    out_line(f"{job.state.value} #{job.id} {Path(job.file_path).name}")
        if ended and getattr(args, "notify", False) and sys.stderr.isatty():
            notify.tell(os.environ, sys.stderr.write, notify.endings(ended))  # one per look, summed up
            sys.stderr.flush()

    watcher = FolderWatch(
        service, folder, options, recursive=args.recursive, export=export, settle=args.settle, report=report
    )
    where = "and its subfolders " if args.recursive else ""
    err(f"watching {folder} {where}for audio files; Ctrl-C stops.")
    # The watch runs in a thread so that Ctrl-C and SIGTERM reach this one as themselves: in the main
    # thread, watchfiles turns whatever a signal handler raises into a KeyboardInterrupt (SIGTERM: 130).
    stop, ended = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            watcher.run(stop, tick)
        except BaseException as exc:  # noqa: BLE001  (raised again in the main thread)
            failure.append(exc)
        finally:
            ended.set()

    threading.Thread(target=run, name="watch", daemon=True).start()
    # Waited for on an Event, not by Thread.join: a signal raised inside join() marks the thread as ended
    # while it still runs (Python before 3.13), and the history would be closed under a submission.
    try:
        while not ended.wait(0.5):
            pass
    finally:
        stop.set()
        if not ended.wait(STOP_SECONDS):
            service.interrupt()  # its calls end now, so that its rows are settled before the process ends
            ended.wait(1.0)
    if failure:
        raise failure[0]
    return EXIT_OK
