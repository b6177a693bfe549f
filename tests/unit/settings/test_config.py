"""config.toml read: a file that is not UTF-8 is one sentence."""

from __future__ import annotations

import pytest

from stt_tui.settings.config import ConfigError, load_config


def test_a_config_that_is_not_utf8_is_one_sentence(tmp_path):
    (tmp_path / "config.toml").write_bytes(b'default_profile = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(tmp_path)
