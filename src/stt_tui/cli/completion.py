"""`stt-tui completion bash|zsh|fish`: shell completion written from the parser itself, so every command
and option it knows is completed, and none it does not; job ids and profile names come from this
machine's history and config when a line is completed (`stt-tui completion --list jobs|profiles`)."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

from stt_tui.cli.output import EXIT_OK, EXIT_USER, err, out
from stt_tui.outputs.export import FORMATS
from stt_tui.shared.speechkit import LANGUAGES, MODELS, V3_MODELS

SHELLS = ("bash", "zsh", "fish")
# What an option's value is, by the option: completed from the machine, from a list, or as a path.
DYNAMIC = {"--profile": "profiles"}
LISTS = {"--language": LANGUAGES, "--model": tuple(dict.fromkeys((*MODELS, *V3_MODELS))), "--format": FORMATS}
PATHS = {"DIR", "PATH", "FILE", "PEM", "FOLDER", "FILE_OR_FOLDER", "KEY"}


@dataclass
class Command:
    """One command as completion sees it."""

    name: str
    help: str
    flags: list[str] = field(default_factory=list)  # options that take no value
    valued: dict[str, str] = field(default_factory=dict)  # option -> what its value is
    positional: str = ""  # "jobs", "files", "actions:<names>" or "" (words)


def _kind(action: argparse.Action) -> str:
    option = action.option_strings[-1] if action.option_strings else ""
    long = next((o for o in action.option_strings if o.startswith("--")), option)
    if long in DYNAMIC:
        return DYNAMIC[long]
    if action.choices:
        return "list:" + " ".join(map(str, action.choices))
    if long in LISTS:
        return "list:" + " ".join(LISTS[long])
    return "files" if str(action.metavar) in PATHS else "other"


def commands(parser: argparse.ArgumentParser) -> list[Command]:
    """The top level (name "") and every command, with their options (pure)."""
    found = []
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {c.dest: c.help or "" for s in subparsers for c in s._choices_actions}
    parsers = [("", parser, "")]
    parsers += [(n, p, helps.get(n, "")) for s in subparsers for n, p in s.choices.items()]
    for name, sub, text in parsers:
        command = Command(name, text)
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                command.positional = "actions:" + " ".join(action.choices)
            elif not action.option_strings:
                if command.positional:
                    continue  # the first word after the command is the one completed (a job, a file)
                metavar = str(action.metavar)
                command.positional = "jobs" if metavar == "ID" else "files" if metavar in PATHS else ""
                if action.choices:
                    command.positional = "list:" + " ".join(map(str, action.choices))
            elif action.help != argparse.SUPPRESS or name:
                if action.nargs == 0:
                    command.flags += action.option_strings
                else:
                    command.valued.update({o: _kind(action) for o in action.option_strings})
        found.append(command)
    return found


def _bash_values(kind: str) -> str:
    """What completes a value of this kind (bash and zsh): a fixed list of words, or this machine's names.

    Names from the machine (a profile in config.toml) are data: `compgen -W` expands its word list again,
    so they are read NUL by NUL and matched by `_stt_tui_listed`, never seen by the shell's parser.
    """
    if kind in ("jobs", "profiles"):
        return f"_stt_tui_listed {kind}"
    words = kind.split(":", 1)[1] if ":" in kind else ""
    return f'COMPREPLY=($(compgen -W "{words}" -- "$cur"))'


def bash(parser: argparse.ArgumentParser) -> str:
    """A bash completion function (zsh runs it through bashcompinit)."""
    cmds = commands(parser)
    names = " ".join(c.name for c in cmds if c.name)
    valued: dict[str, str] = {}
    for c in cmds:
        valued.update(c.valued)
    values = []
    for option, kind in sorted(valued.items()):
        if kind == "files":
            values.append(f'    {option}) COMPREPLY=($(compgen -f -- "$cur")); return;;')
        elif kind != "other":
            values.append(f"    {option}) {_bash_values(kind)}; return;;")
    cases = []
    for c in cmds:
        options = " ".join(c.flags + sorted(c.valued))
        if not c.name:  # the top level: a command, or the folder the UI opens on
            rest = f'COMPREPLY=($(compgen -W "{names}" -- "$cur") $(compgen -d -- "$cur"))'
        elif c.positional == "files":
            rest = 'COMPREPLY=($(compgen -f -- "$cur"))'
        elif c.positional:
            rest = _bash_values(c.positional)
        else:
            rest = "COMPREPLY=()"
        cases.append(
            f'    "{c.name}") if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "{options}" -- "$cur")); '
            f"else {rest}; fi;;"
        )
    return "\n".join([
        "# stt-tui completion for bash: eval \"$(stt-tui completion bash)\" (in ~/.bashrc)",
        "_stt_tui_listed() {",
        # What was typed, as the shell would read it (a leading quote, backslashes); the names that begin
        # with it are the answers. Bash gets them quoted by printf %q: -o filenames leaves `$` and `)`
        # bare, which makes a line that does not parse. zsh (no compopt) quotes them itself.
        "    local name typed quote=",
        "    typed=${cur#[\\\"\\\']}",
        '    typed="${typed//\\\\/}"',
        "    compopt +o filenames 2>/dev/null && quote=1",
        "    COMPREPLY=()",
        "    while IFS= read -r -d '' name; do",
        '        [[ $name == "$typed"* ]] || continue',
        '        [[ -n $quote ]] && printf -v name %q "$name"',
        '        COMPREPLY+=("$name")',
        "    done < <(stt-tui completion --list \"$1\" 2>/dev/null)",
        "}",
        "_stt_tui() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" cmd="" i',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        f'        case "${{COMP_WORDS[i]}}" in {names.replace(" ", "|")})',
        '            cmd="${COMP_WORDS[i]}"; break;;',
        "        esac",
        "    done",
        '    case "$prev" in',
        *values,
        "    esac",
        '    case "$cmd" in',
        *cases,
        "    esac",
        "}",
        "complete -o filenames -F _stt_tui stt-tui",
        "",
    ])  # fmt: skip


def zsh(parser: argparse.ArgumentParser) -> str:
    return (
        "# stt-tui completion for zsh: eval \"$(stt-tui completion zsh)\" (in ~/.zshrc)\n"
        "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
        + bash(parser).split("\n", 1)[1]
    )


def _fish_value(kind: str) -> str:
    if kind in ("jobs", "profiles"):  # fish takes a substitution's output as words, never as code
        return f"-x -a '(stt-tui completion --list {kind} 2>/dev/null | string split0)'"
    if ":" in kind:
        return f"-x -a '{kind.split(':', 1)[1]}'"
    return "-r -F" if kind == "files" else "-x"


def fish(parser: argparse.ArgumentParser) -> str:
    cmds = commands(parser)
    lines = ["# stt-tui completion for fish: stt-tui completion fish | source (in config.fish)",
             "complete -c stt-tui -f"]  # fmt: skip
    for c in cmds:
        when = "__fish_use_subcommand" if not c.name else f"__fish_seen_subcommand_from {c.name}"
        if c.name:
            text = c.help.replace("'", "\\'")
            lines.append(f"complete -c stt-tui -n '__fish_use_subcommand' -a {c.name} -d '{text}'")
        for option in c.flags + sorted(c.valued):
            flag = f"-l {option[2:]}" if option.startswith("--") else f"-s {option[1:]}"
            value = _fish_value(c.valued[option]) if option in c.valued else ""
            lines.append(f"complete -c stt-tui -n '{when}' {flag} {value}".rstrip())
        if c.name and c.positional:
            lines.append(f"complete -c stt-tui -n '{when}' {_fish_value(c.positional)}")
    return "\n".join(lines) + "\n"


def listing(what: str, args: argparse.Namespace) -> list[str]:
    """The job ids (newest first) or the profile names of this machine, for a line being completed."""
    from stt_tui.settings.config import load_config
    from stt_tui.shared.paths import resolve_paths

    paths = resolve_paths(getattr(args, "home", None))
    if what == "profiles":
        return sorted(load_config(paths.config_dir).profiles)
    from stt_tui.service.lookup import newest_ids

    return [str(i) for i in newest_ids(paths, 200)]


def completion(args: argparse.Namespace) -> int:
    if args.list:
        try:
            names = listing(args.list, args)
        except Exception:  # noqa: BLE001  (a line being completed: no traceback, no words; never a failure)
            return EXIT_OK
        if sys.stdout.isatty():  # a person looking: a name a line, nothing that moves the terminal
            out("\n".join(names))
        else:  # the shell's completion: each name as it is, ended by NUL, the one byte no name holds
            sys.stdout.write("".join(f"{name}\0" for name in names))
        return EXIT_OK
    if args.shell not in SHELLS:
        err(f"Give the shell to complete for: {', '.join(SHELLS)}.")
        return EXIT_USER
    out({"bash": bash, "zsh": zsh, "fish": fish}[args.shell](args.grammar), end="")
    return EXIT_OK
