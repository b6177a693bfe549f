"""What the user set: the profiles, built in and from config.toml (config, with its commented starting
point in template), where a profile's secrets come from (credentials), what the UI remembers between runs
(preferences).

May import: outputs (the export formats auto_export names), audio, history, jobs, api (key and token
types), shared.
"""
