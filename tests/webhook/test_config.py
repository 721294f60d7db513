"""Configuration an operator can get wrong: the Digest switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from webhook import config


@pytest.mark.parametrize(
    ("value", "on"),
    [(None, True), ("on", True), ("off", False), ("OFF", False), (False, False), (0, False),
     (True, True), ("true", True), ("no", False)],
)  # fmt: skip
def test_digest_switch__parsed(value: Any, on: bool, tmp_path: Path):
    settings = {**config.DEFAULTS, **({} if value is None else {"DIGEST": value})}
    config.resolve(settings, str(tmp_path))
    assert settings["DIGEST"] is on


def test_digest_switch__nonsense__refused(tmp_path: Path):
    settings = {**config.DEFAULTS, "DIGEST": "maybe"}
    with pytest.raises(ValueError, match="VSSID_DIGEST"):
        config.resolve(settings, str(tmp_path))
