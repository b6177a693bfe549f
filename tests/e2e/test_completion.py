"""Shell completion written from the parser, tried in the real shells: bash (its completion function
called as bash calls it), zsh (loaded through bashcompinit) and fish (`complete -C`, which completes a
command line as the shell would). Job ids and profile names come from the history and the config."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stt_tui.history import History
from stt_tui.jobs.model import RequestOptions
from tests.support.homes import STT_TUI


@pytest.fixture
def home_with_jobs(tmp_path: Path) -> Path:
    """A home whose history holds two jobs and whose config adds a profile: what completion offers."""
    home = tmp_path / "home"
    history = History(home / "history.sqlite3")
    for name in ("a.wav", "b.wav"):
        job = history.add_submitting(profile="local", file_path=f"/audio/{name}", options=RequestOptions())
        history.mark_submitted(job.id, f"op{job.id:018d}", time.time(), time.time())
    history.close()
    (home / "config.toml").write_text('[profiles.meetings]\nkind = "local"\n')
    return home


def environment(home: Path) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"  # `stt-tui` as the shell finds it
    return {**os.environ, "STT_TUI_HOME": str(home), "PATH": path}


def script(home: Path, shell: str) -> str:
    env = environment(home)
    made = subprocess.run([STT_TUI, "completion", shell], capture_output=True, text=True, env=env)
    assert made.returncode == 0, made.stderr
    return made.stdout


def bash_completes(home: Path, tmp_path: Path, *words: str) -> list[str]:
    source = tmp_path / "completion.bash"
    source.write_text(script(home, "bash"))
    line = " ".join(f"'{w}'" for w in words)
    call = (
        f"source {source}; COMP_WORDS=({line}); COMP_CWORD=$((${{#COMP_WORDS[@]}}-1)); _stt_tui; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
    )
    done = subprocess.run(["bash", "-c", call], capture_output=True, text=True, env=environment(home))
    assert done.returncode == 0, done.stderr
    return [w for w in done.stdout.splitlines() if w]


def test_bash_completes_commands_options_values_job_ids_and_profiles(home_with_jobs, tmp_path):
    home = home_with_jobs
    assert bash_completes(home, tmp_path, "stt-tui", "se") == ["search", "serve"]
    assert bash_completes(home, tmp_path, "stt-tui", "show", "") == ["2", "1"]  # newest first
    assert bash_completes(home, tmp_path, "stt-tui", "ph") == ["phrases"]
    assert bash_completes(home, tmp_path, "stt-tui", "correct", "") == ["2", "1"]  # its first word: the job
    assert bash_completes(home, tmp_path, "stt-tui", "--profile", "") == ["local", "meetings", "yandex"]
    assert bash_completes(home, tmp_path, "stt-tui", "submit", "--lang") == ["--language"]
    assert bash_completes(home, tmp_path, "stt-tui", "submit", "--language", "kk") == ["kk-KZ"]
    assert bash_completes(home, tmp_path, "stt-tui", "export", "1", "--format", "t") == ["txt", "tsv"]
    assert bash_completes(home, tmp_path, "stt-tui", "engine", "") == ["status", "stop"]
    assert "--again" in bash_completes(home, tmp_path, "stt-tui", "submit", "--")
    assert "--again" not in bash_completes(home, tmp_path, "stt-tui", "watch", "--")  # its own options only


def test_fish_completes_the_same_from_its_own_script(home_with_jobs):
    home = home_with_jobs
    assert shutil.which("fish"), "fish is needed for this test (.ci/run installs it)"

    def complete(line: str) -> list[str]:
        call = f"stt-tui completion fish | source; complete -C {json.dumps(line)}"
        done = subprocess.run(["fish", "-c", call], capture_output=True, text=True, env=environment(home))
        assert done.returncode == 0, done.stderr
        return [w.split("\t")[0] for w in done.stdout.splitlines()]

    assert complete("stt-tui se") == ["search", "serve"]
    assert sorted(complete("stt-tui show ")) == ["1", "2"]
    assert complete("stt-tui submit --lang") == ["--language"]
    assert "meetings" in complete("stt-tui --profile ")
    assert complete("stt-tui completion ") == ["bash", "fish", "zsh"]


def test_zsh_takes_the_script_and_registers_it(home_with_jobs):
    home = home_with_jobs
    assert shutil.which("zsh"), "zsh is needed for this test (.ci/run installs it)"
    call = 'eval "$(stt-tui completion zsh)" && print -r -- ${_comps[stt-tui]}'
    done = subprocess.run(["zsh", "-c", call], capture_output=True, text=True, env=environment(home))
    assert done.returncode == 0, done.stderr
    assert "_bash_complete" in done.stdout and "_stt_tui" in done.stdout


# Profile names are data a config file (perhaps someone else's, copied) brings: none may run as code.
HOSTILE = ["p$(touch${IFS}ran)", "q`touch${IFS}ran`", "it's \"x\" y", "nl\nx"]


@pytest.fixture
def hostile_home(tmp_path: Path) -> Path:
    home = tmp_path / "hostile"
    home.mkdir()
    tables = "".join(f"[profiles.{json.dumps(name)}]\nkind = \"local\"\n" for name in HOSTILE)
    (home / "config.toml").write_text(tables)
    return home


def test_bash_completes_hostile_profile_names_as_they_are_and_runs_none(hostile_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert bash_completes(hostile_home, tmp_path, "stt-tui", "--profile", "p") == [HOSTILE[0]]
    assert bash_completes(hostile_home, tmp_path, "stt-tui", "--profile", '"it') == [HOSTILE[2]]
    everything = set(bash_completes(hostile_home, tmp_path, "stt-tui", "--profile", ""))
    assert {"local", "yandex", HOSTILE[0], HOSTILE[1], HOSTILE[2]} <= everything
    assert not (tmp_path / "ran").exists()


def test_bash_puts_a_hostile_name_on_the_line_quoted_as_the_shell_reads_it(hostile_home, tmp_path):
    """Tab in an interactive bash (tmux): the line it leaves, run, gives the name back as one argument."""
    from tests.support.terminal import Terminal

    source = tmp_path / "completion.bash"
    source.write_text(script(hostile_home, "bash"))
    env = environment(hostile_home)
    terminal = Terminal(f"stt-complete-{os.getpid()}")
    shell = f"cd {tmp_path} && env STT_TUI_HOME={hostile_home} PATH={env['PATH']} bash --norc --noprofile"
    try:
        terminal.start(200, 20, shell)
        terminal.keys(f"source {source}; PS1='ready$ '", "Enter")
        terminal.wait_for("ready$")
        for typed in ("p", "it", "q"):
            terminal.keys(f"stt-tui --profile {typed}", "Tab")
            terminal.wait_for("ready$", until=lambda screen: "\\" in screen.strip().splitlines()[-1])
            terminal.keys("C-a", "printf '<%s>\\n' ", "Enter")
        screen = terminal.wait_for("<q`touch${IFS}ran`>")
    finally:
        subprocess.run([*terminal.base, "kill-server"], capture_output=True, check=False)
    for name in HOSTILE[:3]:
        assert f"<{name}>" in screen
    assert not (tmp_path / "ran").exists()


def test_zsh_completes_hostile_profile_names_and_runs_none(hostile_home, tmp_path):
    assert shutil.which("zsh"), "zsh is needed for this test (.ci/run installs it)"
    # As zsh's bashcompinit calls a bash completion function: its compgen -F, with bash's variables set.
    call = (
        'eval "$(stt-tui completion zsh)"; words=(stt-tui --profile ""); CURRENT=3; '
        'COMP_WORDS=(stt-tui --profile ""); COMP_CWORD=2; compgen -F _stt_tui -- ""'
    )
    done = subprocess.run(
        ["zsh", "-c", call], capture_output=True, text=True, env=environment(hostile_home), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert {"local", HOSTILE[0], HOSTILE[1], HOSTILE[2]} <= set(done.stdout.splitlines())
    assert not (tmp_path / "ran").exists()


def test_fish_completes_hostile_profile_names_and_runs_none(hostile_home, tmp_path):
    assert shutil.which("fish"), "fish is needed for this test (.ci/run installs it)"
    call = "stt-tui completion fish | source; complete -C 'stt-tui --profile '"
    done = subprocess.run(
        ["fish", "-c", call], capture_output=True, text=True, env=environment(hostile_home), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert {"local", HOSTILE[0], HOSTILE[1], HOSTILE[2]} <= set(done.stdout.splitlines())
    assert not (tmp_path / "ran").exists()
