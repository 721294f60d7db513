"""Forms: XLSForm compilation and the form registry, the XForm's spec, its XPath and validation.

``from ingest import forms`` reads as the form registry (publish, versions, media); the stage's
other modules are imported by name (``ingest.forms.formspec``, ``ingest.forms.validate``…).
"""

from __future__ import annotations

from ingest.forms.registry import (
    NS,
    XLSFORM_SUFFIXES,
    CompiledForm,
    PublishResult,
    compile_xlsform,
    current_version,
    find_attachment,
    listed_forms,
    media_content,
    media_dir_for,
    media_names,
    publish,
    spec_of,
    xlsform_files,
)

__all__ = [
    "NS",
    "XLSFORM_SUFFIXES",
    "CompiledForm",
    "PublishResult",
    "compile_xlsform",
    "current_version",
    "find_attachment",
    "listed_forms",
    "media_content",
    "media_dir_for",
    "media_names",
    "publish",
    "spec_of",
    "xlsform_files",
]
