"""``vssid selfreport link|list|revoke``: the URL alone on the last line, refused without a
server address, listed with its state, revoked for good."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.selfreport.conftest import UNIT


def test_link__url_on_last_line__opens_the_page(
    runner: FlaskCliRunner, client: FlaskClient, rostered: None
):
    result = runner.invoke(
        args=["selfreport", "link", "--campaign", "vssid", "--unit", UNIT, "--days", "7",
              "--server-url", "https://vssid.example.vn/"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    url = result.output.splitlines()[-1]
    assert url.startswith("https://vssid.example.vn/s/") and len(url.rsplit("/", 1)[1]) >= 43
    assert client.get(url.removeprefix("https://vssid.example.vn")).status_code == 200


def test_link__public_url_by_default__refused_without_one(
    app: Flask, runner: FlaskCliRunner, rostered: None
):
    refused = runner.invoke(args=["selfreport", "link", "--unit", UNIT])
    assert refused.exit_code == 2 and "VSSID_PUBLIC_URL" in refused.output
    app.config["PUBLIC_URL"] = "http://10.0.0.5:8000"
    made = runner.invoke(args=["selfreport", "link", "--unit", UNIT])
    assert made.exit_code == 0 and made.output.splitlines()[-1].startswith(
        "http://10.0.0.5:8000/s/"
    )


def test_link__unknown_unit_or_campaign_without_form__clear_error(
    runner: FlaskCliRunner, rostered: None
):
    unit = runner.invoke(args=["selfreport", "link", "--unit", "99999", "--server-url", "http://x"])
    assert unit.exit_code == 1 and "unit.not_found" in unit.output
    vneid = runner.invoke(
        args=[
            "selfreport",
            "link",
            "--campaign",
            "vneid",
            "--unit",
            UNIT,
            "--server-url",
            "http://x",
        ]
    )
    assert vneid.exit_code == 1 and "selfreport.no_form" in vneid.output


def test_list_and_revoke(runner: FlaskCliRunner, client: FlaskClient, rostered: None):
    made = runner.invoke(args=["selfreport", "link", "--unit", UNIT, "--server-url", "http://h"])
    path = made.output.splitlines()[-1].removeprefix("http://h")
    listed = runner.invoke(args=["selfreport", "list"]).output.splitlines()
    assert len(listed) == 1 and listed[0].split("\t")[1:4] == ["active", "vssid", UNIT]
    link_id = listed[0].split("\t")[0]
    assert runner.invoke(args=["selfreport", "revoke", link_id]).exit_code == 0
    assert runner.invoke(args=["selfreport", "list"]).output.split("\t")[1] == "revoked"
    assert client.get(path).status_code == 410
    assert runner.invoke(args=["selfreport", "revoke", "999"]).exit_code == 1
