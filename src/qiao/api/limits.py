"""Refuse oversized request bodies before they are read into memory."""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qiao.api.errors import BodyTooLarge, error_body
from qiao.api.json import dumps
from qiao.i18n import negotiate


class BodyLimitMiddleware:
    def __init__(
        self, app: ASGIApp, max_bytes: int, overrides: Sequence[tuple[str, int]] = ()
    ) -> None:
        """``overrides``: (path regex, limit) for the few routes that take more (uploads)."""
        self.app = app
        self.max_bytes = max_bytes
        self.overrides = [(re.compile(pattern), limit) for pattern, limit in overrides]

    def limit_for(self, path: str) -> int:
        for pattern, limit in self.overrides:
            if pattern.match(path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        locale = negotiate(headers.get(b"accept-language", b"").decode("latin-1"))
        max_bytes = self.limit_for(scope.get("path", ""))
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > max_bytes:
            await self._refuse(send, locale, max_bytes)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > max_bytes:
                    raise BodyTooLarge(max_bytes)
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, locale, max_bytes)

    async def _refuse(self, send: Send, locale: str, max_bytes: int) -> None:
        body = dumps(error_body("body_too_large", locale, {"limit": max_bytes}, []))
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
