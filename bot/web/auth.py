"""Who may call what: bearer tokens compared in constant time, and the pages' security headers."""

from __future__ import annotations

import secrets

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

# Everything the console needs is its own files: no inline script, no other origin, no frames.
CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'"


class Access:
    """Admin calls need CHITHI_ADMIN_TOKEN; staff calls need CHITHI_STAFF_TOKEN if it is set.

    Without an admin token configured, admin calls are refused (403): uploading and
    removing notices must never be open by accident.
    """

    def __init__(self, *, admin_token: str | None, staff_token: str | None) -> None:
        self.admin_token = admin_token
        self.staff_token = staff_token

    def staff(self, request: Request) -> Response | None:
        """None when the request may ask and read documents, else the refusal to send."""
        if self.staff_token is None or _matches(request, self.staff_token):
            return None
        if self.admin_token is not None and _matches(request, self.admin_token):
            return None  # an administrator may do what staff do
        return _refusal(request, "Cần mã nhân viên (Authorization: Bearer …).")

    def admin(self, request: Request) -> Response | None:
        """None when the request carries the admin token, else the refusal to send."""
        if self.admin_token is None:
            return JSONResponse({"error": "Chưa bật quản trị: chưa đặt CHITHI_ADMIN_TOKEN."}, 403)
        if _matches(request, self.admin_token):
            return None
        return _refusal(request, "Cần mã quản trị (Authorization: Bearer …).")


def _presented(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _matches(request: Request, expected: str) -> bool:
    token = _presented(request)
    return token is not None and secrets.compare_digest(token.encode(), expected.encode())


def _refusal(request: Request, message: str) -> Response:
    # 401: no token was presented; 403: one was, and it is not the right one.
    status = 401 if _presented(request) is None else 403
    return JSONResponse(
        {"error": message}, status_code=status, headers={"WWW-Authenticate": "Bearer"}
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
