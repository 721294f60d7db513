"""Bulk import: rows of a spreadsheet entered into the log as submissions (source ``import``).

Many units keep their list in Excel. A CSV or XLSX whose columns are the form's field names
(a KoboToolbox or ODK Central export with its group prefixes and system columns, or a unit's
own sheet in that layout) becomes one submission per row, stored as a JSON object in Kobo's
shape, so it goes through the same validation and projection as anything else. A row's
instance ID is its export ID when it has one, else derived from its answers, so importing the
same file again stores nothing twice.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ingest.forms import formspec
from ingest.registry import tabular
from ingest.submissions.intake import Incoming

#: System columns of Kobo and ODK Central exports that are not answers.
ID_COLUMNS = ("meta/instanceid", "meta-instanceid", "instanceid", "key", "_uuid")
TIME_COLUMNS = ("end", "_submission_time", "submissiondate")
SKIPPED_PREFIXES = ("_",)
SKIPPED_COLUMNS = frozenset(
    {
        "submissiondate", "submitterid", "submittername", "attachmentspresent",
        "attachmentsexpected", "status", "reviewstate", "deviceid", "edits", "formversion",
        "key", "instanceid", "meta-instanceid", "meta/instanceid", "meta/rootuuid",
        "meta-rootuuid", "meta/deprecatedid", "formhub/uuid", "__version__",
    }
)  # fmt: skip
IMPORT_NAMESPACE = uuid.UUID("6f0d1c9e-5b1a-4e5e-9f0a-7d3c2b1a0e9f")


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One spreadsheet row as a submission to store, with its row number."""

    number: int
    incoming: Incoming
    instance_id: str


def column_map(headers: list[str], spec: formspec.FormSpec) -> dict[str, str]:
    """Spreadsheet header -> form path: exact, ``group-field`` (Central), or a unique leaf."""
    leaves: dict[str, list[str]] = {}
    for path in spec.fields:
        leaves.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    multiples = {p for p, f in spec.fields.items() if f.kind == "select_multiple"}
    mapping: dict[str, str] = {}
    for header in headers:
        name = header.strip()
        if name in spec.fields:
            mapping[header] = name
            continue
        if name.lower() in SKIPPED_COLUMNS or name.startswith(SKIPPED_PREFIXES):
            continue
        slashed = name.replace("-", "/")
        if name.endswith("_URL") or ("/" in slashed and slashed.rsplit("/", 1)[0] in multiples):
            continue  # Kobo's attachment links and one-column-per-choice copies
        candidates = [name, name.replace("-", "/"), name.replace(".", "/")]
        match = next((c for c in candidates if c in spec.fields), None)
        if match is None:
            leaf = name.replace("-", "/").rsplit("/", 1)[-1]
            match = leaves[leaf][0] if len(leaves.get(leaf, [])) == 1 else name
        mapping[header] = match
    return mapping


def read_import(
    path: Path,
    form_id: str,
    spec: formspec.FormSpec,
    submitter: str | None,
    received_at: datetime,
) -> Iterator[ImportRow]:
    """The rows of ``path`` as submissions of ``form_id``."""
    headers, rows = tabular.read_table(path)
    mapping = column_map(headers, spec)
    lowered = {h.lower(): h for h in headers}
    for row in rows:
        answers = {mapping[h]: v for h, v in row.cells.items() if h in mapping and v != ""}
        instance_id = _instance_id(row.cells, lowered) or _derived_id(form_id, answers)
        document: dict[str, Any] = {
            **answers,
            "meta/instanceID": instance_id,
            "_xform_id_string": form_id,
            "_import_file": path.name,
            "_import_row": row.number,
        }
        submitted = _first(row.cells, lowered, TIME_COLUMNS)
        if submitted and "end" not in document:
            document["_submission_time"] = submitted
        payload = json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")
        incoming = Incoming(
            source="import",
            payload=payload,
            content_type="application/json",
            submitter=submitter,
            received_at=received_at,
            headers={"file": path.name, "row": str(row.number)},
            form_hint=form_id,
        )
        yield ImportRow(row.number, incoming, instance_id)


def _first(cells: dict[str, str], lowered: dict[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        header = lowered.get(name)
        if header is not None and cells.get(header):
            return cells[header]
    return None


def _instance_id(cells: dict[str, str], lowered: dict[str, str]) -> str | None:
    value = _first(cells, lowered, ID_COLUMNS)
    if not value:
        return None
    return value if value.startswith("uuid:") else f"uuid:{value}"


def _derived_id(form_id: str, answers: dict[str, Any]) -> str:
    canonical = json.dumps(answers, ensure_ascii=False, sort_keys=True)
    return f"uuid:{uuid.uuid5(IMPORT_NAMESPACE, f'{form_id}:{canonical}')}"
