"""The web app's outer guard: a request body over the limit is refused (413) as it arrives.

Without it, an anonymous client could make the server read and spool to disk a body of any
size: forms are parsed (for their CSRF token) before anyone is authenticated, and neither
uvicorn nor Starlette limits a body. A declared Content-Length over the limit is refused
before a byte of the body is read; a chunked body, once the bytes read pass it. The refusal
is JSON on the API's paths, as every other answer there is, and plain text elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The largest legitimate body: an OPML upload of up to 2 MB (routes/sources.MAX_OPML) in its
# multipart envelope, with room to spare; every other form is a few kilobytes.
MAX_BODY = 4 * 1024 * 1024

_REFUSAL = b"request body too large\n"


class BodyTooLarge(Exception):
    """Raised to the app by `receive` once the body passes the limit (the 413 is sent)."""


class BodyLimit:
    """ASGI middleware: refuse with 413 a request whose body is over ``limit`` bytes."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY, json_for: Callable[[str], bool] | None = None
    ) -> None:
        """``json_for(path)``: whether the refusal of a request to ``path`` is JSON."""
        self.app = app
        self.limit = limit
        self.json_for = json_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        as_json = self.json_for is not None and self.json_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await _refuse(send, self.limit, as_json)
            return
        read = 0
        app_answered = False
        refused = False

        async def limited_receive() -> Message:
            nonlocal read, refused
            if refused:
                raise BodyTooLarge(f"request body over {self.limit} bytes")
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > self.limit:
                    refused = True
                    if not app_answered:
                        await _refuse(send, self.limit, as_json)
                    raise BodyTooLarge(f"request body over {self.limit} bytes")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal app_answered
            if refused and not app_answered:
                return  # the app's answer to a body we cut off: the client has its 413
            app_answered = app_answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            # Whatever the cut-off body became on its way out (the form parser's error, a
            # handler's): the client has its 413, and nothing else went wrong.
            if not refused:
                raise


async def _refuse(send: Send, limit: int, as_json: bool) -> None:
    if as_json:
        detail = f"request body too large: the limit is {limit} bytes"
        body, kind = json.dumps({"detail": detail}).encode(), b"application/json"
    else:
        body, kind = _REFUSAL, b"text/plain; charset=utf-8"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", kind),
                (b"content-length", str(len(body)).encode()),
                # The rest of the body is never read, so the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
