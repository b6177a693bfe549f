"""The job list: the view over the history (job_view.py) and what the keys ask of its jobs: open, details,
export, check, cancel, forget, re-submit, copy, marked ones or the one under the cursor. It posts them up;
the pane that holds it does them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import partialmethod

from textual.binding import Binding
from textual.message import Message

from stt_tui.jobs.model import Job
from stt_tui.tui.keys_in_order import KeyHold, hold_keys
from stt_tui.tui.widgets.job_view import JobView


class Act(StrEnum):
    """What the keys ask of the jobs under the cursor, or the marked ones."""

    OPEN = "open"
    DETAILS = "details"
    PAGER = "pager"
    EDITOR = "editor"
    EXPORT = "export"
    RESUBMIT = "resubmit"
    REFRESH = "refresh"
    CANCEL = "cancel"
    FORGET = "forget"
    COPY_ID = "copy_id"


# What opens a screen only once a worker has read for it: the keys typed after it wait for that screen.
OPENS_FROM_A_WORKER = frozenset({Act.OPEN, Act.DETAILS, Act.RESUBMIT})


class JobList(JobView):
    """Posts what the user asks of the jobs: the marked ones, else the one under the cursor."""

    BINDINGS = [
        Binding("enter", "open", "Transcript", tooltip="Open the transcript of the job", id="jobs.open"),
        Binding("space", "mark", "Mark", tooltip="Mark or unmark the job: actions act on the marked jobs",
                id="jobs.mark"),
        Binding("asterisk,ctrl+a", "mark_all", "Mark all", show=False, tooltip="Mark every job shown",
                id="jobs.mark-all"),
        Binding("U", "unmark_all", "Unmark all", show=False, tooltip="Clear the marks", id="jobs.unmark-all"),
        Binding("e", "export", "Export", tooltip="Export the transcript(s) to files", id="jobs.export"),
        Binding("i", "details", "Details", tooltip="Everything about the job, and its stored operation",
                id="jobs.details"),
        Binding("v", "pager", "Pager", show=False, tooltip="Read the transcript in $PAGER", id="jobs.pager"),
        Binding("E", "editor", "Editor", show=False, tooltip="Open the transcript (txt) in $EDITOR",
                id="jobs.editor"),
        Binding("r", "refresh_job", "Check now", show=False, tooltip="Ask the service about the job(s) now",
                id="jobs.refresh-job"),
        Binding("c", "cancel_job", "Cancel job", show=False, tooltip="Ask the service to stop the job(s)",
                id="jobs.cancel-job"),
        Binding("d", "forget_job", "Forget", show=False, tooltip="Remove the job(s) and stored results",
                id="jobs.forget-job"),
        Binding("R", "resubmit", "Re-submit", show=False, tooltip="Send the audio again, with new options",
                id="jobs.resubmit"),
        Binding("y", "copy_id", "Copy id", show=False, tooltip="Copy the operation id(s) to the clipboard",
                id="jobs.copy-id"),
        Binding("slash", "filter", "Filter", tooltip="Show only the jobs matching some words",
                id="jobs.filter"),
        Binding("o", "sort", "Sort", tooltip="Sort by the next column: #, state, file, retention, time...",
                id="jobs.sort"),
        Binding("O", "reverse", "Reverse", show=False, tooltip="Reverse the order", id="jobs.reverse"),
        Binding("up,k", "cursor(-1)", "Up", show=False, id="jobs.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="jobs.down"),
        Binding("pageup,ctrl+u", "page(-1)", "Page up", show=False, id="jobs.page-up"),
        Binding("pagedown,ctrl+d", "page(1)", "Page down", show=False, id="jobs.page-down"),
        Binding("home,g", "first", "First", show=False, tooltip="The first row", id="jobs.first"),
        Binding("end,G", "last", "Last", show=False, tooltip="The last row", id="jobs.last"),
    ]  # fmt: skip

    @dataclass
    class JobAction(Message):
        """The user asked for `action` on jobs: the marked ones, else the one under the cursor."""

        action: Act
        jobs: list[Job]
        hold: KeyHold = field(default_factory=KeyHold)  # on the keys typed after, until its screen is up

        @property
        def job(self) -> Job:
            return self.jobs[0]

    @dataclass
    class MarksChanged(Message):
        """How many jobs are marked."""

        count: int

    class FilterRequested(Message):
        """The user pressed the filter key."""

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    # --- actions on the job under the cursor --------------------------------------------------

    def selection(self) -> list[Job]:
        """The marked jobs still in the history (in list order), else the one under the cursor."""
        if self.marked:
            kept = [i for i in self.ids if i in self.marked] or sorted(self.marked)
            rows = self.read_rows(kept)
            return [rows[i] for i in kept if i in rows]
        job = self.current_job()
        return [job] if job is not None else []

    def _post(self, action: Act, one: bool = False) -> JobAction | None:
        jobs = self.selection()
        if one:
            jobs = [job] if (job := self.current_job()) is not None else []
        if not jobs:
            self.notify("There is no job here yet.", severity="warning")
            return None
        # The keys typed right after (one read from the terminal, as over SSH) reach the screen this
        # opens; handed on at once, they went to this list (a `d` meant for the transcript forgot the job).
        hold = hold_keys(self) if action in OPENS_FROM_A_WORKER else KeyHold()
        message = self.JobAction(action, jobs, hold)
        self.post_message(message)
        return message

    def _marks_changed(self) -> None:
        self.refresh()
        self.post_message(self.MarksChanged(len(self.marked)))

    def action_mark(self) -> None:
        job = self.current_job()
        if job is not None:
            self.marked.symmetric_difference_update({job.id})
            self._marks_changed()
            self._move(self.cursor + 1)

    def action_mark_all(self) -> None:
        if not self._wait_for_whole(self.action_mark_all):
            shown = set(self.ids)
            self.marked = set() if shown <= self.marked else self.marked | shown
            self._marks_changed()

    def action_unmark_all(self) -> None:
        self.marked.clear()
        self._marks_changed()

    # What the keys ask of the jobs: the selection (the marked ones, else the cursor's), or only the
    # cursor's job where acting on several makes no sense.
    action_open = partialmethod(_post, Act.OPEN, True)
    action_details = partialmethod(_post, Act.DETAILS, True)
    action_pager = partialmethod(_post, Act.PAGER, True)
    action_editor = partialmethod(_post, Act.EDITOR, True)
    action_export = partialmethod(_post, Act.EXPORT)
    action_resubmit = partialmethod(_post, Act.RESUBMIT)
    action_refresh_job = partialmethod(_post, Act.REFRESH)
    action_cancel_job = partialmethod(_post, Act.CANCEL)
    action_forget_job = partialmethod(_post, Act.FORGET)
    action_copy_id = partialmethod(_post, Act.COPY_ID)
