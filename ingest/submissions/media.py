"""Attachment files: stored by content hash under the media folder, written crash-safely.

A file is streamed to a temporary name inside the media folder while it is hashed, flushed
to disk, then renamed to ``<sha256[:2]>/<sha256>``. The rename is atomic, so a reader never
sees half a file, and a name derived from the content can never overwrite another
submission's different file, whatever name the client gave it (``../../etc/passwd``
included: client names are only ever stored as data). The database row that points at the
file is committed after the rename; a crash in between leaves an unreferenced file, never a
row without its file. :func:`collect_garbage` (``vssid media gc``) removes such files, and
temporary files a crash left behind, once they are older than a grace period.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ingest.errors import ErrorCode, Unavailable
from ingest.models import SubmissionAttachment

CHUNK = 1 << 16
#: Files of requests still in flight are younger than this (seconds): never collected.
DEFAULT_GRACE = 3600
_SHA256 = re.compile(r"[0-9a-f]{64}")
_BATCH = 500


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

    def content_files(self) -> Iterator[Path]:
        """Every stored file (``<sha256[:2]>/<sha256>``), in no particular order."""
        for folder in _folders(self.root):
            if len(folder.name) == 2:
                for path in _files(folder):
                    if _SHA256.fullmatch(path.name) and path.name[:2] == folder.name:
                        yield path

    def temporary_files(self) -> Iterator[Path]:
        """Uploads being written, or left half-written by a crash."""
        yield from (p for p in _files(self.root / "tmp") if p.name.startswith("upload-"))


@dataclass(frozen=True, slots=True)
class Sweep:
    """What :func:`collect_garbage` did: paths relative to the media folder."""

    removed: tuple[str, ...]
    removed_bytes: int
    kept_recent: tuple[str, ...]
    referenced: int


def collect_garbage(
    session: Session, store: MediaStore, older_than: float, now: float, dry_run: bool = False
) -> Sweep:
    """Remove stored files no submission refers to, and abandoned temporary files, once
    their last write is more than ``older_than`` seconds before ``now``.

    A crash between writing a file and committing its row leaves such a file; it is harmless
    but takes space. The grace period protects requests in flight: ``put`` replaces a file
    even when the same content is there already, so a file about to be referenced is always
    a fresh one. Candidates are listed *before* the database is asked which are referenced,
    and a candidate that changed since (a new upload of the same content) is left alone.
    """
    cutoff = now - older_than
    candidates: dict[str, os.stat_result] = {}
    recent: list[str] = []
    for path in store.content_files():
        info = _stat(path)
        if info is None:
            continue
        if info.st_mtime <= cutoff:
            candidates[path.name] = info
        else:
            recent.append(path.name)
    wanted = _referenced(session, [*candidates, *recent])
    removed: list[str] = []
    removed_bytes = 0
    for sha256, info in sorted(candidates.items()):
        if sha256 not in wanted and _remove(store.path(sha256), info, dry_run):
            removed.append(f"{sha256[:2]}/{sha256}")
            removed_bytes += info.st_size
    for path in sorted(store.temporary_files()):
        info = _stat(path)
        if info is not None and info.st_mtime <= cutoff and _remove(path, info, dry_run):
            removed.append(f"tmp/{path.name}")
            removed_bytes += info.st_size
    kept = tuple(f"{h[:2]}/{h}" for h in sorted(recent) if h not in wanted)
    return Sweep(tuple(removed), removed_bytes, kept, len(wanted))


def _referenced(session: Session, hashes: list[str]) -> set[str]:
    """Which of ``hashes`` an attachment row refers to (asked in batches: memory stays flat)."""
    found: set[str] = set()
    for start in range(0, len(hashes), _BATCH):
        batch = hashes[start : start + _BATCH]
        found.update(
            session.scalars(
                select(SubmissionAttachment.sha256)
                .where(SubmissionAttachment.sha256.in_(batch))
                .distinct()
            )
        )
    return found


def _remove(path: Path, seen: os.stat_result, dry_run: bool) -> bool:
    """Unlink ``path`` if it is still the file ``seen`` describes."""
    now = _stat(path)
    if now is None or (now.st_ino, now.st_mtime_ns) != (seen.st_ino, seen.st_mtime_ns):
        return False
    if not dry_run:
        path.unlink(missing_ok=True)
    return True


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


def _folders(root: Path) -> Iterator[Path]:
    try:
        entries = list(os.scandir(root))
    except (FileNotFoundError, NotADirectoryError):
        return
    yield from (Path(e.path) for e in entries if e.is_dir(follow_symlinks=False))


def _files(folder: Path) -> Iterator[Path]:
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    yield from (Path(e.path) for e in entries if e.is_file(follow_symlinks=False))


def _discard(path: object) -> None:
    if isinstance(path, Path):
        path.unlink(missing_ok=True)
