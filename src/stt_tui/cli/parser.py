"""The command line's grammar: every command, its options and its help text."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from stt_tui import __version__
from stt_tui.cli import admin, commands, completion, folders, search, serve, voices, workspace
from stt_tui.cli.engine_grammar import add_engine_commands
from stt_tui.cli.grammar import AddCommand, Parser
from stt_tui.cli.output import EXIT_CODES_HELP
from stt_tui.cli.run import with_service
from stt_tui.jobs.model import JobState
from stt_tui.outputs.export import FORMATS
from stt_tui.shared.speechkit import APIS


def _common() -> Parser:
    """Options every command takes, before or after its name."""
    common = Parser(add_help=False)
    common.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    common.add_argument(
        "--json", action="store_true", default=argparse.SUPPRESS, help="output JSON for scripts"
    )
    return common


def _request_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--language",
        metavar="CODE",
        help="language code, e.g. en-US, ru-RU (default: the profile's); auto to detect it; with API v3, "
        "a list such as en-US,ru-RU detects it among those",
    )
    p.add_argument(
        "--model",
        metavar="NAME",
        help="general (default), general:rc, or deferred-general (cheaper, done within 24 h, polled rarely)",
    )
    p.add_argument("--profanity-filter", action="store_true", help="mask profanities in the transcript")
    p.add_argument(
        "--literature-text", action="store_true", help="punctuation and capitals, as in written text"
    )
    p.add_argument(
        "--raw-results",
        "--no-normalization",
        dest="raw_results",
        action="store_true",
        help="no text normalization: numbers spelled out as words",
    )
    p.add_argument(
        "--speakers",
        action="store_true",
        help="API v3, mono audio: tell speakers apart, two in the cloud, up to 8 on the local engine "
        "(Speaker 1:, Speaker 2: in the transcript)",
    )
    p.add_argument("--no-phone-formatting", action="store_true", help="API v3: leave phone numbers as spoken")


def _export(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--export",
        metavar="FORMATS",
        help="write the transcript beside each audio file when it is done, e.g. txt,srt (txt, json, srt, "
        "vtt, csv, tsv, md; none: not even the profile's auto_export)",
    )


def _timeout(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--timeout",
        type=serve.positive_float,
        metavar="S",
        help="stop waiting after S seconds (exit 5; the jobs keep running)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="stt-tui",
        usage="stt-tui [--home DIR] [--profile NAME] [FOLDER]\n"
        "       stt-tui [--home DIR] [--profile NAME] [--json] COMMAND ...",
        description="Asynchronous speech recognition from the terminal, with the Yandex SpeechKit API "
        "(v3 AsyncRecognizer, and v2 LongRunningRecognize) or, with no cloud credentials, an embedded "
        "offline engine. Jobs are kept in a local history with their results, so nothing is lost when the "
        "service forgets them after 3 days.\n\nWithout a command, opens the terminal UI on FOLDER "
        "(default: the current folder).",
        epilog=EXIT_CODES_HELP + "\nRun `stt-tui COMMAND --help` for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"stt-tui {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="keep all state, config and the local engine's data under DIR (default: $STT_TUI_HOME, "
        "else the platform's user folders)",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="which backend to use: local (the embedded engine), yandex, or one from config.toml "
        "(default: $STT_TUI_PROFILE, else default_profile in config.toml, else local)",
    )
    parser.add_argument("--json", action="store_true", help="output JSON for scripts")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    common = _common()

    def command(
        name: str, func: Callable[[argparse.Namespace], int], help: str, description: str
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            prog=f"stt-tui {name}",  # the top level's own usage line would otherwise prefix it
            parents=[common],
            help=help,
            description=description,
            epilog=EXIT_CODES_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        return p

    _sending(command)
    _reading(command)
    _workspace(command)
    _managing(command)
    add_engine_commands(command, common)
    _completion(command)
    # The names that are commands, not a folder; and the grammar itself, which completion is written from.
    parser.set_defaults(commands=set(sub.choices), grammar=parser)
    return parser


def _sending(command: AddCommand) -> None:
    """Sending audio: submit, and watch a folder."""
    p = command(
        "submit",
        with_service(folders.submit),
        "send audio files, or folders of them, for recognition",
        "Check each file against the service's limits, convert what it cannot take as is (FLAC, AAC, "
        "Vorbis, 44.1 kHz or 24-bit WAV, video) to Ogg Opus, and submit it. A folder stands for its audio "
        "files. Each job is recorded in the history before the call, so its operation id is never lost. "
        "Audio already transcribed or on its way with the same request (the same content under any name, "
        "the same profile, API and options) is not sent again: its job is given instead, and its "
        "transcripts are written beside this file too.",
    )
    p.add_argument("files", nargs="+", metavar="FILE_OR_FOLDER")
    p.add_argument("--recursive", "-r", action="store_true", help="a folder's subfolders too")
    p.add_argument("--again", action="store_true", help="send audio even if it was transcribed before")
    _request_options(p)
    _export(p)
    p.add_argument("--wait", action="store_true", help="wait until every job is finished")
    _timeout(p)

    p = command(
        "watch",
        with_service(folders.watch),
        "send each audio file that appears in a folder",
        "Watch a folder and send every audio file in it that was not handled before, each new one as soon "
        "as it has stopped growing (a download's .part or .crdownload name, or a hidden one, waits until "
        "it is renamed). Audio already transcribed is linked to its job instead of being sent again; a "
        "watch started again sends nothing twice. Files are only read, never moved or deleted. The jobs "
        "are polled meanwhile, so --export writes the transcripts beside the audio as they are done. "
        "Runs until Ctrl-C or SIGTERM.",
    )
    p.add_argument("folder", metavar="FOLDER")
    p.add_argument("--recursive", "-r", action="store_true", help="its subfolders too")
    p.add_argument(
        "--settle",
        type=serve.positive_float,
        default=3.0,
        metavar="S",
        help="a file is sent once its size and time have held for S seconds (default: 3)",
    )
    _request_options(p)
    _export(p)


def _reading(command: AddCommand) -> None:
    """Reading the history: search, jobs, show, wait, export."""
    p = command(
        "search",
        with_service(search.search),
        "search every stored transcript",
        "Search the transcripts of every job in the history, phrase by phrase, best matches first: one "
        "line per phrase (job, file, time in the audio, channel or speaker, the words around the match). "
        'Every word must be there; "quoted words" in that order; a trailing * takes any ending (budg*). '
        "Case and diacritics do not count, nor ё against е. Filters may stand among the words: "
        "profile:NAME, lang:CODE, after:YYYY-MM-DD, before:YYYY-MM-DD. Exits 1 when nothing matches.",
    )
    p.add_argument("words", nargs="+", metavar="WORDS")
    hits = serve.positive_int(10_000)
    p.add_argument("--limit", type=hits, default=50, metavar="N", help="at most N hits (default: 50)")
    p.add_argument("--language", metavar="CODE", help="only jobs in this language (ru: any Russian)")
    p.add_argument("--since", metavar="DATE", help="only jobs submitted on or after DATE (YYYY-MM-DD)")
    p.add_argument("--until", metavar="DATE", help="only jobs submitted on or before DATE")

    p = command(
        "jobs",
        with_service(commands.jobs),
        "list the jobs in the history",
        "List jobs, newest first, with their state and how long the service keeps a result not yet "
        "saved locally (RETENTION: 'saved' once it is).",
    )
    p.add_argument(
        "--state",
        action="append",
        choices=[state.value for state in JobState],
        help="only jobs in this state (repeatable)",
    )
    p.add_argument(
        "--all-profiles", action="store_true", help="jobs of every profile, not only the current one"
    )

    p = command(
        "show",
        with_service(commands.show),
        "show one job and its transcript",
        "Show a job (by number, operation id, or a unique prefix of one) and, when done, its transcript.",
    )
    p.add_argument("id", metavar="ID")

    p = command(
        "wait",
        with_service(commands.wait),
        "wait until jobs are finished",
        "Poll the service on the stored schedule, within the status-check budget, until the jobs are "
        "finished; every result is stored as soon as it is ready. With no ID, waits for every running job.",
    )
    p.add_argument("ids", nargs="*", metavar="ID")
    _timeout(p)

    p = command(
        "export",
        with_service(commands.export),
        "write a transcript as txt, json, srt, vtt, csv, tsv or md",
        "Render a stored result, with the corrections and names made in the UI; the service is not asked "
        "again. All channels are merged into one dialogue in time order with channel labels (or the names "
        "given them), unless --channel picks one. json is the whole stored result, the corrections and "
        "names beside it; csv and tsv have a row per phrase: start, end, channel or speaker, text; md is a "
        "readable text, a paragraph per phrase: [00:14:03] Anna: ….",
    )
    p.add_argument("id", metavar="ID")
    p.add_argument(
        "--format", "-f", choices=list(FORMATS), help="default: from -o's extension, else txt"
    )
    p.add_argument("-o", "--output", metavar="PATH", help="write to PATH instead of standard output")
    p.add_argument("--channel", type=int, metavar="N", help="only channel N (1 or 2)")
    p.add_argument(
        "--words",
        action="store_true",
        help="csv, tsv, json: a row per word (start, end, channel or speaker, phrase, word, timing); a "
        "corrected phrase's words share its time by their length (timing: spread)",
    )


def _workspace(command: AddCommand) -> None:
    """The transcript workspace: phrases, correct, name, voices."""
    p = command(
        "phrases",
        with_service(workspace.phrases),
        "a transcript phrase by phrase, numbered for correct",
        "Print a job's transcript phrase by phrase, numbered from 1: its start and end in the audio, its "
        "channel or speaker (by the name given it), and its text as corrected; ✎ marks a corrected phrase.",
    )
    p.add_argument("id", metavar="ID")

    p = command(
        "correct",
        with_service(workspace.correct),
        "correct a phrase of a transcript, or undo the correction",
        "Phrase N (as `stt-tui phrases` numbers it) reads TEXT from now on; the recognized text is kept, "
        "and an empty TEXT or --undo gives it back. Every output follows, as in the UI: the exports, the "
        "search and the transcripts written beside the audio (unless you changed them since). Prints the "
        "phrase as it now reads.",
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("number", type=int, metavar="N", help="the phrase, numbered from 1")
    p.add_argument("text", nargs="?", metavar="TEXT", help="its new text; - reads it from standard input")
    p.add_argument("--undo", action="store_true", help="the recognized text again")

    p = command(
        "name",
        with_service(workspace.name),
        "name a channel or speaker of a transcript",
        "Call channel (or speaker) TAG of a job NAME in every output, as in the UI: the exports and the "
        "transcripts written beside the audio. An empty NAME gives it its number again. Prints its "
        "phrases as they now read.",
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("tag", type=int, metavar="TAG", help="the channel or speaker number (1, 2, …)")
    p.add_argument("name", metavar="NAME", help="what to call it; '' for its number again")

    p = command(
        "voices",
        with_service(voices.voices),
        "list the voices remembered across recordings, or forget one",
        "A speaker you name (`a` in a transcript, or `stt-tui name`) is remembered by a print of its voice "
        "(never the audio), and shown by that name, marked as recognized by voice, in later jobs whose "
        "speakers are labeled while their audio is at hand. Lists each voice with the jobs it was named and "
        "recognized in and when it was last heard; `voices forget NAME` forgets one. Forgetting a job "
        "forgets what only it taught; remember_voices = false in config.toml turns it off.",
    )
    p.add_argument("action", nargs="?", choices=("forget",), help="forget the voice NAME")
    p.add_argument("name", nargs="?", metavar="NAME", help="the voice to forget")


def _managing(command: AddCommand) -> None:
    """Keeping the history and the setup: import, cancel, forget, profiles, paths."""
    p = command(
        "import",
        with_service(commands.import_),
        "add an operation started elsewhere, by its id",
        "Record an operation id started by another tool, check it once, and keep polling it with the rest.",
    )
    p.add_argument("id", metavar="OPERATION_ID")
    p.add_argument("--language", metavar="CODE", help="what it was submitted with, for the record")
    p.add_argument("--model", metavar="NAME", help="what it was submitted with, for the record")
    p.add_argument(
        "--api",
        choices=APIS,
        help="the API it was started with (default: the profile's; a finished one tells by itself)",
    )

    p = command(
        "cancel",
        with_service(commands.cancel),
        "ask the service to stop running jobs",
        "Ask the service to cancel running jobs. The service may finish a job anyway; whatever it "
        "answers is recorded.",
    )
    p.add_argument("ids", nargs="+", metavar="ID")

    p = command(
        "forget",
        with_service(commands.forget),
        "remove jobs and their stored results from the history",
        "Remove jobs from the history, with their stored results. A job still running is kept unless "
        "--force: its operation id would be lost.",
    )
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--force", action="store_true", help="forget running jobs too")

    p = command(
        "profiles",
        admin.profiles,
        "list the profiles and where their credentials come from",
        "List the profiles (the built-in `local` and `yandex`, and those in config.toml), their endpoints "
        "and bucket, and where each one's credentials come from; secrets themselves are never shown. "
        "With --template, print a commented config.toml to start from.",
    )
    p.add_argument("--template", action="store_true", help="print an example config.toml")

    command(
        "paths",
        admin.paths_command,
        "show where config, history and results live",
        "Show where stt-tui keeps its config, the history (with every stored result), audio prepared for "
        "the local engine, and the engine's data and log.",
    )


def _completion(command: AddCommand) -> None:
    """Shell completion, and the lists it reads from this machine."""
    p = command(
        "completion",
        completion.completion,
        "shell completion for bash, zsh or fish",
        'Print the completion script for a shell: eval "$(stt-tui completion bash)" in ~/.bashrc, the same '
        "with zsh in ~/.zshrc, or stt-tui completion fish | source in config.fish. Commands, options, "
        "languages, models and formats are completed, and job ids and profile names from this machine.",
    )
    p.add_argument("shell", nargs="?", choices=completion.SHELLS, metavar="SHELL", help="bash, zsh or fish")
    p.add_argument("--list", choices=("jobs", "profiles"), help=argparse.SUPPRESS)
