"""Collecting attachment files no submission refers to (``vssid media gc``)."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from ingest.models import Submission, SubmissionAttachment
from ingest.submissions.media import MediaStore, collect_garbage

HOUR = 3600


def referenced_by_a_row(session: Session, store: MediaStore, content: bytes) -> str:
    stored = store.put(io.BytesIO(content))
    digest = hashlib.sha256(b"<x/>").hexdigest()
    row = Submission(
        source="openrosa", payload=b"<x/>", payload_sha256=digest, content_sha256=digest
    )
    row.attachments.append(
        SubmissionAttachment(name="a.jpg", sha256=stored.sha256, size=stored.size)
    )
    session.add(row)
    session.commit()
    return stored.sha256


def aged(path: Path, seconds: float) -> Path:
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


def layout(app: Flask, session: Session) -> tuple[MediaStore, dict[str, Path]]:
    """A referenced file, an old and a new orphan, an old and a new temporary upload."""
    store = MediaStore(Path(app.config["MEDIA_DIR"]))
    kept = referenced_by_a_row(session, store, b"kept")
    aged(store.path(kept), 2 * HOUR)
    old = aged(store.path(store.put(io.BytesIO(b"old orphan")).sha256), 2 * HOUR)
    new = store.path(store.put(io.BytesIO(b"new orphan")).sha256)
    (store.root / "tmp").mkdir(exist_ok=True)
    crashed = store.root / "tmp" / "upload-0123456789abcdef"
    crashed.write_bytes(b"half")
    aged(crashed, 2 * HOUR)
    writing = store.root / "tmp" / "upload-fedcba9876543210"
    writing.write_bytes(b"in flight")
    stray = store.root / "README.txt"
    stray.write_text("not ours")
    aged(stray, 2 * HOUR)
    paths = {"kept": store.path(kept), "old": old, "new": new, "crashed": crashed}
    return store, paths | {"writing": writing, "stray": stray}


def test_collect_garbage__old_orphans_and_abandoned_uploads_go__the_rest_stays(
    app: Flask, session: Session
) -> None:
    store, paths = layout(app, session)

    sweep = collect_garbage(session, store, HOUR, time.time())

    old, new = paths["old"], paths["new"]
    assert sweep.removed == (f"{old.parent.name}/{old.name}", f"tmp/{paths['crashed'].name}")
    assert sweep.removed_bytes == len(b"old orphan") + len(b"half")
    assert sweep.kept_recent == (f"{new.parent.name}/{new.name}",)
    assert sweep.referenced == 1
    gone = {name for name, path in paths.items() if not path.exists()}
    assert gone == {"old", "crashed"}


def test_collect_garbage__no_grace__every_unreferenced_file_goes(
    app: Flask, session: Session
) -> None:
    store, paths = layout(app, session)

    sweep = collect_garbage(session, store, 0, time.time())

    assert len(sweep.removed) == 4
    assert sweep.kept_recent == ()
    assert {p.name for p in store.content_files()} == {paths["kept"].name}
    assert paths["stray"].exists()  # not a name the store gives: never touched


def test_collect_garbage__dry_run__removes_nothing(app: Flask, session: Session) -> None:
    store, paths = layout(app, session)

    sweep = collect_garbage(session, store, 0, time.time(), dry_run=True)

    assert len(sweep.removed) == 4
    assert all(path.exists() for path in paths.values())


def test_collect_garbage__no_media_folder_yet__nothing_to_do(
    tmp_path: Path, session: Session
) -> None:
    sweep = collect_garbage(session, MediaStore(tmp_path / "none"), 0, time.time())

    assert (sweep.removed, sweep.kept_recent, sweep.referenced) == ((), (), 0)


def test_media_gc_cli__reports_removed_and_kept(
    app: Flask, session: Session, runner: FlaskCliRunner
) -> None:
    _store, paths = layout(app, session)

    result = runner.invoke(args=["media", "gc"])

    assert result.exit_code == 0, result.output
    old, new = paths["old"], paths["new"]
    assert f"removed: {old.parent.name}/{old.name}" in result.output
    assert f"kept (newer than 3600 s): {new.parent.name}/{new.name}" in result.output
    assert (
        "Removed 2 files (14 bytes); kept 1 unreferenced files newer than 3600 s; "
        "1 files referenced." in result.output
    )
    assert not old.exists() and new.exists()


def test_media_gc_cli__dry_run_then_older_than_0(
    app: Flask, session: Session, runner: FlaskCliRunner
) -> None:
    _store, paths = layout(app, session)

    dry = runner.invoke(args=["media", "gc", "--older-than", "0", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would remove 4 files" in dry.output
    assert all(path.exists() for path in paths.values())

    real = runner.invoke(args=["media", "gc", "--older-than", "0"])
    assert "Removed 4 files" in real.output
    assert {n for n, p in paths.items() if p.exists()} == {"kept", "stray"}


def test_media_gc_cli__negative_grace__usage_error(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["media", "gc", "--older-than", "-1"])
    assert result.exit_code == 2


def test_collect_garbage__same_content_uploaded_meanwhile__file_stays(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An old orphan that a request stores again while gc runs (its row not yet committed)
    is a new file by then: gc leaves it."""
    from ingest.submissions import media

    store = MediaStore(Path(app.config["MEDIA_DIR"]))
    orphan = aged(store.path(store.put(io.BytesIO(b"photo again")).sha256), 2 * HOUR)
    asked = media._referenced

    def upload_meanwhile(session: Session, hashes: list[str]) -> set[str]:
        store.put(io.BytesIO(b"photo again"))  # a request in flight: file now, row later
        return asked(session, hashes)

    monkeypatch.setattr(media, "_referenced", upload_meanwhile)
    sweep = collect_garbage(session, store, HOUR, time.time())

    assert sweep.removed == ()
    assert orphan.read_bytes() == b"photo again"
