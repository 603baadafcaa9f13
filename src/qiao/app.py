"""FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from qiao import __version__, jobs
from qiao.api import errors, openapi, spa
from qiao.api.json import JSON
from qiao.api.limits import BodyLimitMiddleware
from qiao.api.routers import account as account_routes
from qiao.api.routers import (
    apps,
    auth,
    comments,
    forms,
    health,
    io_dedupe,
    io_exports,
    io_from_sheet,
    io_imports,
    org,
    records,
    users,
    views,
)
from qiao.api.routers import audit as audit_routes
from qiao.api.routers import files as file_routes
from qiao.api.routers import form_runtime as form_runtime_routes
from qiao.api.routers import formula as formula_routes
from qiao.api.routers import permissions as permission_routes
from qiao.api.routers import regions as region_routes
from qiao.config import Settings
from qiao.context import utcnow
from qiao.db.migrate import upgrade
from qiao.files.kinds import PRECOMPRESSED_MIMES
from qiao.files.service import purge_files
from qiao.forms.purge import purge_expired
from qiao.runtime import Runtime

log = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 6 * 3600


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    migrate: bool = True,
    background: bool = True,
    web_dist: Path | None = None,
) -> FastAPI:
    rt = runtime or Runtime.from_settings(settings or Settings())
    if migrate:
        upgrade(rt.db.engine)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(_purge_loop(rt)) if background else None
        stop_worker = jobs.start_worker(rt) if background else None  # qiao_jobs
        yield
        if task:
            task.cancel()
        if stop_worker:
            stop_worker()

    app = FastAPI(
        title="qiao API",
        version=__version__,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        default_response_class=JSON,
        lifespan=lifespan,
    )
    app.state.runtime = rt
    errors.install(app)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=rt.settings.max_body_bytes,
        overrides=[
            (file_routes.UPLOAD_PATH, rt.settings.max_upload_bytes),
            (io_imports.UPLOAD_PATH, rt.settings.max_upload_bytes),
        ],
    )
    # the web app's chunks and record pages shrink 3-5x; tiny bodies are not worth it
    app.add_middleware(
        GZipMiddleware,
        minimum_size=1024,
        exclude_content_types=DEFAULT_EXCLUDED_CONTENT_TYPES + PRECOMPRESSED_MIMES,
    )

    api = APIRouter(prefix="/api/v1")
    api.include_router(form_runtime_routes.router)  # before records: /records/evaluate
    for module in (auth, users, org, apps, forms, records, views, comments, health):
        api.include_router(module.router)
    api.include_router(permission_routes.router)
    api.include_router(formula_routes.router)
    api.include_router(account_routes.router)
    api.include_router(audit_routes.router)
    api.include_router(file_routes.router)
    api.include_router(region_routes.router)
    for io_module in (io_imports, io_dedupe, io_exports, io_from_sheet):
        api.include_router(io_module.router)
    app.include_router(api)
    app.include_router(health.router)
    openapi.install(app)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="qiao API")

    spa.install(
        app, web_dist or rt.settings.web_dist or spa.DIST
    )  # last: it answers every other GET with the web app
    return app


async def _purge_loop(rt: Runtime) -> None:
    """Drop fields and forms whose retention ran out, at start and every few hours."""
    while True:
        try:
            counts = await run_in_threadpool(purge_expired, rt, utcnow())
            counts["files"] = await run_in_threadpool(purge_files, rt, utcnow())
            if any(counts.values()):
                log.info("purged expired schema objects: %s", counts)
        except Exception:
            log.exception("purge failed")
        await asyncio.sleep(PURGE_EVERY_SECONDS)
