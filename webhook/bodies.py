"""Request bodies and their size limit (``VSSID_MAX_CONTENT_LENGTH``), chunked ones included.

Werkzeug refuses a body whose ``Content-Length`` is over the limit, but a chunked body has no
length: it reads such a body up to the limit and then stops, without an error, so a larger
body was cut there and used as if it were whole (a cut Kobo payload stored as malformed, with
a 400). :class:`Request` reads a body of unknown length to one byte past the limit: that byte
makes it a 413, like a body that says its length.

When a body is refused, a bounded part of what the client is still sending is read and
dropped (:func:`drain`), so that it reads the answer instead of a reset connection.
"""

from __future__ import annotations

from typing import IO, cast

from flask import Request as FlaskRequest
from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

#: The most of a refused body read (and dropped) so that the client still reads the answer.
DRAIN_LIMIT = 16 * 1024 * 1024


def too_large(limit: int) -> RequestEntityTooLarge:
    """The 413 of a body larger than ``limit`` bytes, in words a person reads."""
    return RequestEntityTooLarge(
        f"Dữ liệu gửi lên quá lớn (tối đa {limit} byte). "
        "(The submission is larger than the server accepts.)"
    )


def refuse_too_large() -> None:
    """413 for a body that says it is larger than the limit, before anything reads it (a
    chunked one is refused while it is read: :class:`Request`)."""
    length, limit = request.content_length, current_app.config["MAX_CONTENT_LENGTH"]
    if length is not None and limit is not None and length > limit:
        # Read (and drop) a bounded amount, so that a client still sending gets the 413
        # instead of a reset connection.
        drain(request.environ["wsgi.input"], min(length, DRAIN_LIMIT))
        raise too_large(limit)


def drain(stream: IO[bytes], most: int = DRAIN_LIMIT) -> None:
    """Read and drop at most ``most`` bytes of what is left of ``stream``."""
    left = most
    while left > 0 and (chunk := stream.read(min(65536, left))):
        left -= len(chunk)


class CappedStream(LimitedStream):
    """A body of unknown length, read to at most ``limit`` bytes: one more is a 413."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        super().__init__(stream, limit + 1, is_max=True)
        self.allowed = limit
        self.source = stream

    def readinto(self, b: bytearray) -> int | None:  # type: ignore[override]
        size = super().readinto(b)
        if self.tell() > self.allowed:
            drain(self.source)
            raise too_large(self.allowed)
        return size


class Request(FlaskRequest):
    """Flask's request, with the size limit applied to chunked bodies too."""

    @cached_property
    def stream(self) -> IO[bytes]:
        limit = self.max_content_length
        terminated = self.environ.get("wsgi.input_terminated")
        if self.content_length is None and limit is not None and terminated:
            return cast(IO[bytes], CappedStream(self.environ["wsgi.input"], limit))
        return super().stream
