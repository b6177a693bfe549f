"""Text a person or the service wrote, made literal in each export format by that format's own rules.

Corrections and names come from anyone who can reach the service, so none of them may become markup,
a formula, a cue or a line of its own:

- every format but json: a control character (other than a tab, LF or CR) or a lone surrogate (a name
  that was not UTF-8) shows as U+FFFD; a terminal that prints an export runs nothing from it.
- txt, srt, vtt, md: a phrase or a name is one line; its line breaks show as spaces (a blank line would
  end a cue or a paragraph, a line of its own could pass for another speaker's).
- vtt: `&`, `<` and `>` as `&amp;`, `&lt;`, `&gt;` in cue text and in the voice's name (WebVTT §4.2.2),
  which also keeps `-->` out of a cue.
- srt has no escapes: a WORD JOINER (U+2060, invisible, no line break) goes after `--` before `>`, after
  `<` and after `{` before `\\`, so no arrow, HTML-like tag nor override tag is read from the text.
- md: CommonMark's backslash escapes before every character that can start markup inline.
- csv, tsv: a cell that starts with `=`, `+`, `-`, `@`, a tab or a CR gets a `'` before it (OWASP, CSV
  injection), so a spreadsheet shows it as text instead of running it; times stay numbers. A CR is a LF
  there (the cell is quoted then), and a cell that starts with a LF gets its `'` too.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
WORD_JOINER = "\u2060"

# C0 and C1 controls, DEL and lone surrogates; tab, LF and CR are dealt with by each format.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# What str.splitlines breaks at: a reader of any of these formats may take it for a new line.
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_SRT_MARKUP = re.compile(r"(--)(?=>)|(<)|(\{)(?=\\)")
_MD_INLINE = re.compile(r"([\\`*_\[\]<>&!~|#$^])")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")  # OWASP's, and LF that a CR became


def visible(text: str) -> str:
    """`text` with no control character but tabs and line breaks, and nothing that is not UTF-8."""
    return _CONTROLS.sub(REPLACEMENT, text)


def one_line(text: str) -> str:
    """`text` visible, its line breaks as spaces."""
    return visible(_LINE_BREAKS.sub(" ", text))


def vtt_text(text: str) -> str:
    """Cue text or a voice's name, literal in WebVTT."""
    return one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def srt_text(text: str) -> str:
    """Cue text literal in SubRip: one line, no arrow, no tag."""
    return _SRT_MARKUP.sub(lambda m: m.group(0) + WORD_JOINER, one_line(text))


def md_text(text: str) -> str:
    """Text within a Markdown paragraph, shown as it is by a CommonMark renderer."""
    return _MD_INLINE.sub(r"\\\1", one_line(text))


def cell(text: str) -> str:
    """A csv or tsv cell of text, which a spreadsheet shows and never evaluates."""
    # A lone CR would end the row for some readers: the csv writer quotes a cell for LF, not for CR.
    text = visible(text).replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if text.startswith(FORMULA_STARTS) else text
