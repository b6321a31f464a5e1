"""The web app's outer guard: a request body over the limit is refused (413) as it arrives.

Without it, an anonymous client could make the server read and spool to disk a body of any
size: forms are parsed (for their CSRF token) before anyone is authenticated, and neither
uvicorn nor Starlette limits a body. A declared Content-Length over the limit is refused
before a byte of the body is read; a chunked body, once the bytes read pass it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The largest legitimate body: an OPML upload of up to 2 MB (routes/sources.MAX_OPML) in its
# multipart envelope, with room to spare; every other form is a few kilobytes.
MAX_BODY = 4 * 1024 * 1024

_REFUSAL = b"request body too large\n"


class BodyTooLarge(Exception):
    """Raised to the app by `receive` once the body passes the limit (the 413 is sent)."""


class BodyLimit:
    """ASGI middleware: refuse with 413 a request whose body is over ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await _refuse(send)
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
                        await _refuse(send)
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


async def _refuse(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(_REFUSAL)).encode()),
                # The rest of the body is never read, so the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _REFUSAL})
