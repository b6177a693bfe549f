"""Where a request's audio comes from: inline bytes spooled to disk, or a file:// URI in an allowed root."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from stt_tui.engine.validation import RequestRefused
from stt_tui.shared.private import open_private, private_dir
from stt_tui.shared.wording import printable, quoted

MAX_URI_CHARS = 4096  # longer than any real path (PATH_MAX); a longer one is refused, not tried


def resolve_file_uri(uri: str, allowed_roots: Sequence[Path]) -> Path:
    """The local file a `file://` URI names, if it lies inside one of the allowed roots."""
    if len(uri) > MAX_URI_CHARS:
        raise RequestRefused(f"audio.uri is {len(uri):,} characters long; no file has such a name.")
    parts = urlsplit(uri)
    if parts.scheme != "file":
        raise RequestRefused(
            "The engine reads audio only from inline content or file:// URIs; "
            f"{printable(parts.scheme[:20]) or 'other'} URIs are not accepted."
        )
    if parts.netloc not in ("", "localhost"):
        raise RequestRefused(f"file:// URIs must name a local file, not one on host {quoted(parts.netloc)}.")
    text = unquote(parts.path)
    if "\x00" in text:
        raise RequestRefused("audio.uri holds a NUL character; no file has such a name.")
    raw = Path(text)
    shown = quoted(text, 200)
    if not raw.is_absolute():
        raise RequestRefused("file:// URIs must hold an absolute path.")
    try:
        # Resolve symlinks and `..` first, so neither can lead outside a root.
        path = Path(os.path.realpath(raw, strict=False))
        inside = any(path.is_relative_to(root) for root in allowed_roots)
        if not inside:
            raise RequestRefused(
                f"{shown} is outside the folders this engine may read (start it with --allow-root)."
            )
        if not path.exists():
            raise RequestRefused(f"{shown} does not exist.")
        if not path.is_file():
            raise RequestRefused(f"{shown} is not a regular file.")
    except OSError as exc:
        raise RequestRefused(f"{shown} cannot be used: {exc.strerror or exc}.") from None
    if not os.access(path, os.R_OK):
        raise RequestRefused(f"{shown} cannot be read by the engine (permission denied).")
    return path


def normalize_roots(roots: Sequence[str | Path]) -> list[Path]:
    """Allowed roots with symlinks resolved, so comparisons with resolved paths hold."""
    return [Path(os.path.realpath(Path(r).expanduser())) for r in roots]


def spool(content: bytes | memoryview, folder: Path, name: str) -> Path:
    """Write inline audio where only this user can read it; the engine works from the copy."""
    private_dir(folder)
    path = folder / name
    try:
        with os.fdopen(open_private(path), "wb") as f:
            f.write(content)
    except BaseException:
        path.unlink(missing_ok=True)  # a full disk leaves no half-written audio behind
        raise
    return path


def read_head(path: Path, size: int = 64) -> bytes:
    with open(path, "rb") as f:
        return f.read(size)
