"""Telling a person in the terminal that jobs ended, when they are not looking: the notification escape
sequence the terminal announces it understands (OSC 99 for kitty, OSC 777 for VTE terminals, foot and
urxvt, OSC 9 for iTerm2, WezTerm, Ghostty and Windows Terminal), passed through tmux when inside it, and
`notify-send` where a desktop session exists. A terminal that announces none of them gets nothing."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping

from stt_tui.shared.wording import printable

TITLE = "stt-tui"
SUMMARY_ORDER = ("submitted", "skipped", "refused", "done", "failed", "expired", "cancelled")
OSC9_PROGRAMS = ("iTerm.app", "WezTerm", "ghostty")


def _clean(text: str) -> str:
    """No byte of the text can end or change the sequence it is carried in."""
    return printable(text).replace(";", ",").replace("\x1b", "").replace("\x07", "")


def sequence(env: Mapping[str, str], title: str, body: str) -> str:
    """The escape sequence for this terminal (pure): "" where it announces no notification support."""
    term, program = env.get("TERM", ""), env.get("TERM_PROGRAM", "")
    title, body = _clean(title), _clean(body)
    if env.get("KITTY_WINDOW_ID") or term == "xterm-kitty":
        seq = f"\x1b]99;i=1:d=0;{title}\x1b\\\x1b]99;i=1:d=1:p=body;{body}\x1b\\"
    elif env.get("VTE_VERSION") or term.startswith(("foot", "rxvt")):
        seq = f"\x1b]777;notify;{title};{body}\x1b\\"
    elif program in OSC9_PROGRAMS or env.get("WT_SESSION"):
        seq = f"\x1b]9;{title}: {body}\x07"
    else:
        return ""
    if env.get("TMUX"):  # tmux passes it on to the terminal outside (with allow-passthrough on)
        seq = "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return seq


def desktop(env: Mapping[str, str]) -> bool:
    """Whether a desktop session is there to show `notify-send`'s notification."""
    session = env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    return bool(session and env.get("DBUS_SESSION_BUS_ADDRESS") and shutil.which("notify-send"))


def send_desktop(title: str, body: str) -> None:
    """A desktop notification; one that cannot be shown is dropped (the terminal's line says it too)."""
    try:
        subprocess.run(["notify-send", "--app-name", TITLE, title, body], timeout=5, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return


def summary(tally: Mapping[str, int]) -> str:
    """A batch in one line: '28 submitted · 12 done · 1 failed' (what is zero is left out)."""
    return " · ".join(f"{tally[key]:,} {key}" for key in SUMMARY_ORDER if tally.get(key))


def endings(states: Iterable[str]) -> str:
    """What the jobs that ended came to, in one line: '3 done · 1 failed'."""
    tally: dict[str, int] = {}
    for state in states:
        tally[state] = tally.get(state, 0) + 1
    return summary(tally)


def tell(env: Mapping[str, str], write: Callable[[str], object], body: str) -> bool:
    """Notify `body` the way this terminal (and desktop) can; whether anything was sent."""
    seq = sequence(env, TITLE, body)
    if seq:
        write(seq)
    if desktop(env):
        send_desktop(TITLE, body)
        return True
    return bool(seq)
