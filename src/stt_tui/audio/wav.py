"""Reading a WAV file's header: where its samples are (what is left once the header is stripped)."""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path
from typing import BinaryIO


class WavError(Exception):
    """The file is not a WAV file with samples; one sentence."""


_CHUNK_ID = re.compile(rb"[\x20-\x7e]{4}")


def _chunks_to_end(f: BinaryIO, start: int, end: int) -> bool:
    """Whether the bytes from `start` to `end` are whole RIFF chunks (LIST, id3 and the like after the
    samples), rather than samples the data chunk's size leaves out."""
    at = start
    while at + 8 <= end:
        f.seek(at)
        chunk_id, length = struct.unpack("<4sI", f.read(8))
        if not _CHUNK_ID.fullmatch(chunk_id) or at + 8 + length > end + 1:
            return False
        at += 8 + length + (length & 1)
    return end - at <= 1  # a pad byte, or nothing


def wav_data(path: Path) -> tuple[int, int, int]:
    """(offset, length, promised) of the samples in a RIFF/WAVE file: `length` is what the file holds,
    `promised` what its header says (more when the file was cut short; less when the writer never came
    back to fix the size, and samples rather than chunks follow)."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        riff = f.read(12)
        if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
            raise WavError(f"{path.name} is not a RIFF/WAVE file.")
        while header := f.read(8):
            if len(header) < 8:
                break
            chunk_id, promised = struct.unpack("<4sI", header)
            if chunk_id == b"data":
                offset = f.tell()
                available = size - offset
                # A streamed WAV may say 0 or 0xFFFFFFFF: then the samples run to the end of the file.
                streamed = promised in (0, 0xFFFFFFFF) or promised > available
                unfixed = promised < available and not _chunks_to_end(
                    f, offset + promised + (promised & 1), size
                )
                length = available if streamed or unfixed else promised
                if promised in (0, 0xFFFFFFFF):
                    promised = length
                return offset, length - length % 2, promised - promised % 2
            f.seek(promised + (promised & 1), os.SEEK_CUR)  # chunks are padded to even sizes
    raise WavError(f"{path.name} has no data chunk.")


def wav_data_range(path: Path) -> tuple[int, int]:
    """(offset, length) of the samples in a RIFF/WAVE file: what is left once the header is stripped."""
    offset, length, _ = wav_data(path)
    return offset, length
