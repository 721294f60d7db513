"""The form registry: compiling XLSForms with pyxform and publishing immutable versions.

The small forms are Markdown tables (pyxform compiles ``.md`` files, as in its own tests).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ingest import forms
from ingest.errors import Conflict, InvalidInput, NotFound
from ingest.models import Form, FormAttachment, FormVersion
from ingest.registry import units
from tests.conftest import FORMS_DIR

FRUITS_CSV = "name,label\nmango,Xoài\nlychee,Vải\n".encode()


def write_form(
    folder: Path,
    survey: str,
    *,
    stem: str = "fruit",
    form_id: str = "fruit",
    version: str | None = "2024010101",
    title: str = "Trái cây",
) -> Path:
    """An XLSForm as a Markdown file: ``survey`` holds the rows below the survey header."""
    settings = (
        "| settings |         |            |\n"
        "|          | form_id | form_title |\n"
        f"|          | {form_id} | {title} |\n"
        if version is None
        else "| settings |         |         |            |\n"
        "|          | form_id | version | form_title |\n"
        f"|          | {form_id} | {version} | {title} |\n"
    )
    path = folder / f"{stem}.md"
    path.write_text(
        "| survey |      |      |       |\n|        | type | name | label |\n" + survey + settings,
        encoding="utf-8",
    )
    return path


UNITS_SURVEY = (
    "|  | select_one_from_file units.csv | unit  | Đơn vị |\n"
    "|  | text                           | name  | Họ và tên |\n"
)
FRUITS_SURVEY = (
    "|  | select_one_from_file fruits.csv | fruit | Trái cây |\n"
    "|  | select_one_from_file units.csv  | unit  | Đơn vị |\n"
)


def compiled_form(
    tmp_path: Path, survey: str = UNITS_SURVEY, **settings: str
) -> forms.CompiledForm:
    return forms.compile_xlsform(write_form(tmp_path, survey, **settings))


def publish(session: Session, compiled: forms.CompiledForm, media_dir: Path) -> forms.PublishResult:
    result = forms.publish(session, compiled, media_dir)
    session.commit()
    return result


def versions(session: Session, form_id: str) -> list[FormVersion]:
    session.expire_all()
    return list(
        session.scalars(
            select(FormVersion).where(FormVersion.form_id == form_id).order_by(FormVersion.version)
        )
    )


def test_compile__small_form__id_version_title_md5_and_units_media(tmp_path: Path):
    path = write_form(tmp_path, UNITS_SURVEY, stem="phieu", form_id="vssid_mini", title="Phiếu")

    compiled = forms.compile_xlsform(path)

    assert (compiled.form_id, compiled.version, compiled.title) == (
        "vssid_mini",
        "2024010101",
        "Phiếu",
    )
    assert compiled.media == ("units.csv",)
    assert compiled.md5 == hashlib.md5(compiled.xml.encode()).hexdigest()
    assert compiled.source_name == "phieu.md"
    assert compiled.source_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    data = etree.fromstring(compiled.xml.encode()).find(
        "h:head/xf:model/xf:instance/xf:data", forms.NS
    )
    assert data is not None
    assert data.get("id") == "vssid_mini"
    assert data.get("version") == "2024010101"


def test_compile__several_media__all_named_sorted(tmp_path: Path):
    survey = (
        "|  | select_one_from_file units.csv  | unit  | Đơn vị |\n"
        "|  | select_one_from_file fruits.csv | fruit | Trái cây |\n"
        "|  | select_multiple_from_file colours.csv | colours | Màu |\n"
    )

    assert compiled_form(tmp_path, survey).media == ("colours.csv", "fruits.csv", "units.csv")


def test_compile__image_label__media_named(tmp_path: Path):
    path = tmp_path / "logo.md"
    path.write_text(
        "| survey |      |       |           |              |\n"
        "|        | type | name  | label     | media::image |\n"
        "|        | note | intro | Xin chào  | logo.png     |\n"
        "| settings |      |         |       |\n"
        "|          | form_id | version |    |\n"
        "|          | logo    | 1       |    |\n",
        encoding="utf-8",
    )

    assert forms.compile_xlsform(path).media == ("logo.png",)


def test_compile__no_media__empty(tmp_path: Path):
    assert compiled_form(tmp_path, "|  | text | name | Họ và tên |\n").media == ()


def test_compile__pyxform_warning__kept(tmp_path: Path):
    compiled = compiled_form(tmp_path, "|  | image | photo | Ảnh |\n")

    assert any("max-pixels" in warning for warning in compiled.warnings)


@pytest.mark.parametrize("path", forms.xlsform_files(FORMS_DIR), ids=lambda p: p.name)
def test_compile__real_form__id_version_and_units_media(path: Path):
    compiled = forms.compile_xlsform(path)

    assert compiled.form_id == path.stem
    assert compiled.form_id in SHIPPED
    assert compiled.version.isdigit()
    assert compiled.title
    if compiled.form_id == "vssid_selfreport":  # its unit comes from the link, a hidden field
        assert "units.csv" not in compiled.media
    else:
        assert "units.csv" in compiled.media


SHIPPED = (
    "vneid_level2",
    "vssid_install",
    "vssid_residents_outreach",
    "vssid_selfreport",
    "vssid_unit_report",
)


def test_real_forms__every_shipped_campaigns_form_present():
    assert [p.stem for p in forms.xlsform_files(FORMS_DIR)] == list(SHIPPED)


@pytest.mark.parametrize(
    ("survey", "words"),
    [
        pytest.param("|  | bogus_type | q1 | Câu hỏi |\n", "bogus_type", id="unknown-type"),
        pytest.param("|  | text | q1 | Xin chào ${missing} |\n", "missing", id="missing-reference"),
        pytest.param(
            "|  | text | q1 | Câu 1 |\n|  | text | q1 | Câu 2 |\n", "q1", id="duplicate-name"
        ),
        pytest.param(
            "|  | select_one nope | q1 | Câu 1 |\n", "choices sheet", id="missing-choice-list"
        ),
        pytest.param("|  | text | 1abc | Câu 1 |\n", "'name' value is invalid", id="invalid-name"),
        pytest.param("|  | begin group | g | Nhóm |\n", "group", id="unclosed-group"),
    ],
)
def test_compile__broken_xlsform__invalid_naming_the_file(tmp_path: Path, survey: str, words: str):
    path = write_form(tmp_path, survey, stem="hong")

    with pytest.raises(InvalidInput) as caught:
        forms.compile_xlsform(path)

    assert caught.value.code == "xlsform.invalid"
    assert caught.value.params["source"] == "hong.md"
    assert "hong.md" in caught.value.message_vi
    assert "hong.md" in caught.value.message_en
    assert words in caught.value.params["reason"]


def test_compile__no_settings_version__no_version(tmp_path: Path):
    path = write_form(tmp_path, UNITS_SURVEY, stem="khong_phien_ban", version=None)

    with pytest.raises(InvalidInput) as caught:
        forms.compile_xlsform(path)

    assert caught.value.code == "xlsform.no_version"
    assert "khong_phien_ban.md" in caught.value.message_en


def test_compile__missing_file__unreadable(tmp_path: Path):
    with pytest.raises(InvalidInput) as caught:
        forms.compile_xlsform(tmp_path / "khong_co.xlsx")

    assert caught.value.code == "file.unreadable"


def test_publish__new_form__stored_with_generated_units_media(session: Session, tmp_path: Path):
    compiled = compiled_form(tmp_path)

    result = publish(session, compiled, tmp_path / "fruit-media")

    assert (result.outcome, result.attachments) == ("new", ("units.csv",))
    form = session.get(Form, "fruit")
    assert form is not None
    assert (form.title, form.state, form.current_version) == ("Trái cây", "open", "2024010101")
    [version] = versions(session, "fruit")
    assert version.xml == compiled.xml
    assert version.md5 == compiled.md5
    assert version.source_name == "fruit.md"
    assert version.source_sha256 == compiled.source_sha256
    [attachment] = version.attachments
    assert (attachment.name, attachment.generated, attachment.content) == (
        "units.csv",
        True,
        None,
    )


def test_publish__units_media__generated_from_the_registry_when_read(
    session: Session, default_units: units.ImportReport, tmp_path: Path
):
    publish(session, compiled_form(tmp_path), tmp_path / "fruit-media")

    attachment = forms.find_attachment(session, "fruit", "units.csv")

    assert forms.media_content(session, attachment) == units.units_csv(session)
    assert "Phường 1".encode() in forms.media_content(session, attachment)


def test_publish__same_form_again__unchanged_and_nothing_added(session: Session, tmp_path: Path):
    publish(session, compiled_form(tmp_path), tmp_path)

    result = publish(session, compiled_form(tmp_path), tmp_path)

    assert result.outcome == "unchanged"
    assert result.attachments == ()
    assert len(versions(session, "fruit")) == 1
    assert session.scalar(select(func.count()).select_from(FormAttachment)) == 1


def test_publish__same_version_changed_content__conflict_and_stored_xml_untouched(
    session: Session, tmp_path: Path
):
    original = compiled_form(tmp_path)
    publish(session, original, tmp_path)
    changed = compiled_form(tmp_path, UNITS_SURVEY.replace("Họ và tên", "Tên đầy đủ"))
    assert changed.version == original.version
    assert changed.md5 != original.md5

    with pytest.raises(Conflict) as caught:
        forms.publish(session, changed, tmp_path)
    session.rollback()

    assert caught.value.code == "form.version_changed"
    for message in (caught.value.message_vi, caught.value.message_en):
        assert "'fruit'" in message
        assert "2024010101" in message
    [version] = versions(session, "fruit")
    assert version.xml == original.xml
    assert version.md5 == original.md5


def test_publish__higher_version__new_version_becomes_current(session: Session, tmp_path: Path):
    publish(session, compiled_form(tmp_path), tmp_path)
    newer = compiled_form(
        tmp_path, UNITS_SURVEY.replace("Họ và tên", "Tên đầy đủ"), version="2024010102"
    )

    result = publish(session, newer, tmp_path)

    assert result.outcome == "new_version"
    assert [v.version for v in versions(session, "fruit")] == ["2024010101", "2024010102"]
    assert session.get(Form, "fruit").current_version == "2024010102"
    assert forms.current_version(session, "fruit").xml == newer.xml


def test_publish__lower_version__conflict_older(session: Session, tmp_path: Path):
    publish(session, compiled_form(tmp_path, version="2024010102"), tmp_path)
    older = compiled_form(
        tmp_path, UNITS_SURVEY.replace("Họ và tên", "Tên đầy đủ"), version="2024010101"
    )

    with pytest.raises(Conflict) as caught:
        forms.publish(session, older, tmp_path)
    session.rollback()

    assert caught.value.code == "form.version_older"
    assert caught.value.params == {
        "form_id": "fruit",
        "version": "2024010101",
        "current": "2024010102",
    }
    assert [v.version for v in versions(session, "fruit")] == ["2024010102"]


def test_publish__earlier_version_republished_unchanged__unchanged(
    session: Session, tmp_path: Path
):
    first = compiled_form(tmp_path)
    publish(session, first, tmp_path)
    publish(session, compiled_form(tmp_path, version="2024010102"), tmp_path)

    result = publish(session, first, tmp_path)

    assert result.outcome == "unchanged"
    assert session.get(Form, "fruit").current_version == "2024010102"


def test_publish__static_media_missing__invalid_and_nothing_stored(
    session: Session, tmp_path: Path
):
    compiled = compiled_form(tmp_path, FRUITS_SURVEY)
    media_dir = forms.media_dir_for(tmp_path, tmp_path / "fruit.md")

    with pytest.raises(InvalidInput) as caught:
        forms.publish(session, compiled, media_dir)
    session.rollback()

    assert caught.value.code == "form.media_missing"
    assert caught.value.params == {
        "form_id": "fruit",
        "name": "fruits.csv",
        "folder": str(media_dir),
    }
    assert "fruit-media" in caught.value.message_vi
    assert session.get(Form, "fruit") is None


def test_publish__static_media_present__stored_with_md5(session: Session, tmp_path: Path):
    media_dir = forms.media_dir_for(tmp_path, tmp_path / "fruit.md")
    media_dir.mkdir()
    (media_dir / "fruits.csv").write_bytes(FRUITS_CSV)

    result = publish(session, compiled_form(tmp_path, FRUITS_SURVEY), media_dir)

    assert result.attachments == ("fruits.csv", "units.csv")
    fruits = forms.find_attachment(session, "fruit", "fruits.csv")
    assert fruits.generated is False
    assert fruits.content == FRUITS_CSV
    assert fruits.md5 == hashlib.md5(FRUITS_CSV).hexdigest()
    assert forms.media_content(session, fruits) == FRUITS_CSV
    assert forms.find_attachment(session, "fruit", "units.csv").generated is True


def test_find_attachment__unknown_name__not_found(session: Session, tmp_path: Path):
    publish(session, compiled_form(tmp_path), tmp_path)

    with pytest.raises(NotFound) as caught:
        forms.find_attachment(session, "fruit", "fruits.csv")

    assert caught.value.code == "form.media_not_found"


def test_current_version__unknown_form__not_found(session: Session):
    with pytest.raises(NotFound) as caught:
        forms.current_version(session, "khong_co")

    assert caught.value.code == "form.not_found"


def test_xlsform_files__lock_hidden_and_other_files__skipped(tmp_path: Path):
    for name in (
        "b_form.xlsx",
        "a_form.XLSX",
        "c_old.xls",
        "~$b_form.xlsx",
        ".~lock.xlsx",
        "units.csv",
        "notes.md",
        "b_form.xlsx.bak",
    ):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "b_form-media").mkdir()

    assert [p.name for p in forms.xlsform_files(tmp_path)] == [
        "a_form.XLSX",
        "b_form.xlsx",
        "c_old.xls",
    ]


def test_media_dir_for__stem_media_folder(tmp_path: Path):
    xlsform = tmp_path / "vssid_install.xlsx"

    assert forms.media_dir_for(tmp_path, xlsform) == tmp_path / "vssid_install-media"


def test_listed_forms__closing_and_closed__excluded(session: Session, tmp_path: Path):
    for form_id in ("a_open", "b_closing", "c_closed"):
        publish(session, compiled_form(tmp_path, form_id=form_id, stem=form_id), tmp_path)
    session.get(Form, "b_closing").state = "closing"
    session.get(Form, "c_closed").state = "closed"
    session.commit()

    listed = forms.listed_forms(session)

    assert [(form.form_id, version.version) for form, version in listed] == [
        ("a_open", "2024010101")
    ]


def test_listed_forms__several_versions__current_one_only(session: Session, tmp_path: Path):
    publish(session, compiled_form(tmp_path), tmp_path)
    publish(session, compiled_form(tmp_path, version="2024010102"), tmp_path)

    assert [(f.form_id, v.version) for f, v in forms.listed_forms(session)] == [
        ("fruit", "2024010102")
    ]
