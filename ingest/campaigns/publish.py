"""Publishing campaigns: definition files beside their XLSForms, checked, then stored.

A campaign is a TOML file ``<id>.campaign.toml`` anywhere under the forms folder, naming its
XLSForms by file name (relative to the definition). :func:`publish` compiles and publishes
those forms (``ingest.forms.registry``; a published version never changes), resolves the
definition against them (:func:`ingest.campaigns.reading.parse`), and stores it: the
campaign row, each form's ``campaign_id`` and, for ``denominators.source = "file"``, the
campaign's declared headcounts. Every mistake is an InvalidInput in Vietnamese and English.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ingest.campaigns.definition import Campaign, DefinitionError
from ingest.campaigns.reading import parse
from ingest.campaigns.store import forget
from ingest.errors import ErrorCode, InvalidInput, VssidError
from ingest.forms import formspec, registry
from ingest.forms.registry import CompiledForm
from ingest.models import Campaign as CampaignRow
from ingest.models import CampaignHeadcount, Form, Unit
from ingest.registry import tabular

SUFFIX = ".campaign.toml"


@dataclass(frozen=True, slots=True)
class DefinitionFile:
    """A definition as read: its path, its table, its bytes' hash and its forms' files."""

    path: Path
    data: Mapping[str, Any]
    sha256: str
    form_files: tuple[Path, ...]


def definition_files(forms_dir: Path) -> list[Path]:
    """Every campaign definition under ``forms_dir``."""
    return sorted(p for p in forms_dir.rglob(f"*{SUFFIX}") if not p.name.startswith("."))


def _invalid(path: Path, vi: str, en: str) -> InvalidInput:
    return InvalidInput(ErrorCode.CAMPAIGN_INVALID, source=path.name, reason_vi=vi, reason_en=en)


def read(path: Path) -> DefinitionFile:
    """A definition file read and its forms located; InvalidInput if it cannot be."""
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(ErrorCode.FILE_UNREADABLE, source=path.name, reason=str(exc)) from None
    except tomllib.TOMLDecodeError as exc:
        raise _invalid(
            path, f"không phải TOML hợp lệ ({exc}).", f"not valid TOML ({exc})."
        ) from None
    names = data.get("forms")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise _invalid(
            path,
            "cần 'forms': danh sách tệp XLSForm của chiến dịch, ví dụ forms = [\"phieu.xlsx\"].",
            "needs 'forms': the campaign's XLSForm files, e.g. forms = [\"form.xlsx\"].",
        )
    files = []
    for name in names:
        candidate = (path.parent / name).resolve()
        if not candidate.is_file():
            raise _invalid(
                path,
                f"không tìm thấy tệp biểu mẫu '{name}' cạnh tệp định nghĩa.",
                f"the form file '{name}' is not beside the definition.",
            )
        files.append(candidate)
    expected = path.name.removesuffix(SUFFIX)
    if data.get("id") != expected:
        raise _invalid(
            path,
            f"id trong tệp ({data.get('id')!r}) phải trùng tên tệp ('{expected}').",
            f"the id in the file ({data.get('id')!r}) must match the file name ('{expected}').",
        )
    return DefinitionFile(path, data, hashlib.sha256(raw).hexdigest(), tuple(files))


def resolve(definition: DefinitionFile, compiled: Mapping[Path, CompiledForm]) -> Campaign:
    """The campaign a definition defines over its compiled forms (InvalidInput if wrong)."""
    specs = {}
    for path in definition.form_files:
        form = compiled[path]
        specs[form.form_id] = formspec.spec_for(form.md5, form.xml)
    return parse(definition.path.name, definition.data, specs)


def store(
    session: Session, definition: DefinitionFile, campaign: Campaign
) -> tuple[str, tuple[str, ...]]:
    """Store a resolved campaign (its forms must be published): ``new``, ``updated`` or
    ``unchanged``, and warnings. The caller commits."""
    for form_id in campaign.forms:
        form = session.get(Form, form_id)
        if form is None:  # pragma: no cover - publish() publishes the forms first
            raise _invalid(definition.path, f"biểu mẫu '{form_id}' chưa được phát hành.",
                           f"form '{form_id}' is not published.")  # fmt: skip
        if form.campaign_id not in (None, campaign.id):
            raise _invalid(
                definition.path,
                f"biểu mẫu '{form_id}' đã thuộc chiến dịch '{form.campaign_id}'.",
                f"form '{form_id}' already belongs to the campaign '{form.campaign_id}'.",
            )
    headcounts = _headcounts(session, definition, campaign)
    warnings: tuple[str, ...] = ()
    if headcounts is not None:
        units = set(session.scalars(select(Unit.code)))
        unknown = sorted({h.unit_code for h in headcounts} - units)
        if unknown:
            warnings = (
                f"đơn vị chưa có trong danh sách đơn vị (units not in the registry yet): "
                f"{', '.join(unknown)}",
            )
        existing = {
            (h.unit_code, h.category): h.headcount
            for h in session.scalars(
                select(CampaignHeadcount).where(CampaignHeadcount.campaign == campaign.id)
            )
        }
        if existing == {(h.unit_code, h.category): h.headcount for h in headcounts}:
            headcounts = None  # the same figures: nothing to write
    row = session.get(CampaignRow, campaign.id)
    stored = campaign.as_dict()
    if row is not None and row.definition == stored and headcounts is None:
        outcome = "unchanged"
    else:
        outcome = "new" if row is None else "updated"
    if row is None:
        row = CampaignRow(id=campaign.id)
        session.add(row)
    row.title_vi = campaign.title.get("vi", campaign.id)
    row.title_en = campaign.title.get("en", "")
    row.definition = stored
    row.source_name = definition.path.name
    row.source_sha256 = definition.sha256
    session.flush()
    for form in session.scalars(select(Form).where(Form.form_id.in_(campaign.forms))):
        form.campaign_id = campaign.id
    if headcounts is not None:
        session.execute(delete(CampaignHeadcount).where(CampaignHeadcount.campaign == campaign.id))
        session.add_all(headcounts)
    session.flush()
    return outcome, warnings


def _headcounts(
    session: Session, definition: DefinitionFile, campaign: Campaign
) -> list[CampaignHeadcount] | None:
    """The campaign's declared denominators from its own file (None: it has none)."""
    if campaign.denominators != "file":
        return None
    spec = definition.data.get("denominators") or {}
    name = spec.get("file") if isinstance(spec, dict) else None
    path = definition.path.parent / str(name or "")
    if not name or not path.is_file():
        raise _invalid(
            definition.path,
            "denominators.source = 'file' cần denominators.file: tệp CSV/XLSX (cột unit_code và "
            "một cột cho mỗi đối tượng) cạnh tệp định nghĩa.",
            "denominators.source = 'file' needs denominators.file: a CSV/XLSX (columns "
            "unit_code and one per category) beside the definition.",
        )
    keys = campaign.category_keys
    try:
        aliases = {tabular.normalise_header(k): k for k in ("unit_code", *keys)}
        aliases |= {"mã đơn vị": "unit_code", "ma don vi": "unit_code"}
        rows = list(tabular.read_rows(path, aliases, required=("unit_code", *keys)))
    except InvalidInput as error:
        raise _invalid(definition.path, error.message_vi, error.message_en) from None
    out = []
    for row in rows:
        unit = row.cells.get("unit_code", "").strip()
        if not unit:
            raise _invalid(
                definition.path,
                f"{path.name} dòng {row.number}: thiếu mã đơn vị (unit_code).",
                f"{path.name} row {row.number}: the unit code (unit_code) is empty.",
            )
        for key in keys:
            text = row.cells.get(key, "").replace(".", "").replace(",", "").strip()
            if not text.isdigit():
                raise _invalid(
                    definition.path,
                    f"{path.name} dòng {row.number}: '{key}' phải là số nguyên không âm.",
                    f"{path.name} row {row.number}: '{key}' must be a whole number, not negative.",
                )
            out.append(CampaignHeadcount(campaign=campaign.id, unit_code=unit, category=key,
                                         headcount=int(text)))  # fmt: skip
    return out


