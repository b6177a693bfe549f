"""The job model and its pure schedules: a job's states, what was asked (request options, and when two
requests are the same), the retention deadline (model); a transcript's phrases and words (transcript); when
to ask about which job within the status-check quota (schedule). No I/O: the drivers that ask and store are
the service's.

May import: shared.
"""
