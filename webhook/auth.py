"""Authentication for machine clients: HTTP Digest, HTTP Basic and URL tokens; and, for
the JSON API only, the dashboard's signed-in session.

ODK Collect speaks Digest over plain HTTP and Basic only over HTTPS, and only after a 401
challenge (docs/protocols.md §1.4), so every OpenRosa 401 offers both, or Basic alone where
the operator turned Digest off (``VSSID_DIGEST=off``: every phone on HTTPS, as ODK Central
has it). A collector onboarded by QR code uses ``/key/<token>/``: the token stands for the
password.

Digest nonces are a timestamp signed with the secret key, so any worker can tell its own
from a forged one; an expired nonce is answered with ``stale=true`` and Collect retries
without asking the user. Each response is accepted once: the (nonce, nonce count) that
authenticated a request is stored (``ingest.access.nonces``), and the ``uri`` the client
signed must be this request's target as the client sent it, percent-encoding and all.

Every password tried over Basic or Digest counts towards the sign-in form's lock-out (5 for
an account from one address pause it; ``webhook.lockout``), before it is checked.
A response that was right but is refused for another reason (a stale or foreign nonce, a
replay, another URI) was no guess and is not counted. An unknown username over Basic pays
the same scrypt as a wrong password.

A browser signed in to the dashboard may call the JSON API with its session cookie
(docs/architecture.md §5); credentials in the request win over the session. The OpenRosa and
Kobo endpoints never accept the session: they are exempt from CSRF tokens, so a cookie must not
authenticate them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from flask import current_app, g, request
from flask_login import current_user  # type: ignore[import-untyped]
from werkzeug.datastructures import Authorization
from werkzeug.exceptions import Forbidden, TooManyRequests, Unauthorized

from ingest.access import nonces
from ingest.errors import NotFound
from ingest.models import User
from ingest.registry.accounts import check_no_account, check_password, find_user, user_for_token
from webhook import lockout, policy
from webhook.database import get_session

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)

#: Blueprints that also accept the dashboard's signed-in session (the dashboard asks those
#: requests for a CSRF token when they come without credentials).
SESSION_BLUEPRINTS = frozenset({"api"})


def _md5(text: str) -> str:
    # Header values reach WSGI as latin-1 text: back to the bytes the client hashed.
    data = text.encode("latin-1") if max(text, default=" ") <= "\xff" else text.encode()
    return hashlib.md5(data).hexdigest()  # noqa: S324 (Digest as Collect speaks it)


def _nonce_signature(issued: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"nonce:{issued}".encode(), hashlib.sha256).hexdigest()[:32]


def make_nonce(now: float | None = None) -> str:
    """A nonce any worker can verify, unique to its challenge (two phones challenged in the
    same second must not share one): ``<unix time>-<random>-<HMAC of both>``."""
    issued = f"{int(now if now is not None else time.time())}-{secrets.token_hex(8)}"
    return f"{issued}-{_nonce_signature(issued)}"


def nonce_state(nonce: str, now: float | None = None) -> str:
    """``valid``, ``stale`` (ours but expired) or ``invalid`` (not ours)."""
    issued, _, signature = nonce.rpartition("-")
    timestamp = issued.partition("-")[0]
    # Bytes: compare_digest refuses str with non-ASCII characters (a client chose them).
    expected = _nonce_signature(issued).encode()
    if not hmac.compare_digest(signature.encode(), expected):
        return "invalid"
    if not (timestamp.isascii() and timestamp.isdigit()):  # pragma: no cover - signed by us
        return "invalid"
    age = (now if now is not None else time.time()) - int(timestamp)
    return "valid" if -60 <= age <= current_app.config["DIGEST_NONCE_TTL"] else "stale"


def challenge(stale: bool = False) -> list[str]:
    """The WWW-Authenticate values of a 401: Digest (MD5, qop=auth) unless turned off, then
    Basic."""
    realm = current_app.config["REALM"]
    basic = f'Basic realm="{realm}", charset="UTF-8"'
    if not current_app.config["DIGEST"]:
        return [basic]
    digest = (
        f'Digest realm="{realm}", qop="auth", algorithm=MD5, '
        f'nonce="{make_nonce()}", opaque="{_md5(realm)}"'
    )
    if stale:
        digest += ", stale=true"
    return [digest, basic]


class AuthFailed(Unauthorized):
    """401 carrying a fresh challenge (with ``stale`` when only the nonce was too old)."""

    description = (
        "Cần đăng nhập: kiểm tra tên đăng nhập và mật khẩu trong phần cài đặt máy chủ. "
        "(Sign-in required: check the username and password in the server settings.)"
    )

    def __init__(self, stale: bool = False) -> None:
        super().__init__()
        self.stale = stale
        self.challenges = challenge(stale)

    def get_headers(self, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        headers = super().get_headers(*args, **kwargs)
        return headers + [("WWW-Authenticate", value) for value in self.challenges]


def _request_target() -> str:
    """This request's target as the client wrote it on the request line: path and query,
    percent-encoded as it was (what a Digest client signs)."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    if raw:
        return str(raw)
    # A WSGI server that keeps no raw target: the path encoded as ODK Collect encodes it.
    path = request.environ.get("SCRIPT_NAME", "") + request.environ.get("PATH_INFO", "")
    query = request.environ.get("QUERY_STRING", "")
    target = quote(path.encode("latin-1"), safe="/:@!$&'()*+,;=-._~")
    return target + (f"?{query}" if query else "")


