"""Writing an output file: through a link the user made, never over a device."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from stt_tui.outputs.files import OutputError, write_output


def test_export_writes_through_a_symlink_and_never_replaces_a_device(tmp_path):
    real = tmp_path / "notes.txt"
    real.write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_output(link, "new text\n")
    assert link.is_symlink() and real.read_text() == "new text\n"
    with pytest.raises(OutputError, match="not a regular file"):
        write_output(Path("/dev/full"), "x")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        write_output(fifo, "x")
    with pytest.raises(OutputError, match="a folder"):
        write_output(tmp_path, "x")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
