"""Attachment files: stored by content hash under the media folder, written crash-safely.

A file is streamed to a temporary name inside the media folder while it is hashed, flushed
to disk, then renamed to ``<sha256[:2]>/<sha256>``. The rename is atomic, so a reader never
sees half a file, and a name derived from the content can never overwrite another
submission's different file, whatever name the client gave it (``../../etc/passwd``
included: client names are only ever stored as data). The database row that points at the
file is committed after the rename; a crash in between leaves an unreferenced file, never a
row without its file.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ingest.errors import ErrorCode, Unavailable

CHUNK = 1 << 16


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file in the store: its SHA-256 (also its address) and size in bytes."""

    sha256: str
    size: int


class MediaStore:
    """A content-addressed file store rooted at ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the file with this hash lives."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def put(self, stream: IO[bytes]) -> StoredFile:
        """Store the bytes of ``stream``; raise :class:`Unavailable` if the disk refuses."""
        tmp_dir = self.root / "tmp"
        try:
            tmp_dir.mkdir(parents=True, exist_ok=True)
            tmp = tmp_dir / f"upload-{secrets.token_hex(8)}"
            digest = hashlib.sha256()
            size = 0
            with tmp.open("wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            stored = StoredFile(digest.hexdigest(), size)
            final = self.path(stored.sha256)
            final.parent.mkdir(exist_ok=True)
            os.replace(tmp, final)
        except OSError as exc:
            _discard(locals().get("tmp"))
            raise Unavailable(ErrorCode.MEDIA_UNWRITABLE) from exc
        return stored


def _discard(path: object) -> None:
    if isinstance(path, Path):
        path.unlink(missing_ok=True)
