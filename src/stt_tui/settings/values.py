"""Reading config.toml's values: each checked against what it must be, a wrong one said in one sentence
that names where it is."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from stt_tui.outputs.subtitles import NETFLIX, SubtitleLimits

T = TypeVar("T")


class ConfigError(Exception):
    """The configuration is wrong or incomplete; the message says what to fix."""


_KIND_NAMES: dict[type, str] = {
    int: "a whole number",
    float: "a number",
    str: "a string",
    bool: "true or false",
    dict: "a table",
}


def expect(value: object, kind: type[T], where: str) -> T:
    """`value` as `kind` (an integer is a fine float); ConfigError naming `where` otherwise."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # type: ignore[return-value]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{where} must be {_KIND_NAMES[kind]}, not {value!r}.")
    return value


def unknown(keys: set[str], allowed: set[str], where: str) -> None:
    """ConfigError for the first key that is not a setting of `where` (a typo is never ignored)."""
    extra = sorted(keys - allowed)
    if extra:
        raise ConfigError(f"Unknown setting {extra[0]!r} in {where}; known: {', '.join(sorted(allowed))}.")


def positive_numbers(table: dict[str, Any], kinds: Mapping[str, type], where: str) -> dict[str, Any]:
    """A table of numbers, each of its kind (int or float) and above zero."""
    unknown(set(table), set(kinds), where)
    numbers: dict[str, Any] = {}
    for key, value in table.items():
        numbers[key] = expect(value, kinds[key], f"{where}.{key}")
        if numbers[key] <= 0:
            raise ConfigError(f"{where}.{key} must be positive, not {value!r}.")
    return numbers


def subtitle_limits(table: dict[str, Any], where: str) -> SubtitleLimits:
    """The `[subtitles]` limits: each a positive number; lines 1 to 3; the minimum time under the maximum."""
    kinds = {f.name: int if f.name in ("line_chars", "lines") else float for f in dataclasses.fields(NETFLIX)}
    limits = dataclasses.replace(NETFLIX, **positive_numbers(table, kinds, where))
    if limits.lines > 3:
        raise ConfigError(f"{where}.lines must be 1, 2 or 3, not {limits.lines}.")
    if limits.min_seconds > limits.max_seconds:
        shortest, longest = limits.min_seconds, limits.max_seconds
        raise ConfigError(f"{where}.min_seconds ({shortest:g}) must not exceed max_seconds ({longest:g}).")
    return limits
