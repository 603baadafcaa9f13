"""Serve the built web app (``qiao/web/dist``) at ``/`` with history-mode routing.

Files under ``/assets`` are served as they are (content-hashed, cached for a year);
every other GET outside the API answers with ``index.html`` so that deep links into
the app work. Without a build, ``/`` shows a short page that says how to get one.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

DIST = Path(__file__).resolve().parent.parent / "web" / "dist"
_RESERVED = ("api/", "assets/", "docs", "openapi.json", "health")

_NO_BUILD = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>qiao</title></head><body style="font-family:sans-serif;max-width:40em;margin:4em auto">
<h1>qiao 桥</h1><p>开源无代码客户管理平台 · open-source no-code customer management.</p>
<p>网页端尚未构建（运行 <code>make run</code>）· The web app is not built yet (run
<code>make run</code>).</p><p><a href="/docs">API 文档 / API docs</a></p></body></html>"""


def install(app: FastAPI, dist: Path = DIST) -> None:
    index = dist / "index.html"
    if (dist / "assets").is_dir():
        app.mount("/assets", _CachedStatic(directory=dist / "assets"), name="assets")

    @app.get("/{path:path}", include_in_schema=False, response_model=None)
    def spa(path: str) -> FileResponse | HTMLResponse:
        if path.startswith(_RESERVED):
            raise StarletteHTTPException(status_code=404)
        if not index.exists():
            return HTMLResponse(_NO_BUILD)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})


class _CachedStatic(StaticFiles):
    async def get_response(self, path: str, scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response