@dataclass(frozen=True, slots=True)
class Published:
    """What publishing one file did: a form (``new``, ``new_version``, ``unchanged``) or a
    campaign (``new``, ``updated``, ``unchanged``), or the error that stopped it."""

    path: Path
    kind: str
    outcome: str = ""
    #: What it did, in a line: ``vssid_install v2026120601 new, media: units.csv``.
    detail: str = ""
    warnings: tuple[str, ...] = ()
    error: VssidError | None = None


def publish_folder(session: Session, forms_dir: Path) -> list[Published]:
    """Publish every XLSForm under ``forms_dir``, then every campaign defined there whose
    forms published. A file that fails is reported and does not stop the others (nothing of
    it is written); the caller commits."""
    results: list[Published] = []
    definitions: list[DefinitionFile] = []
    for path in definition_files(forms_dir):
        try:
            definitions.append(read(path))
        except VssidError as error:
            results.append(Published(path, "campaign", error=error))
    compiled: dict[Path, CompiledForm] = {}
    for path in registry.xlsform_files(forms_dir):
        try:
            form = registry.compile_xlsform(path)
            result = registry.publish(session, form, registry.media_dir_for(forms_dir, path))
        except VssidError as error:
            results.append(Published(path, "form", error=error))
            continue
        compiled[path.resolve()] = form
        media = f", media: {', '.join(result.attachments)}" if result.attachments else ""
        results.append(
            Published(path, "form", result.outcome,
                      f"{form.form_id} v{form.version} {result.outcome}{media}", form.warnings)
        )  # fmt: skip
    for definition in definitions:
        missing = [p.name for p in definition.form_files if p not in compiled]
        try:
            if missing:
                raise _invalid(
                    definition.path,
                    f"biểu mẫu chưa phát hành được: {', '.join(missing)}.",
                    f"forms that did not publish: {', '.join(missing)}.",
                )
            campaign = resolve(definition, compiled)
            outcome, warnings = store(session, definition, campaign)
        except VssidError as error:
            results.append(Published(definition.path, "campaign", error=error))
            continue
        results.append(
            Published(definition.path, "campaign", outcome,
                      f"campaign {campaign.id} ({', '.join(campaign.forms)}) {outcome}", warnings)
        )  # fmt: skip
    forget()
    return results


__all__ = [
    "DefinitionError",
    "DefinitionFile",
    "Published",
    "definition_files",
    "publish_folder",
    "read",
    "resolve",
    "store",
]
