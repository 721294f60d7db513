"""The content-addressed attachment store (ingest/media.py)."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from ingest.errors import Unavailable
from ingest.submissions.media import CHUNK, MediaStore, StoredFile

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def files_under(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file())


def test_put__stored_by_sha256_with_size_and_content(tmp_path: Path):
    store = MediaStore(tmp_path / "media")
    stored = store.put(io.BytesIO(PHOTO))
    digest = hashlib.sha256(PHOTO).hexdigest()
    assert stored == StoredFile(digest, len(PHOTO))
    assert store.path(digest) == tmp_path / "media" / digest[:2] / digest
    assert store.path(digest).read_bytes() == PHOTO
    assert files_under(tmp_path / "media") == [Path(digest[:2]) / digest]


def test_put__larger_than_one_chunk(tmp_path: Path):
    content = os.urandom(3 * CHUNK + 17)
    stored = MediaStore(tmp_path).put(io.BytesIO(content))
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert MediaStore(tmp_path).path(stored.sha256).read_bytes() == content


def test_put__empty_file(tmp_path: Path):
    stored = MediaStore(tmp_path).put(io.BytesIO(b""))
    assert stored == StoredFile(hashlib.sha256(b"").hexdigest(), 0)
    assert MediaStore(tmp_path).path(stored.sha256).read_bytes() == b""


def test_put__same_content_twice__one_file(tmp_path: Path):
    store = MediaStore(tmp_path)
    first = store.put(io.BytesIO(PHOTO))
    second = store.put(io.BytesIO(PHOTO))
    assert first == second
    assert len(files_under(tmp_path)) == 1
    assert store.path(first.sha256).read_bytes() == PHOTO


def test_put__different_content__two_files(tmp_path: Path):
    store = MediaStore(tmp_path)
    a, b = store.put(io.BytesIO(b"a")), store.put(io.BytesIO(b"b"))
    assert a.sha256 != b.sha256
    assert len(files_under(tmp_path)) == 2


def test_put__leaves_no_temporary_file(tmp_path: Path):
    store = MediaStore(tmp_path)
    store.put(io.BytesIO(PHOTO))
    store.put(io.BytesIO(PHOTO))
    assert (tmp_path / "tmp").is_dir()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_put__read_only_media_dir__unavailable(tmp_path: Path):
    root = tmp_path / "media"
    root.mkdir()
    root.chmod(0o500)
    try:
        if os.access(root, os.W_OK):
            pytest.skip("running as root: chmod does not stop writes")
        with pytest.raises(Unavailable) as caught:
            MediaStore(root).put(io.BytesIO(PHOTO))
        assert caught.value.code == "service.media_unwritable"
    finally:
        root.chmod(0o700)


def test_put__media_path_is_a_file__unavailable(tmp_path: Path):
    root = tmp_path / "media"
    root.write_bytes(b"not a folder")
    with pytest.raises(Unavailable) as caught:
        MediaStore(root).put(io.BytesIO(PHOTO))
    assert caught.value.code == "service.media_unwritable"
    assert root.read_bytes() == b"not a folder"


def test_put__final_folder_blocked__unavailable_and_temporary_file_removed(tmp_path: Path):
    digest = hashlib.sha256(PHOTO).hexdigest()
    (tmp_path / digest[:2]).write_bytes(b"in the way")
    with pytest.raises(Unavailable) as caught:
        MediaStore(tmp_path).put(io.BytesIO(PHOTO))
    assert caught.value.code == "service.media_unwritable"
    assert list((tmp_path / "tmp").iterdir()) == []


def test_put__stream_fails_midway__unavailable_and_temporary_file_removed(tmp_path: Path):
    class Broken(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 1:
                raise OSError("disk went away")
            return b"x" * CHUNK

    with pytest.raises(Unavailable):
        MediaStore(tmp_path).put(Broken())
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "",
        "a" * 63,
        "a" * 65,
        "A" * 64,
        "g" * 64,
        "../" + "a" * 61,
        "a" * 62 + "/.",
        "a" * 63 + "\n",
    ],
)
def test_path__refuses_non_hex_names(tmp_path: Path, name: str):
    with pytest.raises(ValueError, match="SHA-256"):
        MediaStore(tmp_path).path(name)


def test_path__hex_digest_accepted(tmp_path: Path):
    digest = "0123456789abcdef" * 4
    assert MediaStore(tmp_path).path(digest) == tmp_path / "01" / digest
