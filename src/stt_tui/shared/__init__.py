"""Facts both the client and the embedded engine go by: the service's limits, languages and models
(speechkit), sentences safe for a terminal (wording), files only their owner may read (private), where
stt-tui keeps its files (paths), processes by id (processes), Object Storage addresses and the S3 client
(objects).

May import: nothing else of stt_tui. Everything may import it.
"""
