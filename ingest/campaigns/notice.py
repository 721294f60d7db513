"""A campaign's privacy notice: its text as people read it, and the hash that names it.

The notice is part of the campaign's definition (``[privacy.notice]``, one text per part of
:data:`~ingest.campaigns.definition.NOTICE_PARTS`, in Vietnamese and English). Its rendering
(:func:`render`) is what each person form shows in its notice note, before the consent
question; publishing checks that the form shows exactly that (:func:`form_mismatch`). A
record's notice is the one its form version showed: :func:`of_form` hashes that note, so the
hash names what the person read, whichever campaign definition is in force today.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

from ingest.campaigns.definition import NOTICE_PARTS, Privacy
from ingest.forms.formspec import FormSpec

#: The notice's title and each part's heading, per language.
HEADINGS: Mapping[str, Mapping[str, str]] = {
    "vi": {
        "title": "Thông báo xử lý dữ liệu cá nhân",
        "controller": "Bên kiểm soát dữ liệu",
        "purpose": "Mục đích",
        "data": "Dữ liệu thu thập",
        "retention": "Thời gian lưu trữ",
        "rights": "Quyền của Anh/Chị",
        "contact": "Liên hệ",
    },
    "en": {
        "title": "Notice on the processing of personal data",
        "controller": "Data controller",
        "purpose": "Purpose",
        "data": "Data collected",
        "retention": "Retention",
        "rights": "Your rights",
        "contact": "Contact",
    },
}
LANGUAGES = tuple(HEADINGS)
_SPACE = re.compile(r"\s+")
_LANGUAGE = re.compile(r"\((\w+)\)\s*$")


def render(privacy: Privacy, lang: str) -> str:
    """The notice in ``lang`` as a form note shows it (ODK's Markdown: bold headings)."""
    headings = HEADINGS[lang]
    parts = [f"**{headings['title']}**"]
    for part in NOTICE_PARTS:
        text = privacy.notice.get(part, {}).get(lang, "").strip()
        if text:
            parts.append(f"**{headings[part]}:** {text}")
    return "\n\n".join(parts)


def texts(privacy: Privacy) -> dict[str, str]:
    """The notice in every language, by language code (empty: the campaign has none)."""
    if not privacy.notice:
        return {}
    return {lang: render(privacy, lang) for lang in LANGUAGES}


def digest(by_language: Mapping[str, str]) -> str | None:
    """The hash that names a notice: SHA-256 of its texts by language, spaces folded (None
    for no text)."""
    folded = {k: _SPACE.sub(" ", v).strip() for k, v in by_language.items() if v.strip()}
    if not folded:
        return None
    canonical = json.dumps(folded, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def note_texts(spec: FormSpec, note: str | None) -> dict[str, str]:
    """What a form version's notice note says, by language code (empty: no such note)."""
    if not note or note not in spec.fields:
        return {}
    out = {}
    for language, text in spec.fields[note].labels.items():
        match = _LANGUAGE.search(language)
        code = match.group(1).lower() if match else language.strip().lower()[:2]
        out[code] = text
    return out


def of_form(spec: FormSpec, note: str | None) -> str | None:
    """The hash of the notice a form version shows (None: it shows none)."""
    return digest(note_texts(spec, note))


def form_mismatch(privacy: Privacy, spec: FormSpec) -> list[str]:
    """The languages in which ``spec``'s notice note does not show the campaign's notice."""
    wanted = texts(privacy)
    shown = note_texts(spec, privacy.notice_note)
    return [
        lang for lang, text in wanted.items()
        if digest({lang: text}) != digest({lang: shown.get(lang, "")})
    ]  # fmt: skip
