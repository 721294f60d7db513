"""Configuration an operator can get wrong: a weak secret key, the Digest switch."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from webhook import config, create_app


def build(database_url: str, tmp_path: Path, **settings: Any) -> Any:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url,
                      "MEDIA_DIR": str(tmp_path / "media"), **settings})  # fmt: skip
    app.extensions["vssid.db"].engine.dispose()
    return app


@pytest.mark.parametrize("key", ["x", "change-me", "test-secret", "a" * 64, "abcabcabc" * 5])
def test_weak_secret_key__warned_at_start(
    engine: Engine, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, key: str
):
    with caplog.at_level(logging.WARNING, logger="webhook"):
        build(database_url, tmp_path, SECRET_KEY=key)
    warned = [r for r in caplog.records if "VSSID_SECRET_KEY" in r.getMessage()]
    assert len(warned) == 1 and warned[0].levelno == logging.WARNING
    assert len(key) < 4 or key not in warned[0].getMessage()  # the key is never logged


@pytest.mark.parametrize(
    "key", ["0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978", "Tk9-xq2_Lm8vR4wZ0pN7sB3yHc6eJ1fD"]
)
def test_strong_secret_key__no_warning(
    engine: Engine, database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture, key: str
):
    with caplog.at_level(logging.WARNING, logger="webhook"):
        build(database_url, tmp_path, SECRET_KEY=key)
    assert not [r for r in caplog.records if "VSSID_SECRET_KEY" in r.getMessage()]


def test_generated_secret_key__strong(tmp_path: Path):
    settings = dict(config.DEFAULTS)
    config.resolve(settings, str(tmp_path))
    assert config.weak_secret(settings["SECRET_KEY"]) is None


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
