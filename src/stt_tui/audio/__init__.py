"""Audio files: what one holds and whether the service would take it (probe, wav), what is sent and how it
is converted (prepare), its loudness per channel (loudness), which files of a folder are audio and when a
folder changes (folders).

May import: jobs, shared.
"""
