"""What stt-tui writes for a person: a stored result rendered in every format (export), a file written
whole or not at all (files), transcripts delivered beside the audio (beside), how jobs read in lists and
details (formatting), the totals of the history (totals).

May import: audio, history, jobs, api (to decode a stored operation), shared.
"""
