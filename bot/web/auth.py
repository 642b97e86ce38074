"""Who may call what: bearer tokens compared in constant time, and the pages' security headers."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    BaseUser,
    SimpleUser,
    UnauthenticatedUser,
    has_required_scope,
)
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from bot import messages

# Everything the console needs is its own files: no inline script, no other origin, no frames.
CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'"

Scope = Literal["staff", "admin"]

_Owner = TypeVar("_Owner")
Handler = Callable[[_Owner, Request], Awaitable[Response]]


class Grant(AuthCredentials):
    """The scopes a request's token grants, and what a refusal must tell it."""

    def __init__(self, scopes: list[str], *, presented: bool, admin_configured: bool) -> None:
        super().__init__(scopes)
        self.presented = presented
        self.admin_configured = admin_configured


class Access(AuthenticationBackend):
    """Admin calls need CHITHI_ADMIN_TOKEN; staff calls need CHITHI_STAFF_TOKEN if it is set.

    For starlette's AuthenticationMiddleware: grants "staff" (to everyone when no staff token
    is set) and "admin" (which includes "staff"). Without an admin token configured nobody is
    admin: uploading and removing notices must never be open by accident.
    """

    def __init__(self, *, admin_token: str | None, staff_token: str | None) -> None:
        self.admin_token = admin_token
        self.staff_token = staff_token

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser]:
        """What the request's bearer token grants, and whose token it is.

        A wrong or missing token is not an error here: the open calls ignore it, and the
        guarded ones refuse it (see `requires`).
        """
        token = _presented(conn)
        user: BaseUser = UnauthenticatedUser()
        if self.admin_token is not None and _matches(token, self.admin_token):
            scopes, user = ["staff", "admin"], SimpleUser("admin")  # admins may do what staff do
        elif self.staff_token is not None and _matches(token, self.staff_token):
            scopes, user = ["staff"], SimpleUser("staff")
        else:
            scopes = ["staff"] if self.staff_token is None else []
        configured = self.admin_token is not None
        return Grant(scopes, presented=token is not None, admin_configured=configured), user


def requires(scope: Scope) -> Callable[[Handler[_Owner]], Handler[_Owner]]:
    """starlette.authentication.requires for our handler methods, refusing in our JSON.

    The same check of `request.auth.scopes` (has_required_scope), but Starlette's answers a
    missing scope with a bare 403 (an HTTPException without detail or headers), and no
    exception handler could tell which scope the route wanted. The console must tell no token
    (401: ask for one) from a wrong one (403), and the API says why in Vietnamese.
    """

    def decorator(handler: Handler[_Owner]) -> Handler[_Owner]:
        @functools.wraps(handler)
        async def checked(owner: _Owner, request: Request) -> Response:
            if not has_required_scope(request, [scope]):
                return _refusal(request.auth, scope)
            return await handler(owner, request)

        return checked

    return decorator


def _presented(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _matches(token: str | None, expected: str) -> bool:
    return token is not None and secrets.compare_digest(token.encode(), expected.encode())


def _refusal(grant: Grant, scope: Scope) -> Response:
    if scope == "admin" and not grant.admin_configured:
        return JSONResponse({"error": messages.WEB_ADMIN_OFF}, status_code=403)
    # 401: no token was presented; 403: one was, and it is not the right one.
    return JSONResponse(
        {"error": messages.WEB_NEEDS_TOKEN[scope]},
        status_code=403 if grant.presented else 401,
        headers={"WWW-Authenticate": "Bearer"},
    )


class SecurityHeaders(BaseHTTPMiddleware):
    """CSP, no MIME sniffing, no framing, no referrer on every response."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Add the headers to the response of the next handler."""
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response
