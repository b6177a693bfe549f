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
from stt_tui.cli.output import EXIT_OK, EXIT_SERVICE, EXIT_USER, Progress, err, out, out_json
from stt_tui.jobs.model import FINAL_STATES, Job
from stt_tui.outputs import notify
from stt_tui.outputs.export import parse_formats
from stt_tui.outputs.formatting import job_summary
from stt_tui.service.errors import SameAudio, UserError
from stt_tui.service.facade import Service
from stt_tui.shared.wording import plural

STOP_SECONDS = 10.0  # a submission under way gets this long to finish before the process ends


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
    from stt_tui.api import ServiceError
    from stt_tui.connection.storage import StorageError
    from stt_tui.service.errors import QuotaExceeded

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
    refused: list[str] = []
    for path in files:
        progress = Progress(path.name)
        try:
            job = service.submit(path, options, progress, again=args.again, export=export)
        except SameAudio as exc:
            err(f"{exc} Add --again to send it anyway.")
            service.link(path, exc.known.job, export)
            job = exc.known.job
        except UserError as exc:
            err(str(exc))
            refused.append(path.name)
            code = max(code, EXIT_USER)
            continue
        except QuotaExceeded as exc:
            err(f"{path.name} and the files after it were not sent: {exc}")
            code = max(code, EXIT_SERVICE)
            break
        except (ServiceError, StorageError) as exc:
            err(f"{path.name}: {exc}")
            refused.append(path.name)
            code = max(code, EXIT_SERVICE)
            continue
        finally:
            progress.done()
        if any(j.id == job.id for j in jobs):
            continue  # two copies of one recording: one job
        jobs.append(job)
        if not args.json and not args.wait:
            out(job_summary(job, time.time()))
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
            out(f"submitted #{event.job.id} {event.path.name}")
        elif event.kind == "linked" and event.job is not None:
            out(f"linked {event.path.name} to job #{event.job.id}: the same audio, not sent again")
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
                    out(f"{job.state.value} #{job.id} {Path(job.file_path).name}")
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
    stop = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            watcher.run(stop, tick)
        except BaseException as exc:  # noqa: BLE001  (raised again in the main thread)
            failure.append(exc)

    thread = threading.Thread(target=run, name="watch", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.5)
    finally:
        stop.set()
        thread.join(STOP_SECONDS)
    if failure:
        raise failure[0]
    return EXIT_OK
