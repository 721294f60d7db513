"""Fixtures of the dashboard tests: the hand-computed campaign of ``scenario`` and
signed-in browsers for each role. CSRF protection stays on, as in production: the tests
post the token from the page, as a browser does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

from tests.dashboard import scenario


@pytest.fixture
def campaign(
    published: Any, client: FlaskClient, runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    scenario.load(client, runner, session, tmp_path)


@pytest.fixture
def campaigns(
    campaign: None, client: FlaskClient, runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    """The scenario's VssID campaign, and its VNeID and residents' outreach campaigns."""
    scenario.load_others(client, runner, session, tmp_path)


@pytest.fixture
def signed_in(app: Flask, campaign: None) -> Callable[[str], FlaskClient]:
    """A new browser signed in as the given user."""

    def open_as(username: str) -> FlaskClient:
        browser = app.test_client()
        response = scenario.sign_in(browser, username)
        assert response.status_code == 302, response.text
        return browser

    return open_as
