"""A process of stt-tui that starts a child by fork() while its gRPC calls are under way: the child runs.
gRPC's fork handlers started its poller again in the child, which aborted (SIGABRT) once subprocess had
closed the poller's descriptors before exec (grpc/grpc#43055): a `submit` started so by a test died before
it ran, and so could an engine, a pager or a player started by the app."""

from __future__ import annotations

import subprocess
import sys

CHILDREN = 300

# Calls under way on three threads, as while the app polls; each child made by fork() (a preexec_fn
# makes subprocess fork rather than vfork) must exec and exit 0.
PARENT = f"""
import stt_tui  # first, as every stt-tui process
import subprocess, threading
from concurrent import futures
import grpc

server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
port = server.add_insecure_port("127.0.0.1:0")
server.start()
channel = grpc.insecure_channel(f"127.0.0.1:{{port}}")

def calls():
    while True:
        try:
            channel.unary_unary("/stt.Test/Nothing")(b"", timeout=0.05)
        except grpc.RpcError:
            pass

for _ in range(3):
    threading.Thread(target=calls, daemon=True).start()
codes = [subprocess.run(["true"], preexec_fn=lambda: None).returncode for _ in range({CHILDREN})]
print(sum(code != 0 for code in codes), sorted(set(codes)))
"""


def test_children_forked_while_grpc_calls_are_under_way_run() -> None:
    done = subprocess.run([sys.executable, "-c", PARENT], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    failed, codes = done.stdout.split(" ", 1)
    assert failed == "0", f"{failed} of {CHILDREN} children did not run: exit codes {codes.strip()}"
