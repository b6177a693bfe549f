"""stt-tui: asynchronous speech recognition from the terminal."""

import os

__version__ = "0.1.0"

# gRPC's fork handlers start its poller again in a child made by fork(); a child that then closes its
# descriptors before exec (subprocess with a preexec_fn) finds the poller's epoll closed and aborts before
# it runs (grpc/grpc#43055; 10 of 200 such children while calls were under way, 0 with this). Nothing
# here forks to go on using gRPC in the child, so the handlers are off; set before gRPC is first loaded,
# in every process (each imports this package first), and inherited by the ones they start.
os.environ.setdefault("GRPC_ENABLE_FORK_SUPPORT", "false")
