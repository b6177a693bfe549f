"""Where a request's audio comes from: inline bytes spooled to disk, or a file:// URI in an allowed root."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .validation import RequestRefused


def resolve_file_uri(uri: str, allowed_roots: Sequence[Path]) -> Path:
    """The local file a `file://` URI names, if it lies inside one of the allowed roots."""
    parts = urlsplit(uri)
    if parts.scheme != "file":
        raise RequestRefused(
            f"The engine reads audio only from inline content or file:// URIs; {parts.scheme or 'this'}"
            " URIs are not accepted."
        )
    if parts.netloc not in ("", "localhost"):
        raise RequestRefused(f"file:// URIs must name a local file, not one on host {parts.netloc!r}.")
    raw = Path(unquote(parts.path))
    if not raw.is_absolute():
        raise RequestRefused("file:// URIs must hold an absolute path.")
    # Resolve symlinks and `..` first, so neither can lead outside a root.
    path = Path(os.path.realpath(raw))
    if not any(path.is_relative_to(root) for root in allowed_roots):
        raise RequestRefused(
            f"{raw} is outside the folders this engine may read (start it with --allow-root)."
        )
    if not path.exists():
        raise RequestRefused(f"{raw} does not exist.")
    if not path.is_file():
        raise RequestRefused(f"{raw} is not a regular file.")
    if not os.access(path, os.R_OK):
        raise RequestRefused(f"{raw} cannot be read by the engine (permission denied).")
    return path


def normalize_roots(roots: Sequence[str | Path]) -> list[Path]:
    """Allowed roots with symlinks resolved, so comparisons with resolved paths hold."""
    return [Path(os.path.realpath(Path(r).expanduser())) for r in roots]


def spool(content: bytes, folder: Path, name: str) -> Path:
    """Write inline audio where only this user can read it; the engine works from the copy."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    return path


def read_head(path: Path, size: int = 64) -> bytes:
    with open(path, "rb") as f:
        return f.read(size)
