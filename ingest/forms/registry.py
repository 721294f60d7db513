"""The form registry: compiling XLSForms with pyxform and publishing immutable versions.

A published version never changes: publishing the same form id and version again is a no-op
when the XForm is identical and an error when it differs, because phones that downloaded it
already hold that content. The XForm XML that pyxform produces is the form's contract.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.errors import Conflict, ErrorCode, InvalidInput, NotFound
from ingest.forms import formspec, safexml
from ingest.models import Form, FormAttachment, FormVersion
from ingest.registry.units import units_csv

NS = {"h": "http://www.w3.org/1999/xhtml", "xf": "http://www.w3.org/2002/xforms"}
XLSFORM_SUFFIXES = (".xlsx", ".xls")

#: Media built from the database each time they are requested (the units registry).
GENERATED_MEDIA: dict[str, Callable[[Session], bytes]] = {"units.csv": units_csv}


@dataclass(frozen=True, slots=True)
class CompiledForm:
    """An XLSForm compiled to an XForm, with what the registry needs to know of it."""

    source_name: str
    source_sha256: str
    form_id: str
    version: str
    title: str
    xml: str
    media: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    itemsets_csv: str | None = None

    @property
    def md5(self) -> str:
        return hashlib.md5(self.xml.encode("utf-8")).hexdigest()  # noqa: S324 (OpenRosa hash)


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What publishing one XLSForm did: ``new`` form, ``new_version`` or ``unchanged``."""

    form: CompiledForm
    outcome: str
    attachments: tuple[str, ...] = field(default=())


def compile_xlsform(path: Path) -> CompiledForm:
    """Compile one XLSForm file with pyxform; :class:`InvalidInput` if it does not compile."""
    from pyxform.xls2xform import convert

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(ErrorCode.FILE_UNREADABLE, source=path.name, reason=str(exc)) from exc
    warnings: list[str] = []
    try:
        result = convert(xlsform=str(path), warnings=warnings, form_name=None)
    except Exception as exc:  # pyxform raises PyXFormError and assorted others for bad input
        reason = str(exc).strip() or type(exc).__name__
        raise InvalidInput(ErrorCode.XLSFORM_INVALID, source=path.name, reason=reason) from exc
    xml = result.xform
    root = safexml.parse(xml.encode("utf-8"))
    instance = root.find("h:head/xf:model/xf:instance", NS)
    data_root = instance[0] if instance is not None and len(instance) else None
    if data_root is None:
        raise InvalidInput(ErrorCode.XLSFORM_INVALID, source=path.name, reason="no instance")
    version = data_root.get("version")
    if not version:
        raise InvalidInput(ErrorCode.XLSFORM_NO_VERSION, source=path.name)
    title = (root.findtext("h:head/h:title", namespaces=NS) or "").strip()
    return CompiledForm(
        source_name=path.name,
        source_sha256=hashlib.sha256(data).hexdigest(),
        form_id=data_root.get("id") or path.stem,
        version=version,
        title=title or path.stem,
        xml=xml,
        media=media_names(root),
        warnings=tuple(warnings),
        itemsets_csv=result.itemsets,
    )


def media_names(root: etree._Element) -> tuple[str, ...]:
    """The file names of every ``jr://`` media an XForm refers to (instances, images, audio)."""
    names: set[str] = set()
    for instance in root.iterfind(".//xf:instance[@src]", NS):
        names.add(instance.get("src", "").rsplit("/", 1)[-1])
    for value in root.iterfind(".//xf:itext//xf:value[@form]", NS):
        text = (value.text or "").strip()
        if text.startswith("jr://"):
            names.add(text.rsplit("/", 1)[-1])
    return tuple(sorted(n for n in names if n))


def _attachment(
    session: Session, compiled: CompiledForm, name: str, media_dir: Path
) -> FormAttachment:
    if name in GENERATED_MEDIA:
        return FormAttachment(name=name, generated=True)
    if name == "itemsets.csv" and compiled.itemsets_csv is not None:
        content = compiled.itemsets_csv.encode("utf-8")
    else:
        candidate = media_dir / name
        if not candidate.is_file():
            raise InvalidInput(
                ErrorCode.FORM_MEDIA_MISSING,
                form_id=compiled.form_id,
                name=name,
                folder=str(media_dir),
            )
        content = candidate.read_bytes()
    md5 = hashlib.md5(content).hexdigest()  # noqa: S324 (OpenRosa hash)
    return FormAttachment(name=name, generated=False, content=content, md5=md5)


