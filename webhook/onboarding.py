"""Onboarding collectors' phones: ODK Collect settings and their QR code.

A settings QR code is what ODK Collect scans to add a project (docs.getodk.org,
"Settings QR codes"): a JSON object with ``general``, ``admin`` and ``project`` sections,
zlib-compressed, then base64-encoded. Keys absent from the code are reset to Collect's
defaults when it is scanned, so the code carries every setting the campaign relies on. The
project Collect adds is named after the campaign (its title) and the collector's unit.

The collector's credential is a URL token, as ODK Central does for App Users: the server
URL is ``<base>/key/<token>``, Collect appends ``/formList`` and ``/submission`` to it, and
no password travels in the code. Making a new code issues a new token, which ends the old
one: a lost phone is dealt with by printing a new QR code.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import zlib
from typing import Any

import segno

#: The project's name when no campaign is named (the default campaign's title is better:
#: ``vssid collect-qr`` passes it).
PROJECT_NAME = "VssID – BHXH Quận 10"
#: Collect shows the project as a coloured circle with one character in it (every shipped
#: campaign is about an app whose name starts with a V: VssID, VNeID).
PROJECT_ICON = "V"
PROJECT_COLOR = "#1565c0"
#: Large enough modules to scan from a printed A5 sheet with a mid-range phone camera.
QR_SCALE = 8
QR_BORDER = 4  # the quiet zone the QR standard asks for


def token_url(base_url: str, token: str) -> str:
    """The server URL a collector's phone uses: ``<base>/key/<token>`` (no trailing slash,
    as Collect appends ``/formList`` itself)."""
    return f"{base_url.rstrip('/')}/key/{token}"


def project_name(unit_name: str | None = None, campaign_title: str | None = None) -> str:
    """The name Collect shows for the project: the campaign's title, with the collector's unit
    when there is one."""
    title = campaign_title or PROJECT_NAME
    return f"{title} – {unit_name}" if unit_name else title


def collect_settings(server_url: str, username: str, project_name: str) -> dict[str, Any]:
    """ODK Collect settings for one collector (keys as in Collect's ``ProjectKeys``)."""
    return {
        "general": {
            "protocol": "odk_default",
            "server_url": server_url,
            # Fills the form's ``username`` metadata: a token URL has no server username.
            "metadata_username": username,
            # Forms on the phone mirror the server: a new version replaces the old one and a
            # closed form disappears, so nobody fills an outdated form.
            "form_update_mode": "match_exactly",
            "autosend": "wifi_and_cellular",
            # Records hold BHXH codes and phone numbers on personal phones: once the server
            # has them, the phone need not keep them.
            "delete_send": True,
        },
        # The token URL is the credential: keep it out of the general settings screen. A
        # phone that needs another server scans another code.
        "admin": {"change_server": False},
        "project": {"name": project_name, "icon": PROJECT_ICON, "color": PROJECT_COLOR},
    }


def encode_settings(settings: dict[str, Any]) -> str:
    """The text a settings QR code holds: base64(zlib(JSON))."""
    data = json.dumps(settings, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def decode_settings(payload: str) -> dict[str, Any]:
    """The settings in a QR code's text (the inverse of :func:`encode_settings`)."""
    try:
        data = zlib.decompress(base64.b64decode(payload.strip(), validate=True))
        settings = json.loads(data.decode("utf-8"))
    except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not an ODK Collect settings code: {error}") from error
    if not isinstance(settings, dict) or not {"general", "admin"} <= settings.keys():
        raise ValueError("not an ODK Collect settings code: 'general' and 'admin' are required")
    return settings


def qr_png(settings: dict[str, Any]) -> bytes:
    """A PNG of the settings QR code, error correction M, large enough to print."""
    code = segno.make(encode_settings(settings), error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    code.save(out, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()


def masked(url: str, visible: int = 4) -> str:
    """``url`` with its token hidden but for the last ``visible`` characters."""
    head, marker, token = url.rpartition("/key/")
    if not marker:
        return url
    token = token.rstrip("/")
    shown = token[-visible:] if len(token) > visible else ""
    return f"{head}/key/{'*' * max(len(token) - len(shown), 4)}{shown}"
