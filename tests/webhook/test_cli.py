"""The ``vssid`` command line, through Flask's CLI runner on the test app."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from flask.testing import FlaskCliRunner
from openpyxl import Workbook
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ingest import forms
from ingest.models import Form, FormVersion, Unit, User
from ingest.registry import accounts
from tests.conftest import DEFAULT_UNITS
from webhook import migrate

NEW_PASSWORD = "mật-khẩu-dài-1"


def write_xlsform(
    path: Path, survey: list[tuple[str, str, str]], form_id: str, version: str = "2024010101"
) -> Path:
    """A one-sheet-per-table XLSForm written with openpyxl, as an office would save it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    for row in survey:
        sheet.append(list(row))
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append([form_id, version, form_id.replace("_", " ").title()])
    workbook.save(path)
    return path


def units_file(tmp_path: Path, content: str, name: str = "units.csv") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_db_upgrade__already_migrated__exits_0_at_head(
    runner: FlaskCliRunner, app: Flask, session: Session
):
    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert "Database at head." in result.stdout
    engine = app.extensions["vssid.db"].engine
    head = ScriptDirectory.from_config(migrate.alembic_config(engine)).get_current_head()
    assert session.scalar(text("SELECT version_num FROM alembic_version")) == head


def test_units_import__good_and_bad_rows__counts_and_one_line_per_rejected_row(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
):
    path = units_file(
        tmp_path,
        "code,name_vi,kind,parent\n"
        "27184,Phường 1,ward,\n"
        ",Phường 2,ward,\n"
        "27193,Phường 4,ward,\n"
        "27199,Phường 5,village,\n",
    )

    result = runner.invoke(args=["units", "import", str(path)])

    assert result.exit_code == 0, result.output
    assert "units.csv: 2 added, 0 updated, 0 unchanged, 2 rejected" in result.stdout
    rejected = [line for line in result.stdout.splitlines() if line.startswith("  dòng (row)")]
    assert len(rejected) == 2
    assert rejected[0].startswith("  dòng (row) 3: ")
    assert "code is empty" in rejected[0]
    assert rejected[1].startswith("  dòng (row) 5: ")
    assert "village" in rejected[1]
    assert sorted(session.scalars(select(Unit.code))) == ["27184", "27193"]


def test_units_import__shipped_units_twice__48_added_then_48_unchanged(runner: FlaskCliRunner):
    path = str(DEFAULT_UNITS)

    first = runner.invoke(args=["units", "import", path])
    second = runner.invoke(args=["units", "import", path])

    assert first.exit_code == 0, first.output
    assert "48 added, 0 updated, 0 unchanged, 0 rejected" in first.stdout
    assert second.exit_code == 0, second.output
    assert "0 added, 0 updated, 48 unchanged, 0 rejected" in second.stdout


def test_units_import__kind_column_missing__fails_in_vietnamese_and_english(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
):
    path = units_file(tmp_path, "code,name_vi\n27184,Phường 1\n")

    result = runner.invoke(args=["units", "import", str(path)])

    assert result.exit_code == 1
    assert "Lỗi: Tệp 'units.csv' thiếu cột: kind." in result.stderr
    assert (
        "Error [file.columns_missing]: The file 'units.csv' lacks the columns: kind."
        in result.stderr
    )
    assert session.scalars(select(Unit)).all() == []


def test_units_import__not_an_xlsx__fails_unreadable(runner: FlaskCliRunner, tmp_path: Path):
    path = units_file(tmp_path, "code,name_vi,kind\n", name="units.xlsx")

    result = runner.invoke(args=["units", "import", str(path)])

    assert result.exit_code == 1
    assert "[file.unreadable]" in result.stderr


def test_units_import__no_such_file__usage_error(runner: FlaskCliRunner, tmp_path: Path):
    result = runner.invoke(args=["units", "import", str(tmp_path / "khong_co.csv")])

    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_forms_publish__good_broken_and_changed_forms__reports_each_and_exits_1(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
):
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    original = forms.compile_xlsform(
        write_xlsform(earlier / "changed.xlsx", [("text", "name", "Họ và tên")], "changed")
    )
    forms.publish(session, original, earlier)
    session.commit()
    folder = tmp_path / "forms"
    folder.mkdir()
    write_xlsform(folder / "a_good.xlsx", [("image", "photo", "Ảnh")], "good")
    write_xlsform(folder / "b_broken.xlsx", [("bogus_type", "q1", "Câu hỏi")], "broken")
    write_xlsform(folder / "c_changed.xlsx", [("text", "name", "Tên đầy đủ")], "changed")
    (folder / "~$a_good.xlsx").write_bytes(b"lock")

    result = runner.invoke(args=["forms", "publish", "--dir", str(folder)])

    assert result.exit_code == 1
    out = result.stdout.splitlines()
    assert out[0] == "✓ a_good.xlsx: good v2024010101 new"
    assert out[1].startswith("  warning: ")
    assert "max-pixels" in out[1]
    assert "~$" not in result.output
    err = result.stderr
    assert "✗ b_broken.xlsx: [xlsform.invalid]" in err
    assert "bogus_type" in err
    assert "✗ c_changed.xlsx: [form.version_changed]" in err
    assert "Form 'changed' version 2024010101 was already published" in err
    session.expire_all()
    assert session.get(Form, "good") is not None
    assert session.get(Form, "broken") is None
    [stored] = session.scalars(select(FormVersion).where(FormVersion.form_id == "changed"))
    assert stored.xml == original.xml