def publish(session: Session, compiled: CompiledForm, media_dir: Path) -> PublishResult:
    """Register ``compiled`` as a new form or version; the caller commits."""
    form = session.get(Form, compiled.form_id)
    if form is not None:
        existing = session.scalar(
            select(FormVersion).where(
                FormVersion.form_id == compiled.form_id, FormVersion.version == compiled.version
            )
        )
        if existing is not None:
            if existing.md5 != compiled.md5:
                raise Conflict(
                    ErrorCode.FORM_VERSION_CHANGED,
                    form_id=compiled.form_id,
                    version=compiled.version,
                )
            return PublishResult(compiled, "unchanged")
        if compiled.version < form.current_version:
            raise Conflict(
                ErrorCode.FORM_VERSION_OLDER,
                form_id=compiled.form_id,
                version=compiled.version,
                current=form.current_version,
            )
    attachments = [_attachment(session, compiled, name, media_dir) for name in compiled.media]
    if form is None:
        form = Form(form_id=compiled.form_id, title=compiled.title, state="open")
        session.add(form)
        outcome = "new"
    else:
        outcome = "new_version"
    form.title = compiled.title
    form.current_version = compiled.version
    version = FormVersion(
        form_id=compiled.form_id,
        version=compiled.version,
        title=compiled.title,
        xml=compiled.xml,
        md5=compiled.md5,
        source_name=compiled.source_name,
        source_sha256=compiled.source_sha256,
        warnings=list(compiled.warnings),
        attachments=attachments,
    )
    session.add(version)
    session.flush()
    return PublishResult(compiled, outcome, tuple(a.name for a in attachments))


def xlsform_files(forms_dir: Path) -> list[Path]:
    """The XLSForms under ``forms_dir`` (a campaign may keep its own in a subfolder), skipping
    office lock files (``~$…``), hidden files and media folders."""
    return sorted(
        p
        for p in forms_dir.rglob("*")
        if p.suffix.lower() in XLSFORM_SUFFIXES
        and not p.name.startswith(("~$", "."))
        and not any(part.endswith("-media") or part.startswith(".")
                    for part in p.relative_to(forms_dir).parts[:-1])
    )  # fmt: skip


def media_dir_for(forms_dir: Path, xlsform: Path) -> Path:
    """Where a form's static media live: ``<stem>-media/`` beside it (the pyxform convention)."""
    return xlsform.parent / f"{xlsform.stem}-media"


def current_version(session: Session, form_id: str) -> FormVersion:
    """The version phones should download now."""
    form = session.get(Form, form_id) if form_id.isprintable() else None
    if form is None:
        raise NotFound(ErrorCode.FORM_NOT_FOUND, form_id=form_id)
    version = session.scalar(
        select(FormVersion).where(
            FormVersion.form_id == form_id, FormVersion.version == form.current_version
        )
    )
    if version is None:  # pragma: no cover - guarded by publish()
        raise NotFound(ErrorCode.FORM_NOT_FOUND, form_id=form_id)
    return version


def listed_forms(session: Session) -> list[tuple[Form, FormVersion]]:
    """Forms phones may download (not closing or closed, as in ODK Central), current version."""
    rows = session.execute(
        select(Form, FormVersion)
        .join(
            FormVersion,
            (FormVersion.form_id == Form.form_id) & (FormVersion.version == Form.current_version),
        )
        .where(Form.state == "open")
        .order_by(Form.form_id)
    )
    return [(form, version) for form, version in rows]


def media_content(session: Session, attachment: FormAttachment) -> bytes:
    """The bytes of a form attachment, generated ones built now."""
    if attachment.generated:
        return GENERATED_MEDIA[attachment.name](session)
    assert attachment.content is not None
    return attachment.content


def find_attachment(session: Session, form_id: str, name: str) -> FormAttachment:
    """The attachment ``name`` of the current version of ``form_id``."""
    version = current_version(session, form_id)
    for attachment in version.attachments:
        if attachment.name == name:
            return attachment
    raise NotFound(ErrorCode.FORM_MEDIA_NOT_FOUND, form_id=form_id, name=name)


def spec_of(session: Session, form_id: str) -> formspec.FormSpec:
    """The spec of the current version of ``form_id``."""
    version = current_version(session, form_id)
    return formspec.spec_for(version.md5, version.xml)
