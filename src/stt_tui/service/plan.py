"""What sending one file comes to, decided before anything is written or sent: the checks against the
service's limits and the profile, the request, the way the audio goes (inline or through the bucket), and
what the history knows of the audio. Pure: fed what was probed, hashed and read, it reads nothing itself,
so every refusal and every repeat can be tested without a file, an engine or a history.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from stt_tui.audio.probe import Probe, Verdict
from stt_tui.connection.recognition_requests import options_problem_for, route
from stt_tui.jobs.model import Job, Request, RequestOptions, differences
from stt_tui.service.content import Known, Seen, known_from
from stt_tui.service.errors import SameAudio, UserError
from stt_tui.settings.config import Profile
from stt_tui.shared.speechkit import AUTO, V3, canonical_language, options_problem


def service_options(options: RequestOptions, api: str, channels: int | None = None) -> RequestOptions:
    """The options as the service spells them; UserError for a language or model it does not know, or for
    what the API cannot do (`channels`: the file's, when known)."""
    problem = options_problem(options.language, options.model, api)
    for code in options.languages:
        problem = problem or (options_problem(code, options.model, api) if code != AUTO else None)
    problem = problem or options_problem_for(api, options, channels)
    if problem:
        raise UserError(problem)
    languages = tuple(canonical_language(code) or code for code in options.languages)
    language = canonical_language(options.language) or options.language
    return dataclasses.replace(options, language=language, languages=languages)


@dataclass(frozen=True)
class Plan:
    """One file's submission as decided before it is sent."""

    path: Path  # absolute: the row's file_path, and where transcripts are written beside
    probe: Probe
    verdict: Verdict  # as it will be sent (the route may convert it to fit inline)
    options: RequestOptions  # as the service spells them
    request: Request
    inline: bool  # v3 cloud: the audio goes in the request, not through the bucket
    sha256: str = ""
    repeat: Known | None = None  # this request's work on this audio, done or under way: not sent unasked
    other: Known | None = None  # a transcript of this audio made with other options (worth a word)

    @property
    def name(self) -> str:
        return self.path.name

    def same_audio(self) -> SameAudio | None:
        """The sentence for a repeat (None: the audio is new work for this request)."""
        return None if self.repeat is None else SameAudio(self.path, self.repeat)

    def other_options_note(self, api: str) -> str | None:
        """A word about a transcript of this audio answering another request (None: there is none)."""
        if self.other is None:
            return None
        job = self.other.job
        changes = ", ".join(differences(job.options, self.options, (job.api, api)))
        return (
            f"{self.name}: job #{job.id} has a transcript of this audio made with other options "
            f"({changes}); this one is sent as new work."
        )


def plan_file(path: Path, found: Probe, verdict: Verdict, options: RequestOptions, profile: Profile) -> Plan:
    """The checks a file must pass and the request it is sent with; UserError (one sentence) for a file
    or options the service would refuse. `path` absolute; `options` already as the service spells them."""
    if verdict.refused:
        raise UserError(f"{path.name} cannot be sent: {' '.join(verdict.reasons)}")
    service_options(options, profile.api, found.channels)
    inline = False
    if profile.api == V3 and not profile.local:
        way = route(found, verdict, upload=profile.upload, has_bucket=profile.has_bucket)
        if way.problem:
            raise UserError(way.problem)
        inline, verdict = way.inline, way.verdict
    request = Request.of(profile.name, profile.api, options)
    return Plan(path, found, verdict, options, request, inline)


def with_audio(plan: Plan, sha256: str, earlier: Iterable[Job] | None) -> Plan:
    """The plan with what the jobs already sent this audio say of it (`earlier` None: not asked, the
    audio is sent again on purpose or was looked up before)."""
    if earlier is None:
        return dataclasses.replace(plan, sha256=sha256)
    jobs = list(earlier)
    known = known_from(jobs, plan.request)
    repeat = known if known is not None and known.would_repeat else None
    other = None
    if repeat is None:
        done = known_from(j for j in jobs if j.profile == plan.request.profile)
        other = done if done is not None and done.seen == Seen.DONE else None
    return dataclasses.replace(plan, sha256=sha256, repeat=repeat, other=other)
