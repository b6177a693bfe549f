"""The embedded engine: a local gRPC server that speaks SpeechKit v3 and v2 and transcribes offline.

Clients never import this package; they reach the engine over gRPC as they reach the cloud (only
`stt-tui serve` runs it in-process).

May import: shared (and the generated _proto); nothing of the client.
"""
