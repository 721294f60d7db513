"""A small RFC 7616 Digest client for tests, answering challenges the way ODK Collect does."""

from __future__ import annotations

import hashlib
import os

from werkzeug.http import parse_dict_header


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def parse_challenges(values: list[str]) -> dict[str, dict[str, str]]:
    """``{"digest": {...}, "basic": {...}}`` from WWW-Authenticate header values."""
    result = {}
    for value in values:
        scheme, _, rest = value.partition(" ")
        result[scheme.lower()] = parse_dict_header(rest)
    return result


def authorization(
    challenge: dict[str, str],
    method: str,
    uri: str,
    username: str,
    password: str,
    nc: int = 1,
) -> str:
    """The Authorization header answering ``challenge`` (qop=auth, MD5)."""
    cnonce = os.urandom(8).hex()
    ha1 = _md5(f"{username}:{challenge['realm']}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    nc_text = f"{nc:08x}"
    response = _md5(f"{ha1}:{challenge['nonce']}:{nc_text}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{username}", realm="{challenge["realm"]}", '
        f'nonce="{challenge["nonce"]}", uri="{uri}", algorithm=MD5, response="{response}", '
        f'opaque="{challenge.get("opaque", "")}", qop=auth, nc={nc_text}, cnonce="{cnonce}"'
    )