def _split_absolute(uri: str) -> tuple[str | None, str]:
    """``(host, path?query)`` of an absolute URI, ``(None, uri)`` of an origin-form one."""
    if uri.startswith("/"):
        return None, uri
    parts = urlsplit(uri)
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return "", uri  # neither: matches nothing
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.netloc.lower(), target


def _signed_this_request(uri: str) -> bool:
    """Whether the ``uri`` of a Digest response is this request: its target byte for byte
    (an absolute URI also names this host), never another path that merely ends the same."""
    host, target = _split_absolute(uri)
    if target != _split_absolute(_request_target())[1]:
        return False
    if host is None:
        return True
    public = current_app.config.get("PUBLIC_URL")
    hosts = {request.host.lower()} | ({urlsplit(public).netloc.lower()} if public else set())
    return host in hosts


NC = re.compile(r"^[0-9a-fA-F]{8}$")


def _digest_user(auth: Authorization) -> User:
    """The account whose Digest response this is; the attempt is counted first."""
    params = {k: v for k, v in auth.parameters.items() if v is not None}
    username = params.get("username", "")
    required = ("realm", "nonce", "uri", "response")
    if not username or any(not params.get(k) for k in required):
        raise AuthFailed()
    qop, nc, cnonce = params.get("qop"), params.get("nc", ""), params.get("cnonce", "")
    if params.get("algorithm", "MD5").upper() != "MD5" or qop not in {"auth", None}:
        raise AuthFailed()
    if qop == "auth" and (not NC.match(nc) or not cnonce):
        raise AuthFailed()
    attempt = _begin(username)
    try:
        user = find_user(get_session(), username)
    except NotFound:
        attempt.failed()
        raise AuthFailed() from None
    uri, nonce = params["uri"], params["nonce"]
    ha2 = _md5(f"{request.method}:{uri}")
    if qop == "auth":
        expected = _md5(f"{user.digest_ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
    else:
        expected = _md5(f"{user.digest_ha1}:{nonce}:{ha2}")
    response = params["response"].lower().encode("latin-1", errors="replace")
    right = hmac.compare_digest(expected.encode(), response)
    if not right or not user.is_active or params["realm"] != user.digest_realm:
        attempt.failed()
        raise AuthFailed()
    # The client knows the password from here on: what follows is no guess, and only now
    # may it learn that its nonce is merely stale.
    state = nonce_state(nonce)
    if state != "valid":
        attempt.void()
        raise AuthFailed(stale=state == "stale")
    if not _signed_this_request(uri):
        attempt.void()
        log.warning(
            "Digest response of %r signed %r, not this request's %r: a replay, or a proxy "
            "that rewrites the path", username, uri[:200], _request_target()[:200],
        )  # fmt: skip
        raise AuthFailed()
    expires = datetime.fromtimestamp(
        int(nonce.partition("-")[0]) + current_app.config["DIGEST_NONCE_TTL"] + 1, UTC
    )
    count = nc.lower() if qop == "auth" else ""
    if not attempt.succeeded(
        lambda session: nonces.use(session, nonce, count, expires, datetime.now(UTC))
    ):
        # Used before: a replay, or a client that counted wrong. A fresh nonce lets the
        # latter carry on by itself; the former gains nothing.
        log.warning("Digest response of %r replayed (nonce count %s)", username, count or "-")
        raise AuthFailed(stale=True)
    return user


#: Basic credentials already checked against an account's password hash, so that scrypt
#: (slow on purpose: tens of milliseconds) runs once per password and process, not on every
#: submission of a phone or every Kobo delivery. Each entry is an HMAC, under a random key of
#: this process, of the account, its stored hash and the password: nothing kept gives the
#: password back, a changed password (a new hash) no longer matches, and the account is read
#: afresh on every request, so deactivating it takes effect at once. Wrong passwords are never
#: kept, so guessing still pays scrypt for every try. Entries last ``PROVEN_SECONDS``.
PROVEN_SECONDS = 15 * 60
PROVEN_MAX = 4096
_proven: OrderedDict[bytes, float] = OrderedDict()
_proven_lock = threading.Lock()
_proven_key = secrets.token_bytes(32)


def _mark(user: User, password: str) -> bytes:
    """What ``_proven`` keeps of a right password."""
    text = f"{user.id}\0{user.password_hash}\0{password}"
    return hmac.new(_proven_key, text.encode(), hashlib.sha256).digest()


def _is_proven(user: User, password: str) -> bool:
    return user.is_active and _proven.get(_mark(user, password), 0.0) > time.monotonic()


def _remember(user: User, password: str) -> None:
    with _proven_lock:
        mark = _mark(user, password)
        _proven[mark] = time.monotonic() + PROVEN_SECONDS
        _proven.move_to_end(mark)
        while len(_proven) > PROVEN_MAX:
            _proven.popitem(last=False)


def _basic_user(auth: Authorization) -> User:
    """The account of these Basic credentials: scrypt once per password and process (see
    ``_proven``), every wrong or unproven password counted first."""
    username, password = auth.username or "", auth.password or ""
    key = lockout.SignInThrottle.key(username, request.remote_addr)
    try:
        user: User | None = find_user(get_session(), username)
    except NotFound:
        user = None
    if user is not None and _is_proven(user, password):
        # A right password: still refused while the account is locked out, so that a
        # guesser cannot tell a right guess from the lock-out's answer.
        wait = lockout.current().retry_after(key)
        if wait > 0:
            raise _too_many(wait)
        return user
    attempt = _begin(username)
    if user is None:
        check_no_account(password)  # as long as a wrong password takes
        attempt.failed()
        raise AuthFailed()
    if not check_password(user, password):
        attempt.failed()
        raise AuthFailed()
    attempt.succeeded()
    _remember(user, password)
    return user


def _begin(username: str) -> lockout.Attempt:
    """Count a password attempt for ``username`` from this address, before it is checked;
    429 while the pair is locked out."""
    try:
        return lockout.current().begin(lockout.SignInThrottle.key(username, request.remote_addr))
    except lockout.LockedOut as locked:
        raise _too_many(locked.retry_after) from None


def _too_many(wait: float) -> TooManyRequests:
    return TooManyRequests(
        "Sai mật khẩu quá nhiều lần, vui lòng thử lại sau. "
        "(Too many wrong passwords: try again later.)",
        retry_after=math.ceil(wait),
    )


def _session_user() -> User | None:
    """The dashboard account signed in on this browser, where the blueprint accepts it."""
    if request.blueprint not in SESSION_BLUEPRINTS or not hasattr(current_app, "login_manager"):
        return None
    if not current_user.is_authenticated:
        return None
    user: User = current_user.user
    return user


def authenticate() -> User:
    """The user making this request, by URL token, Digest, Basic or Token header, else (for
    the JSON API) the dashboard's signed-in session; else a 401 challenge."""
    token = g.get("url_token")
    if token is not None:
        user = user_for_token(get_session(), token)
        if user is None:
            # A wrong key in the URL is not fixed by typing a password: 403, as ODK Central.
            raise Forbidden("Mã truy cập trong đường dẫn không hợp lệ. (Invalid access key.)")
        return user
    auth = request.authorization
    if auth is None:
        user = _session_user()
        if user is None:
            raise AuthFailed()
        return user
    if auth.type == "digest" and current_app.config["DIGEST"]:
        return _digest_user(auth)
    if auth.type == "basic":
        return _basic_user(auth)
    if auth.type == "token" and auth.token:
        user = user_for_token(get_session(), auth.token)
        if user is None:
            raise AuthFailed()
        return user
    raise AuthFailed()


def require(action: policy.Action) -> Callable[[F], F]:
    """Decorate a view: authenticate, then 403 unless ``webhook.policy`` lets the user do
    ``action``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = authenticate()
            if not policy.may(user, action):
                raise Forbidden(
                    f"Tài khoản '{user.username}' ({user.role}) không có quyền này. "
                    f"(Account '{user.username}' is not allowed to do this.)"
                )
            g.user = user
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