def test_forms_publish__real_forms_twice__new_then_unchanged(runner: FlaskCliRunner):
    first = runner.invoke(args=["forms", "publish"])
    second = runner.invoke(args=["forms", "publish"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    for form_id in ("vssid_install", "vssid_unit_report"):
        [new] = [line for line in first.stdout.splitlines() if line.startswith(f"✓ {form_id}.")]
        assert " new, media: units.csv" in new
        [again] = [line for line in second.stdout.splitlines() if line.startswith(f"✓ {form_id}.")]
        assert again.endswith(" unchanged")
    assert second.stderr == ""


def test_forms_publish__no_such_folder__fails(runner: FlaskCliRunner, tmp_path: Path):
    result = runner.invoke(args=["forms", "publish", "--dir", str(tmp_path / "khong_co")])

    assert result.exit_code == 1
    assert "khong_co" in result.output


def test_users_add__password_from_stdin__account_created(runner: FlaskCliRunner, session: Session):
    result = runner.invoke(
        args=["users", "add", "thu.nguyen", "--role", "collector", "--password-stdin"],
        input=f"{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Account 'thu.nguyen' (collector) created." in result.stdout
    user = session.scalar(select(User).where(User.username == "thu.nguyen"))
    assert user is not None
    assert user.role == "collector"
    assert accounts.check_password(user, NEW_PASSWORD)
    assert NEW_PASSWORD not in result.output


def test_users_add__password_prompted__account_created(runner: FlaskCliRunner, session: Session):
    result = runner.invoke(
        args=["users", "add", "admin.q10", "--role", "admin"],
        input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.username == "admin.q10"))
    assert user is not None
    assert accounts.check_password(user, NEW_PASSWORD)


def test_users_add__unit_role_with_unit__linked(
    runner: FlaskCliRunner, session: Session, default_units: object
):
    result = runner.invoke(
        args=["users", "add", "phuong1", "--role", "unit", "--unit", "27184", "--password-stdin"],
        input=f"{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.scalar(select(User.unit_code).where(User.username == "phuong1")) == "27184"


def test_users_add__duplicate__exits_1_with_user_exists(runner: FlaskCliRunner, session: Session):
    args = ["users", "add", "thu.nguyen", "--role", "collector", "--password-stdin"]
    runner.invoke(args=args, input=f"{NEW_PASSWORD}\n")

    result = runner.invoke(args=args, input="mật-khẩu-khác-2\n")

    assert result.exit_code == 1
    assert "Error [user.exists]" in result.stderr
    assert "Tài khoản 'thu.nguyen' đã tồn tại." in result.stderr
    user = session.scalar(select(User).where(User.username == "thu.nguyen"))
    assert accounts.check_password(user, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("options", "password", "code"),
    [
        (["--role", "unit"], NEW_PASSWORD, "user.invalid"),
        (["--role", "unit", "--unit", "NOPE"], NEW_PASSWORD, "unit.not_found"),
        (["--role", "collector"], "ngắn", "user.invalid"),
    ],
    ids=["unit-role-without-unit", "unknown-unit", "short-password"],
)
def test_users_add__bad_input__exits_1_and_nothing_created(
    runner: FlaskCliRunner, session: Session, options: list[str], password: str, code: str
):
    result = runner.invoke(
        args=["users", "add", "phuong1", *options, "--password-stdin"], input=f"{password}\n"
    )

    assert result.exit_code == 1
    assert f"Error [{code}]" in result.stderr
    assert session.scalars(select(User)).all() == []


def test_users_add__unknown_role__usage_error(runner: FlaskCliRunner, session: Session):
    result = runner.invoke(
        args=["users", "add", "x.y", "--role", "root", "--password-stdin"],
        input=f"{NEW_PASSWORD}\n",
    )

    assert result.exit_code == 2
    assert session.scalars(select(User)).all() == []
