"""Reading a campaign's definition file: its TOML table checked against the compiled forms.

:func:`parse` turns the table into a :class:`~ingest.campaigns.definition.Campaign`, taking
from the forms what they already say (the identifier's label and constraint, the categories
and their labels, the outcome's and reasons' choices); every mistake is an
:class:`~ingest.errors.InvalidInput` with a Vietnamese and an English reason
(docs/campaigns.md is the reference of the keys).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ingest.campaigns import notice
from ingest.campaigns.definition import (
    KEY,
    MODES,
    NOTICE_PARTS,
    RESERVED_KEYS,
    Campaign,
    Category,
    DefinitionError,
    Level,
    PersonFields,
    Privacy,
    ReportHeader,
    UnitReportFields,
)
from ingest.errors import ErrorCode, InvalidInput
from ingest.forms.formspec import FormSpec
from ingest.models.registry import UNIT_KINDS


def parse(source: str, data: Mapping[str, Any], specs: Mapping[str, FormSpec]) -> Campaign:
    """The campaign that the TOML table ``data`` (read from ``source``) defines, checked
    against ``specs`` (its forms' compiled specs, by form id); InvalidInput if it is wrong."""
    try:
        return _parse(data, specs)
    except DefinitionError as exc:
        raise InvalidInput(
            ErrorCode.CAMPAIGN_INVALID, source=source, reason_vi=exc.vi, reason_en=exc.en
        ) from None


def _parse(data: Mapping[str, Any], specs: Mapping[str, FormSpec]) -> Campaign:
    known = {"id", "title", "forms", "categories", "person", "done", "levels", "unit_report",
             "denominators", "target_pct", "on_track_pct", "start_date", "report",
             "unit_kinds", "selfreport_form", "end_date", "privacy"}  # fmt: skip
    _no_unknown(data, known, "")
    campaign_id = _key(data.get("id"), "id")
    title = _texts(data.get("title"), "title", required=True)
    forms = tuple(specs)
    target = _number(data.get("target_pct", 100), "target_pct")
    on_track = _number(data.get("on_track_pct", 80), "on_track_pct")
    if not 0 < on_track <= target:
        raise DefinitionError(
            "on_track_pct phải lớn hơn 0 và không lớn hơn target_pct.",
            "on_track_pct must be above 0 and at most target_pct.",
        )
    person = _person(data.get("person"), specs)
    person_spec = _person_spec(person, specs) if person else None
    report_fields = _unit_report(data.get("unit_report"), specs)
    if person is None and report_fields is None:
        raise DefinitionError(
            "chiến dịch cần [person] (mỗi người một phiếu) hoặc [unit_report] (số liệu đơn vị).",
            "a campaign needs [person] (one record per person) or [unit_report] (unit figures).",
        )
    categories = _categories(data.get("categories"), person, person_spec)
    done = _outcome(data.get("done"), "done", person, person_spec)
    levels = tuple(
        _outcome(level, f"levels[{n}]", person, person_spec)
        for n, level in enumerate(_list(data.get("levels", []), "levels"))
    )
    keys = [done.key, *(level.key for level in levels)]
    if len(set(keys)) != len(keys):
        raise DefinitionError("các mức (done, levels) trùng khóa.", "done and levels repeat a key.")
    if report_fields is not None:
        _check_report_fields(report_fields, specs, categories, levels)
    denominators = data.get("denominators", {"source": "units"})
    source = (denominators or {}).get("source", "units") if isinstance(denominators, dict) else ""
    if source not in ("units", "file"):
        raise DefinitionError(
            "denominators.source phải là 'units' (số biên chế khai báo trong danh sách đơn vị) "
            "hoặc 'file' (tệp riêng của chiến dịch).",
            "denominators.source must be 'units' (the units registry's declared headcounts) "
            "or 'file' (the campaign's own file).",
        )
    outcome_field = person_spec.fields[person.outcome] if person and person_spec else None
    return Campaign(
        id=campaign_id,
        title=title,
        forms=forms,
        categories=categories,
        done=done,
        levels=levels,
        person=person,
        identifier_label=_field_labels(person_spec, person.identifier) if person else {},
        category_label=(
            _field_labels(person_spec, person.category) if person and person.category else {}
        ),
        identifier_constraint=(
            person_spec.fields[person.identifier].constraint if person and person_spec else None
        ),
        outcome_labels=_choice_labels(person_spec, outcome_field) if outcome_field else {},
        reason_labels=(
            _choice_labels(person_spec, person_spec.fields[person.reasons])
            if person and person_spec and person.reasons
            else {}
        ),
        unit_report=report_fields,
        denominators=source,
        target_pct=target,
        on_track_pct=on_track,
        start_date=_date(data.get("start_date"), "start_date"),
        report=_report(data.get("report", {})),
        unit_kinds=_kinds(data.get("unit_kinds", [])),
        selfreport_form=_selfreport_form(data.get("selfreport_form"), person, specs),
        end_date=_end_date(data),
        privacy=_privacy(data.get("privacy"), person, specs),
    )


def _end_date(data: Mapping[str, Any]) -> date | None:
    end, start = _date(data.get("end_date"), "end_date"), _date(data.get("start_date"), "")
    if end is not None and start is not None and end < start:
        raise DefinitionError("end_date phải sau start_date.", "end_date must be after start_date.")
    return end


def _privacy(value: Any, person: PersonFields | None, specs: Mapping[str, FormSpec]) -> Privacy:
    """``[privacy]``, checked: the notice has every part in both languages, every person
    form asks the consent question and shows the notice as it is written here."""
    if value is None:
        return Privacy()
    if not isinstance(value, dict):
        raise DefinitionError("[privacy] phải là một bảng.", "[privacy] must be a table.")
    _no_unknown(value, {"notice", "consent", "consent_given", "notice_note", "retention_days"},
                "privacy.")  # fmt: skip
    raw = value.get("notice") or {}
    if not isinstance(raw, dict):
        raise DefinitionError(
            "[privacy.notice] phải là một bảng.", "[privacy.notice] must be a table."
        )
    _no_unknown(raw, set(NOTICE_PARTS), "privacy.notice.")
    texts = {part: _texts(raw.get(part), f"privacy.notice.{part}") for part in raw}
    incomplete = [p for p in NOTICE_PARTS if not {"vi", "en"} <= set(texts.get(p, {}))]
    if texts and incomplete:
        raise DefinitionError(
            f"[privacy.notice] cần đủ các mục bằng tiếng Việt và tiếng Anh (vi, en), còn thiếu: "
            f"{', '.join(incomplete)}.",
            f"[privacy.notice] needs every part in Vietnamese and English (vi, en); missing: "
            f"{', '.join(incomplete)}.",
        )
    days = value.get("retention_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise DefinitionError(
            "privacy.retention_days phải là số ngày (số nguyên dương).",
            "privacy.retention_days must be a number of days (a positive whole number).",
        )
    privacy = Privacy(
        notice=texts,
        consent=_optional_name(value.get("consent"), "privacy.consent"),
        consent_given=str(value.get("consent_given", "yes")),
        notice_note=_optional_name(value.get("notice_note"), "privacy.notice_note"),
        retention_days=days,
    )
    if privacy.notice and not privacy.notice_note:
        raise DefinitionError(
            "[privacy.notice] cần privacy.notice_note: ghi chú (note) hiển thị thông báo trong "
            "biểu mẫu.",
            "[privacy.notice] needs privacy.notice_note: the form note that shows the notice.",
        )
    for form_id, spec in specs.items():
        if person is None or not {person.identifier, person.outcome} <= spec.fields.keys():
            continue  # not a person form
        if privacy.consent and privacy.consent not in spec.fields:
            raise DefinitionError(
                f"biểu mẫu '{form_id}' không có câu hỏi đồng ý '{privacy.consent}'.",
                f"the form '{form_id}' has no consent question '{privacy.consent}'.",
            )
        wrong = notice.form_mismatch(privacy, spec) if privacy.notice else []
        if wrong:
            raise DefinitionError(
                f"ghi chú '{privacy.notice_note}' của biểu mẫu '{form_id}' không hiển thị đúng "
                f"thông báo trong [privacy.notice] ({', '.join(wrong)}): chạy "
                f"forms/tools/write_notice.py rồi nâng phiên bản biểu mẫu.",
                f"the note '{privacy.notice_note}' of the form '{form_id}' does not show the "
                f"notice in [privacy.notice] ({', '.join(wrong)}): run "
                f"forms/tools/write_notice.py, which also raises the form's version.",
            )
    return privacy


def _optional_name(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DefinitionError(f"{name} phải là tên một trường.", f"{name} must be a field name.")
    return value


def _selfreport_form(
    value: Any, person: PersonFields | None, specs: Mapping[str, FormSpec]
) -> str | None:
    """The self-report form's id, checked: one of the campaign's person forms that asks the
    identifier and the birth date and has the unit field (which the server fills in)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in specs:
        raise DefinitionError(
            "selfreport_form phải là form_id của một biểu mẫu trong forms.",
            "selfreport_form must be the form_id of one of the forms in forms.",
        )
    spec = specs[value]
    needed = (person.identifier, person.outcome, person.unit, person.birth_date) if person else ()
    missing = [name for name in needed if name and name not in spec.fields]
    if person is None or not person.birth_date or missing:
        raise DefinitionError(
            f"biểu mẫu tự khai '{value}' cần [person] và các trường: "
            f"{', '.join(missing) or 'birth_date'}.",
            f"the self-report form '{value}' needs [person] and the fields: "
            f"{', '.join(missing) or 'birth_date'}.",
        )
    return value


def _kinds(value: Any) -> tuple[str, ...]:
    kinds = tuple(str(v) for v in _list(value, "unit_kinds"))
    unknown = sorted(set(kinds) - set(UNIT_KINDS))
    if unknown:
        raise DefinitionError(
            f"unit_kinds chỉ gồm {', '.join(UNIT_KINDS)}; không hợp lệ: {', '.join(unknown)}.",
            f"unit_kinds takes only {', '.join(UNIT_KINDS)}; not valid: {', '.join(unknown)}.",
        )
    return kinds


def _no_unknown(data: Mapping[str, Any], known: set[str], where: str) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        names = ", ".join(f"{where}{name}" for name in unknown)
        raise DefinitionError(
            f"khóa không được hỗ trợ: {names} (xem docs/campaigns.md).",
            f"unsupported keys: {names} (see docs/campaigns.md).",
        )


def _key(value: Any, name: str) -> str:
    if not isinstance(value, str) or not KEY.match(value):
        raise DefinitionError(
            f"{name} phải gồm chữ thường không dấu, chữ số hoặc '_' (tối đa 32 ký tự), "
            f"bắt đầu bằng chữ cái; nhận được {value!r}.",
            f"{name} must be lower-case letters, digits or '_' (at most 32), starting with a "
            f"letter; got {value!r}.",
        )
    return value


def _texts(value: Any, name: str, required: bool = False) -> dict[str, str]:
    if value is None and not required:
        return {}
    if isinstance(value, str) and value.strip():
        return {"vi": value.strip()}
    if isinstance(value, dict) and isinstance(value.get("vi"), str) and value["vi"].strip():
        return {k: str(v).strip() for k, v in value.items() if k in ("vi", "en") and v}
    raise DefinitionError(
        f'{name} cần một nhãn tiếng Việt: {name} = {{ vi = "…", en = "…" }}.',
        f'{name} needs a Vietnamese label: {name} = {{ vi = "…", en = "…" }}.',
    )


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:
        raise DefinitionError(
            f"{name} phải là một số từ 0 đến 100; nhận được {value!r}.",
            f"{name} must be a number from 0 to 100; got {value!r}.",
        )
    return float(value)


def _date(value: Any, name: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DefinitionError(
            f"{name} phải là ngày dạng YYYY-MM-DD; nhận được {value!r}.",
            f"{name} must be a date written YYYY-MM-DD; got {value!r}.",
        ) from None


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise DefinitionError(f"{name} phải là một danh sách.", f"{name} must be a list.")
    return value


def _person(value: Any, specs: Mapping[str, FormSpec]) -> PersonFields | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise DefinitionError("[person] phải là một bảng.", "[person] must be a table.")
    names = set(PersonFields.__dataclass_fields__)
    _no_unknown(value, names, "person.")
    for required in ("identifier", "outcome"):
        if not isinstance(value.get(required), str):
            raise DefinitionError(
                f"[person] cần '{required}': tên trường trong biểu mẫu.",
                f"[person] needs '{required}': the name of a field of the form.",
            )
    return PersonFields(**{k: v for k, v in value.items() if v != ""})


def _person_spec(person: PersonFields, specs: Mapping[str, FormSpec]) -> FormSpec:
    """The campaign's first form with the identifier and outcome fields (checked)."""
    for spec in specs.values():
        if person.identifier in spec.fields and person.outcome in spec.fields:
            for name in (person.name, person.unit, person.category, person.outcome_date,
                         person.reasons):  # fmt: skip
                if name and name not in spec.fields:
                    raise DefinitionError(
                        f"biểu mẫu '{spec.form_id}' không có trường '{name}' mà [person] nêu.",
                        f"form '{spec.form_id}' has no field '{name}' named in [person].",
                    )
            if spec.fields[person.outcome].kind != "select_one":
                raise DefinitionError(
                    f"trường kết quả '{person.outcome}' phải là câu hỏi select_one.",
                    f"the outcome field '{person.outcome}' must be a select_one question.",
                )
            return spec
    raise DefinitionError(
        f"không biểu mẫu nào của chiến dịch có cả trường '{person.identifier}' và "
        f"'{person.outcome}'.",
        f"none of the campaign's forms has both fields '{person.identifier}' and "
        f"'{person.outcome}'.",
    )


def _categories(
    value: Any, person: PersonFields | None, spec: FormSpec | None
) -> tuple[Category, ...]:
    if value is not None:
        out = []
        for n, item in enumerate(_list(value, "categories")):
            if not isinstance(item, dict):
                raise DefinitionError(
                    'mỗi mục của categories là { key = "…", label = { vi = "…" } }.',
                    'each item of categories is { key = "…", label = { vi = "…" } }.',
                )
            key = _key(item.get("key"), f"categories[{n}].key")
            out.append(Category(key, _texts(item.get("label"), f"categories[{n}].label", True)))
        if out:
            return tuple(out)
    if person is not None and spec is not None and person.category:
        labels = _choice_labels(spec, spec.fields[person.category])
        if labels:
            return tuple(Category(key, texts) for key, texts in labels.items())
    raise DefinitionError(
        "chiến dịch cần danh sách đối tượng: khai báo categories, hoặc [person].category là "
        "một câu hỏi select_one của biểu mẫu.",
        "the campaign needs its categories: declare categories, or make [person].category a "
        "select_one question of the form.",
    )


def _outcome(value: Any, name: str, person: PersonFields | None, spec: FormSpec | None) -> Level:
    if not isinstance(value, dict):
        raise DefinitionError(
            f'{name} phải là một bảng: {{ key = "…", values = ["…"], label = {{ vi = "…" }} }}.',
            f'{name} must be a table: {{ key = "…", values = ["…"], label = {{ vi = "…" }} }}.',
        )
    _no_unknown(value, {"key", "values", "label", *(("not_label",) if name == "done" else ())},
                f"{name}.")  # fmt: skip
    key = _key(value.get("key"), f"{name}.key")
    if key in RESERVED_KEYS:
        raise DefinitionError(
            f"{name}.key không được là {key!r} (tên dành riêng).",
            f"{name}.key cannot be {key!r} (a reserved name).",
        )
    values = frozenset(str(v) for v in _list(value.get("values", []), f"{name}.values"))
    if person is not None and spec is not None:
        choices = spec.fields[person.outcome].choices or frozenset()
        unknown = sorted(values - choices)
        if not values or unknown:
            raise DefinitionError(
                f"{name}.values phải là các lựa chọn của câu hỏi '{person.outcome}' "
                f"({', '.join(sorted(choices))}); không hợp lệ: {', '.join(unknown) or '(trống)'}.",
                f"{name}.values must be choices of the question '{person.outcome}' "
                f"({', '.join(sorted(choices))}); not valid: {', '.join(unknown) or '(empty)'}.",
            )
    label = _texts(value.get("label"), f"{name}.label", required=True)
    not_label = _texts(value.get("not_label"), f"{name}.not_label") or {
        "vi": f"Chưa đạt ({label['vi'].lower()})",
        "en": f"Not yet ({label.get('en', key).lower()})",
    }
    return Level(key, values, label, not_label)


def _unit_report(value: Any, specs: Mapping[str, FormSpec]) -> UnitReportFields | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise DefinitionError("[unit_report] phải là một bảng.", "[unit_report] must be a table.")
    _no_unknown(value, set(UnitReportFields.__dataclass_fields__), "unit_report.")
    fields = UnitReportFields(**value)
    if fields.mode not in MODES:
        raise DefinitionError(
            "unit_report.mode là 'latest' (báo cáo mới nhất) hoặc 'sum' (cộng dồn các báo cáo).",
            "unit_report.mode is 'latest' (the latest report) or 'sum' (reports add up).",
        )
    if not fields.done:
        raise DefinitionError(
            "[unit_report] cần 'done': trường số người đạt (có thể dùng {category}).",
            "[unit_report] needs 'done': the field of people done (may use {category}).",
        )
    return fields


def _check_report_fields(
    fields: UnitReportFields,
    specs: Mapping[str, FormSpec],
    categories: Sequence[Category],
    levels: Sequence[Level],
) -> None:
    spec = next(
        (s for s in specs.values() if fields.date in s.fields and fields.unit in s.fields), None
    )
    if spec is None:
        raise DefinitionError(
            f"không biểu mẫu nào của chiến dịch có trường '{fields.unit}' và '{fields.date}' "
            "mà [unit_report] nêu.",
            f"none of the campaign's forms has the fields '{fields.unit}' and '{fields.date}' "
            "named in [unit_report].",
        )
    unknown_levels = sorted(set(fields.levels) - {level.key for level in levels})
    if unknown_levels:
        raise DefinitionError(
            f"unit_report.levels nêu mức không có trong levels: {', '.join(unknown_levels)}.",
            f"unit_report.levels names levels not in levels: {', '.join(unknown_levels)}.",
        )
    patterns = [p for p in (fields.headcount, fields.done, *fields.levels.values()) if p]
    for pattern in patterns:
        for category in categories:
            name = pattern.replace("{category}", category.key)
            if name not in spec.fields:
                raise DefinitionError(
                    f"biểu mẫu '{spec.form_id}' không có trường '{name}' ([unit_report]).",
                    f"form '{spec.form_id}' has no field '{name}' ([unit_report]).",
                )


def _report(value: Any) -> ReportHeader:
    if not isinstance(value, dict):
        raise DefinitionError("[report] phải là một bảng.", "[report] must be a table.")
    _no_unknown(value, set(ReportHeader.__dataclass_fields__), "report.")
    out: dict[str, Any] = {}
    for name, item in value.items():
        if name == "title":
            out[name] = _texts(item, "report.title")
        elif name == "letter_date":
            out[name] = _date(item, "report.letter_date")
        elif name in ("legal_basis", "recipients"):
            out[name] = tuple(str(v) for v in _list(item, f"report.{name}"))
        else:
            out[name] = str(item)
    return ReportHeader(**out)


def _language(name: str) -> str:
    match = re.search(r"\((\w+)\)\s*$", name)
    return match.group(1).lower() if match else (name.strip().lower()[:2] or "vi")


def _field_labels(spec: FormSpec | None, name: str) -> dict[str, str]:
    if spec is None or name not in spec.fields:
        return {}
    return {_language(lang): text for lang, text in spec.fields[name].labels.items() if text}


def _choice_labels(spec: FormSpec | None, field_: Any) -> dict[str, dict[str, str]]:
    """A select's choices with their labels per language, in the form's order."""
    if spec is None or field_ is None:
        return {}
    labels = spec.choice_labels.get(field_.path, {})
    if labels:
        return {k: {_language(lang): t for lang, t in v.items()} for k, v in labels.items()}
    return {choice: {} for choice in sorted(field_.choices or ())}
