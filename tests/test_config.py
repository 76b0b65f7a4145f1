"""`.ctxlens.toml` parsing: values of the wrong kind are clear errors."""

from __future__ import annotations

import pytest

from ctxlens.config import ConfigError, parse_config


def test_clone_settings_are_read() -> None:
    config = parse_config({"clones": {"threshold": 0.9, "min_tokens": 30,
                                      "exclude": ["gen/*"], "fragments": False}})
    assert config.clones.threshold == 0.9 and config.clones.min_tokens == 30
    assert config.clones.exclude == ("gen/*",) and config.clones.fragments is False


@pytest.mark.parametrize("table, message", [
    ({"clones": {"threshold": True}}, "'threshold' must be int or float"),
    ({"clones": {"min_tokens": True}}, "'min_tokens' must be int"),
    ({"clones": {"threshold": 1.5}}, "must be in (0, 1]"),
    ({"clones": {"speed": 3}}, "unknown setting(s) speed"),
    ({"scan": {"max_file_bytes": False}}, "'max_file_bytes' must be int"),
    ({"colour": "blue"}, "unknown setting(s) colour"),
])
def test_wrong_values_are_clear_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(table)
    assert message in str(err.value)
