"""What the TUI remembers between runs: the last submit choices and how the panes were set up.

A small JSON file in the config folder. A missing or damaged file gives the defaults: losing a
preference must never stop the app.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from stt_tui.jobs.columns import KEYS
from stt_tui.jobs.model import RequestOptions
from stt_tui.shared.private import replace_private


@dataclass(frozen=True)
class Preferences:
    last_options: dict[str, RequestOptions] = field(default_factory=dict)  # per profile
    show_all_files: bool = False
    show_hidden_files: bool = False
    theme: str | None = None  # the colour theme chosen in the app (None: Textual's default)
    export_format: str = "srt"  # the last format exported
    job_sort: str = "id"  # the job list's sort column
    job_descending: bool = True
    job_filter: str = ""  # the job list's filter, kept across runs as the sort is
    bell: bool = False  # ring the terminal bell when something needs a person (a failure, an expiry)

    def options_for(self, profile: str, default: RequestOptions) -> RequestOptions:
        return self.last_options.get(profile, default)

    def with_options(self, profile: str, options: RequestOptions) -> Preferences:
        return replace(self, last_options={**self.last_options, profile: options})

    def job_order(self) -> tuple[str, bool]:
        """(column, descending); the sorts of earlier versions read as the column they meant."""
        legacy = {"newest": ("id", True), "oldest": ("id", False)}
        legacy["request"] = ("language", self.job_descending)  # LANG/MODEL, one column once
        if self.job_sort in legacy:
            return legacy[self.job_sort]
        return (self.job_sort, self.job_descending) if self.job_sort in KEYS else ("id", True)

    def with_(self, **changes: Any) -> Preferences:
        return replace(self, **changes)


def load(path: Path) -> Preferences:
    try:
        data = json.loads(path.read_text())
        known = {f.name for f in fields(Preferences)}
        values = {k: v for k, v in data.items() if k in known}
        remembered = values.get("last_options", {})
        values["last_options"] = {p: RequestOptions.from_dict(o) for p, o in remembered.items()}
        return Preferences(**values)
    except (OSError, ValueError, TypeError, AttributeError):
        return Preferences()


def save(path: Path, prefs: Preferences) -> None:
    """Written whole, so a crash never leaves half a file (nor a full disk a stray one)."""
    data = asdict(prefs)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    replace_private(path, (json.dumps(data, indent=2) + "\n").encode())
