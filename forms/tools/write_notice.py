"""Write each campaign's privacy notice into its forms, and raise their versions.

    .venv/bin/python forms/tools/write_notice.py [--forms forms]

A campaign's notice is data in its definition (``[privacy.notice]`` in
``<id>.campaign.toml``: who controls the data, why, which data, how long, the person's
rights, whom to ask). Every person form shows it, rendered by ``ingest.campaigns.notice``, in
its notice note (``privacy.notice_note``) before the consent question, and publishing refuses
a form whose note says anything else. This tool writes the rendered notice into that note's
Vietnamese and English labels of each XLSForm the campaign lists that has the note, and,
where the text changed, raises the form's version (a published version never changes).
Run it after editing a notice, and after ``build_campaign_forms.py`` or
``build_selfreport_form.py`` (they write older texts).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ingest.campaigns.definition import Privacy
from ingest.campaigns.notice import render


def next_version(current: str, today: date) -> str:
    """A version above ``current``: today's ``YYYYMMDDNN``, or ``current`` + 1."""
    start = int(today.strftime("%Y%m%d")) * 100 + 1
    return str(max(start, int(current) + 1 if current.isdigit() else start))


def write(form: Path, note: str, texts: dict[str, str], today: date) -> str | None:
    """Put ``texts`` (by language code) in ``form``'s ``note``; its new version, or None if
    the form has no such note or already shows the notice."""
    book = load_workbook(form)
    survey = book["survey"]
    header = [cell.value for cell in survey[1]]
    columns = {
        lang: header.index(name) + 1
        for name in header
        if isinstance(name, str) and name.startswith("label::")
        for lang in texts
        if name.rstrip().endswith(f"({lang})")
    }
    name_column = header.index("name") + 1
    changed = found = False
    for row in range(2, survey.max_row + 1):
        if survey.cell(row, name_column).value != note:
            continue
        found = True
        for lang, column in columns.items():
            if survey.cell(row, column).value != texts[lang]:
                survey.cell(row, column).value = texts[lang]
                changed = True
    if not found or not changed:
        return None
    settings = book["settings"]
    s_header = [cell.value for cell in settings[1]]
    cell = settings.cell(2, s_header.index("version") + 1)
    cell.value = next_version(str(cell.value or ""), today)
    book.save(form)
    return str(cell.value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    for definition in sorted(args.forms.glob("*.campaign.toml")):
        data = tomllib.loads(definition.read_text("utf-8"))
        privacy = data.get("privacy") or {}
        notice, note = privacy.get("notice"), privacy.get("notice_note")
        if not notice or not note:
            continue
        texts = {lang: render(Privacy(notice=notice), lang) for lang in ("vi", "en")}
        for name in data.get("forms", []):
            version = write(definition.parent / name, note, texts, date.today())
            print(f"{name}: {'version ' + version if version else 'unchanged'}")


if __name__ == "__main__":
    main()
