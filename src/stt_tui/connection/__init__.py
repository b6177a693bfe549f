"""The connection to a profile's service: the backend shared by threads (engine start, credentials, IAM
tokens, the bucket; backend), Object Storage uploads and deletions (storage), the embedded engine started on
demand (local_engine), the v2 and v3 requests built for a prepared file and how a v3 file travels
(recognition_requests).

May import: settings, outputs, audio, history, jobs, api, shared. Never the engine: it is reached over gRPC.
"""
