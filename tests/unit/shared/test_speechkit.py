"""The service's own vocabulary: languages and models it knows, refused up front otherwise."""

from __future__ import annotations

from stt_tui.shared.speechkit import options_problem


def test_options_the_service_does_not_know_are_refused_up_front():
    assert options_problem("en-US", "general") is None
    assert options_problem("EN-us", "general") is None
    assert "not one the service knows" in (options_problem("xx-YY", "general") or "")
    assert "not one the service offers" in (options_problem("en-US", "foo") or "")
    assert "general:rc" in (options_problem("pt-BR", "general") or "")
