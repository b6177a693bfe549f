"""User data is never read as markup: "talk [draft].wav" keeps its "[draft]", and "[/]" typed in a
search does not raise. Textual and Rich parse every plain str given to a Static, a Label, an
OptionList, a border title, a Rich table cell or a notification as markup, so each such place must
say it is plain."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from stt_tui.tui.screens.help import HelpScreen
from stt_tui.tui.screens.submit import SubmitScreen
from stt_tui.tui.screens.transcript import TranscriptScreen
from tests.support.audio_helpers import clip
from tests.support.histories import stored
from tests.support.tui_helpers import make_app, screen_text
from tests.support.waiting import wait_for

TUI = Path(__file__).resolve().parents[2] / "src" / "stt_tui" / "tui"
RENDERABLES = {"Text", "Content", "Syntax", "Table"}  # never parsed as markup, unlike a str


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def renderable_makers(sources: list[str]) -> set[str]:
    """The functions annotated to return a renderable rather than a str (pure)."""
    return RENDERABLES | {
        node.name
        for source in sources
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef) and isinstance(node.returns, ast.Name)
        and node.returns.id in RENDERABLES
    }


def markup_risks(source: str, makers: set[str] = RENDERABLES) -> list[int]:
    """Lines where a str that may hold user data would be parsed as markup (pure)."""

    def _plain(node: ast.expr) -> bool:
        """A literal, or a renderable: nothing user data could turn into markup."""
        return isinstance(node, ast.Constant) or (isinstance(node, ast.Call) and _name(node.func) in makers)

    risks = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name, kw = _name(node.func), {k.arg: k.value for k in node.keywords}
            if name in {"Static", "Label"}:
                # A widget with an id may be updated later with anything; one without is its literal.
                fixed = "id" not in kw and bool(node.args) and _plain(node.args[0])
                if not (fixed or _is_false(kw.get("markup"))):
                    risks.append(node.lineno)
            elif name == "OptionList":
                if not _is_false(kw.get("markup")):
                    risks.append(node.lineno)
            elif name == "add_row" and not all(_plain(arg) for arg in node.args):
                risks.append(node.lineno)
        elif isinstance(node, ast.Assign):
            titles = [t for t in node.targets if isinstance(t, ast.Attribute)
                      and t.attr in {"border_title", "border_subtitle"}]
            if titles and not _plain(node.value):
                risks.append(node.lineno)
    return sorted(risks)


def test_the_markup_check_finds_each_kind_of_risk():
    risky = (
        "Static(name)\nLabel(f'{x}')\nStatic('', id='note')\nOptionList(id='hits')\n"
        "table.add_row(name, Text(x))\nself.border_title = path\nrow.add_row(*cells)\nStatic(label(x))\n"
    )
    assert markup_risks(risky) == [1, 2, 3, 4, 5, 6, 7, 8]
    safe = (
        "Static(name, markup=False)\nLabel('[b]Title[/b]')\nStatic(Text(x), classes='t')\n"
        "OptionList(markup=False)\ntable.add_row('a', Text(x))\nself.border_title = Content(path)\n"
        "Static(label(x))\n"
    )
    makers = renderable_makers(["def label(x: str) -> Text: ...\ndef name(x: str) -> str: ..."])
    assert markup_risks(safe, makers) == []
    assert "name" not in makers


def test_no_user_data_reaches_markup_in_the_tui():
    sources = {str(path.relative_to(TUI)): path.read_text() for path in sorted(TUI.rglob("*.py"))}
    makers = renderable_makers(list(sources.values()))
    assert {"utterance_text", "hit_text", "totals_table"} <= makers
    risks = {name: lines for name, source in sources.items() if (lines := markup_risks(source, makers))}
    assert risks == {}


@pytest.fixture
def bracketed(tmp_path: Path) -> Path:
    """A clip whose name looks like markup, alone in its folder."""
    target = tmp_path / "rec [1]" / "talk [draft] [b].wav"
    target.parent.mkdir()
    shutil.copy(clip("ps_cards_001.wav").path, target)
    return target


async def test_a_file_named_like_markup_reads_as_it_is_named(home, bracketed):
    job_id = stored(home, str(bracketed))
    app = make_app(home, bracketed.parent)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.service is not None, what="the history")
        await wait_for(pilot, lambda: app.service.history.index_counts() == (1, 1), what="the index")
        await wait_for(pilot, lambda: bracketed.name in screen_text(app), what="the file in the browser")
        app.main.notify(f"Watch: sent {bracketed.name}.")  # as a pane tells of a file
        await wait_for(pilot, lambda: f"sent {bracketed.name}" in screen_text(app), what="the notification")
        app.clear_notifications()

        app.main.browser.focus()
        await pilot.press("j", "s")  # the file, then submit
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        assert f"1 file: {bracketed.name}" in screen_text(app)
        await pilot.press("escape")

        await pilot.press("question_mark")  # the binding ids config.toml's [keymap] remaps
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        assert "[files.mark]" in screen_text(app)  # the first section: where ? was pressed
        await pilot.press("escape")

        app.main.jobs.focus()
        await pilot.press("slash", *"[/]", "enter")  # the filter is shown in the list's title
        await wait_for(pilot, lambda: "of 1: '[/]'" in screen_text(app), what="the filter in the title")
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: app.main.jobs.row_count == 1, what="the job again")

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        assert app.screen.job.id == job_id
        assert bracketed.name in screen_text(app)
        await pilot.press("slash", *"[/]")  # the title says what is looked for
        titled = lambda: "0 matches for '[/]'" in screen_text(app)  # noqa: E731
        await wait_for(pilot, titled, what="the search in the title")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "No phrase contains '[/]'." in screen_text(app), what="no match said")


async def test_a_file_named_with_terminal_sequences_is_shown_escaped_on_every_screen(home, tmp_path):
    """A name holding ESC, BEL and a newline: the browser, the file panel, the submit dialog, the job list,
    the transcript and the details show it escaped; written as it is, it coloured the screen, set the
    terminal's title and split the dialog's line."""
    from stt_tui.tui.screens.details import DetailsScreen

    hostile = "esc\x1b[31mRED\x1b]0;TITLE\x07 new\nline.wav"
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(clip("ps_cards_001.wav").path, folder / hostile)
    stored(home, hostile, folder)
    app = make_app(home, folder)
    seen: list[str] = []

    def raw() -> bool:
        seen.append(screen_text(app))
        return any(c in seen[-1] for c in "\x1b\x07")

    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.main.jobs.row_count == 1, what="the job")
        app.main.browser.focus()
        await pilot.press("j")
        await wait_for(pilot, lambda: "RED" in screen_text(app), what="the file in the browser")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SubmitScreen), what="the submit dialog")
        await wait_for(pilot, lambda: "1 file: esc\\x1b[31mRED" in screen_text(app), what="the name escaped")
        assert not raw()
        await pilot.press("escape")
        app.main.jobs.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, TranscriptScreen), what="the transcript")
        await wait_for(pilot, lambda: "RED" in screen_text(app), what="the name in its title")
        assert not raw()
        await pilot.press("escape", "i")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailsScreen), what="the details")
        await wait_for(pilot, lambda: "RED" in screen_text(app), what="the name in the details")
        assert not raw()
        assert all("\\x1b[31mRED" in text for text in seen)
