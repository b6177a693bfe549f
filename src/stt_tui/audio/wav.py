"""Reading a WAV file's header: where its samples are (what is left once the header is stripped)."""

from __future__ import annotations

import os
import struct
from pathlib import Path


class WavError(Exception):
    """The file is not a WAV file with samples; one sentence."""


def wav_data_range(path: Path) -> tuple[int, int]:
    """(offset, length) of the samples in a RIFF/WAVE file: what is left once the header is stripped."""
    with open(path, "rb") as f:
        riff = f.read(12)
        if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
            raise WavError(f"{path.name} is not a RIFF/WAVE file.")
        while header := f.read(8):
            if len(header) < 8:
                break
            chunk_id, length = struct.unpack("<4sI", header)
            if chunk_id == b"data":
                offset = f.tell()
                # A streamed WAV may say 0 or 0xFFFFFFFF: then the samples run to the end of the file.
                available = path.stat().st_size - offset
                if length in (0, 0xFFFFFFFF) or length > available:
                    length = available
                return offset, length - length % 2
            f.seek(length + (length & 1), os.SEEK_CUR)  # chunks are padded to even sizes
    raise WavError(f"{path.name} has no data chunk.")
