"""Authentication for machine clients: HTTP Digest, HTTP Basic and URL tokens; and, for
the JSON API only, the dashboard's signed-in session.

ODK Collect speaks Digest over plain HTTP and Basic only over HTTPS, and only after a 401
challenge (docs/protocols.md §1.4), so every OpenRosa 401 offers both. Digest nonces are stateless
(a timestamp signed with the secret key), so any gunicorn worker can check any nonce; an
expired nonce is answered with ``stale=true`` and Collect retries without asking the user.
A collector onboarded by QR code uses ``/key/<token>/``: the token stands for the password.

Wrong passwords over Basic or Digest count towards the sign-in form's lock-out (5 for an
account from one address pause it; ``webhook.dashboard.throttle``), so that HTTP
authentication is no way around it.

A browser signed in to the dashboard may call the JSON API with its session cookie
(docs/architecture.md §5); credentials in the request win over the session. The OpenRosa and
Kobo endpoints never accept the session: they are exempt from CSRF tokens, so a cookie must not
authenticate them.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from flask_login import current_user  # type: ignore[import-untyped]
from werkzeug.datastructures import Authorization
from werkzeug.exceptions import Forbidden, TooManyRequests, Unauthorized

from ingest.errors import NotFound
from ingest.models import User
from ingest.registry.accounts import check_password, find_user, user_for_token
from webhook import policy
from webhook.database import get_session

F = TypeVar("F", bound=Callable[..., Any])

#: Blueprints that also accept the dashboard's signed-in session (the dashboard asks those
#: requests for a CSRF token when they come without credentials).
SESSION_BLUEPRINTS = frozenset({"api"})


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 (Digest as Collect speaks it)


def _nonce_signature(timestamp: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"nonce:{timestamp}".encode(), hashlib.sha256).hexdigest()[:32]


def make_nonce(now: float | None = None) -> str:
    """A nonce any worker can verify: ``<unix time>-<HMAC of it>``."""
    timestamp = str(int(now if now is not None else time.time()))
    return f"{timestamp}-{_nonce_signature(timestamp)}"


def nonce_state(nonce: str, now: float | None = None) -> str:
    """``valid``, ``stale`` (ours but expired) or ``invalid`` (not ours)."""
    timestamp, _, signature = nonce.partition("-")
    # Bytes: compare_digest refuses str with non-ASCII characters (a client chose them).
    expected = _nonce_signature(timestamp).encode()
    if not timestamp.isdigit() or not hmac.compare_digest(signature.encode(), expected):
        return "invalid"
    age = (now if now is not None else time.time()) - int(timestamp)
    return "valid" if -60 <= age <= current_app.config["DIGEST_NONCE_TTL"] else "stale"


def challenge(stale: bool = False) -> list[str]:
    """The WWW-Authenticate values of a 401: Digest (MD5, qop=auth), then Basic."""
    realm = current_app.config["REALM"]
    digest = (
        f'Digest realm="{realm}", qop="auth", algorithm=MD5, '
        f'nonce="{make_nonce()}", opaque="{_md5(realm)}"'
    )
    if stale:
        digest += ", stale=true"
    return [digest, f'Basic realm="{realm}", charset="UTF-8"']


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


def _request_uri() -> str:
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def _digest_user(auth: Authorization) -> User:
    params = {k: v for k, v in auth.parameters.items() if v is not None}
    username = params.get("username", "")
    required = ("realm", "nonce", "uri", "response")
    if not username or any(not params.get(k) for k in required):
        raise AuthFailed()
    if params.get("algorithm", "MD5").upper() != "MD5":
        raise AuthFailed()
    # The uri the client signed must be this request (a signed response replayed against
    # another URL is refused). Some clients send an absolute URI.
    uri = params["uri"]
    if uri != _request_uri() and not uri.endswith(_request_uri()):
        raise AuthFailed()
    try:
        user = find_user(get_session(), username)
    except NotFound:
        raise AuthFailed() from None
    if not user.is_active or params["realm"] != user.digest_realm:
        raise AuthFailed()
    ha2 = _md5(f"{request.method}:{uri}")
    qop = params.get("qop")
    if qop == "auth":
        nc, cnonce = params.get("nc", ""), params.get("cnonce", "")
        expected = _md5(f"{user.digest_ha1}:{params['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    elif qop is None:
        expected = _md5(f"{user.digest_ha1}:{params['nonce']}:{ha2}")
    else:
        raise AuthFailed()
    if not hmac.compare_digest(expected.encode(), params["response"].lower().encode()):
        raise AuthFailed()
    # Checked last, so that stale=true is only said to a client that knows the password.
    state = nonce_state(params["nonce"])
    if state != "valid":
        raise AuthFailed(stale=state == "stale")
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


def _password_ok(user: User, password: str) -> bool:
    """``check_password``, remembering a success for a while (see ``_proven``)."""
    if not user.is_active:
        return False
    mark = hmac.new(
        _proven_key, f"{user.id}\0{user.password_hash}\0{password}".encode(), hashlib.sha256
    ).digest()
    now = time.monotonic()
    if _proven.get(mark, 0.0) > now:
        return True
    if not check_password(user, password):
        return False
    with _proven_lock:
        _proven[mark] = now + PROVEN_SECONDS
        _proven.move_to_end(mark)
        while len(_proven) > PROVEN_MAX:
            _proven.popitem(last=False)
    return True


def _basic_user(auth: Authorization) -> User:
    try:
        user = find_user(get_session(), auth.username or "")
    except NotFound:
        raise AuthFailed() from None
    if not _password_ok(user, auth.password or ""):
        raise AuthFailed()
    return user


def _guarded(username: str, verify: Callable[[], User]) -> User:
    """``verify()``, counted by the sign-in form's lock-out (``webhook.dashboard.throttle``):
    a password tried over HTTP Basic or Digest is no way around it."""
    limiter = current_app.extensions.get("vssid.signin_throttle")
    if limiter is None:
        return verify()
    key = limiter.key(username, request.remote_addr)
    wait = limiter.retry_after(key)
    if wait > 0:
        raise TooManyRequests(
            "Sai mật khẩu quá nhiều lần, vui lòng thử lại sau. "
            "(Too many wrong passwords: try again later.)",
            retry_after=math.ceil(wait),
        )
    try:
        user = verify()
    except AuthFailed as error:
        if not error.stale:  # a stale nonce is not a wrong password
            limiter.failed(key)
        raise
    limiter.succeeded(key)
    return user


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
    if auth.type == "digest":
        return _guarded(auth.parameters.get("username") or "", lambda: _digest_user(auth))
    if auth.type == "basic":
        return _guarded(auth.username or "", lambda: _basic_user(auth))
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
