"""Regenerate src/stt_tui/_proto from proto/ with grpcio-tools.

    python tools/gen_proto.py            # rewrite the checked-in modules
    python tools/gen_proto.py OUT_DIR    # generate elsewhere (the sync test compares the two)

protoc writes absolute imports (`from yandex.cloud.operation import ...`); they are rewritten to live
under `stt_tui._proto` so the generated modules need nothing on sys.path.
"""

from __future__ import annotations

import re
import sys
from importlib.resources import files
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "src" / "stt_tui" / "_proto"
PACKAGE = "stt_tui._proto"

_IMPORT = re.compile(r"^(from|import) yandex\.", re.MULTILINE)


def proto_files() -> list[Path]:
    return sorted(PROTO_DIR.rglob("*.proto"))


def generate(out_dir: Path) -> list[Path]:
    """Generate *_pb2.py, *_pb2.pyi and *_pb2_grpc.py into out_dir; return the files written."""
    from grpc_tools import protoc

    out_dir.mkdir(parents=True, exist_ok=True)
    includes = [
        str(PROTO_DIR),
        str(files("grpc_tools") / "_proto"),  # google/protobuf well-known types
        str(Path(files("google.rpc").joinpath("status.proto")).parents[2]),  # google/rpc
    ]
    args = ["protoc", *(f"-I{i}" for i in includes)]
    args += [f"--python_out={out_dir}", f"--pyi_out={out_dir}", f"--grpc_python_out={out_dir}"]
    args += [str(p.relative_to(PROTO_DIR)) for p in proto_files()]
    if protoc.main(args) != 0:
        raise RuntimeError("protoc failed: " + " ".join(args))
    written = []
    for path in sorted(out_dir.rglob("*_pb2*.py*")):
        text = path.read_text()
        path.write_text(_IMPORT.sub(rf"\1 {PACKAGE}.yandex.", text))
        written.append(path)
    for folder in {p.parent for p in written} | {out_dir}:
        while folder != out_dir.parent:
            (folder / "__init__.py").touch()
            folder = folder.parent
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT_DIR
    for path in generate(target):
        print(path.relative_to(target))
