"""The HTTP service: ``create_app`` wires the SPARQL endpoint, the REST API and the query page."""

from __future__ import annotations

import hmac
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from api import (
    centrality, errors, export_routes, extract_routes, funding, graph_store, ingest_routes, limits, projection, query_page,
    rest_entities, security, sources, sparql_protocol, supply, view_routes,
)
from api.errors import ProtocolError
from api.health import QuadCount
from api.workers import InlineExecutor, RemoteExecutor, WorkerPool
from graph import recovery
from graph.store import MEMORY, is_remote, open_store, resolve_location
from graph.view.render import VIS_DIR

STATIC = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class ServiceConfig:
    """What an operator may set; every field has an environment variable (see :meth:`from_env`)."""

    token: str | None = None
    """Bearer token that allows SPARQL Update (``AIKG_TOKEN``); without one the server is read-only."""
    deadline: float = 30.0
    """Seconds a query may run before it is stopped (``AIKG_DEADLINE``)."""
    write_deadline: float = 120.0
    """Seconds an update or an ingest may run, re-deriving the shortcut edges included, before it is stopped
    (``AIKG_WRITE_DEADLINE``): a write at ten million triples takes tens of seconds. What it had not committed is
    rolled back; the writer that takes over brings the derived edges in step with what it had."""
    allow: tuple[str, ...] = ()
    """IRI prefixes SERVICE, LOAD and FROM may reach (``AIKG_ALLOW``, space-separated; ``*`` for all)."""
    max_body_bytes: int = 1_000_000
    """Largest request body accepted (``AIKG_MAX_BODY``)."""
    max_result_bytes: int = 50_000_000
    """Largest serialised result returned (``AIKG_MAX_RESULT``)."""
    workers: int = 2
    """Query worker processes (``AIKG_WORKERS``)."""
    max_query_chars: int = 100_000
    """Longest query or update text accepted, in characters (``AIKG_MAX_QUERY``; 0: no limit)."""
    max_rows: int = 1_000_000
    """Most rows a SELECT result may have (``AIKG_MAX_ROWS``; 0: no limit)."""
    max_per_client: int = 8
    """Requests one client address may have running at once (``AIKG_MAX_PER_CLIENT``; 0: no limit)."""

    @classmethod
    def from_env(cls, **overrides: object) -> "ServiceConfig":
        """Settings from ``AIKG_*`` environment variables; keyword arguments that are not None win."""
        env = os.environ
        values: dict[str, object] = {
            "token": env.get("AIKG_TOKEN") or None,
            "deadline": float(env.get("AIKG_DEADLINE", cls.deadline)),
            "write_deadline": float(env.get("AIKG_WRITE_DEADLINE", cls.write_deadline)),
            "allow": tuple(env.get("AIKG_ALLOW", "").split()),
            "max_body_bytes": int(env.get("AIKG_MAX_BODY", cls.max_body_bytes)),
            "max_result_bytes": int(env.get("AIKG_MAX_RESULT", cls.max_result_bytes)),
            "workers": int(env.get("AIKG_WORKERS", cls.workers)),
            "max_query_chars": int(env.get("AIKG_MAX_QUERY", cls.max_query_chars)),
            "max_rows": int(env.get("AIKG_MAX_ROWS", cls.max_rows)),
            "max_per_client": int(env.get("AIKG_MAX_PER_CLIENT", cls.max_per_client)),
        }
        values.update({k: (tuple(v) if k == "allow" else v) for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def authorize(self, header: str | None) -> None:
        """Raise ProtocolError unless ``header`` carries the update token (403 read-only, 401 wrong)."""
        if not self.token:
            raise ProtocolError(403, "this server is read-only: updates need AIKG_TOKEN set when it starts")
        scheme, _, given = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise ProtocolError(401, "updates need the header Authorization: Bearer <token>", authenticate=True)
        if not hmac.compare_digest(given.strip().encode(), self.token.encode()):
            raise ProtocolError(401, "the bearer token is wrong", authenticate=True)


def create_app(store_location: str | os.PathLike[str] | None = None, config: ServiceConfig | None = None) -> FastAPI:
    """The FastAPI app over the store at ``store_location`` (a path, ``:memory:``, or the default)."""
    config = config or ServiceConfig.from_env()
    location = resolve_location(store_location)

    # A request waits for the network projection at most half its deadline, so the wait never costs a worker.
    projection.WAIT["seconds"] = min(20.0, config.deadline / 2)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if location == MEMORY:
            from graph.build import build_store  # a fresh in-memory store holds the bundled graph

            app.state.executor = InlineExecutor(build_store(store=MEMORY)[0])
        elif is_remote(location):
            from graph.remote_store import RemoteStore  # HTTP requests end by themselves at the deadlines

            remote = RemoteStore(str(location), timeout=config.deadline, write_timeout=config.write_deadline)
            remote.ask("ASK {}")  # fail now, with the server's message, if it cannot be reached
            app.state.executor = RemoteExecutor(remote)
        else:
            recovery.recover(location)  # an update cut short by a crash: derive the shortcut edges again
            open_store(location, read_only=True).close()  # fail now, with the store's message, if it is missing
            app.state.executor = WorkerPool(location, size=config.workers, projection_wait=projection.WAIT["seconds"])
        await app.state.executor.start()
        app.state.quad_count = QuadCount(app.state.executor, config.deadline)
        try:
            yield
        finally:
            await app.state.executor.close()

    # FastAPIOffline serves Swagger UI and ReDoc from the package, so /docs works with no internet.
    app = FastAPIOffline(
        title="aikg",
        summary="The knowledge graph of AI infrastructure: SPARQL 1.1 and REST.",
        description=(
            "Who funds, lends to, supplies, owns and builds AI compute. Query it with SPARQL 1.1 at "
            "`/sparql` (open it in a browser for the query page) or read it through the REST endpoints. "
            "JSON by default; RDF by content negotiation where it makes sense."
        ),
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.location = str(location)
    errors.install(app)
    errors.document(app)
    for module in (sparql_protocol, graph_store, query_page, rest_entities, centrality, funding, supply, sources, export_routes,
                   view_routes, extract_routes, ingest_routes):
        app.include_router(module.router)
    app.mount("/static/vis", StaticFiles(directory=VIS_DIR), name="vis")  # the graph view's drawing library, for the query page
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(limits.PerClientConcurrency, limit=config.max_per_client)
    security.install(app, fixed_pages=("/docs", "/docs/oauth2-redirect", "/redoc"))  # FastAPIOffline's pages

    @app.get("/health", tags=["service"], summary="Liveness and store status",
             responses={200: {"content": {"application/json": {"example": {
                 "status": "ok", "quads": 1234, "quads_current": True, "store": "/data/aikg/store", "read_only": True}}}}})
    async def health() -> dict[str, object]:
        """``ok`` at once, even while slow queries hold every worker: the number of quads is then the
        last one read, and ``quads_current`` is false."""
        quads, current = await app.state.quad_count.current()
        return {"status": "ok", "quads": quads, "quads_current": current, "store": app.state.location,
                "read_only": config.token is None}

    return app


def app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory api.app:app_from_env``: the store is ``AIKG_STORE`` or the default."""
    return create_app(os.environ.get("AIKG_STORE"))


def serve(
    store_location: str | os.PathLike[str] | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    config: ServiceConfig | None = None,
    access_log: bool = True,
) -> None:
    """Run the service under uvicorn until interrupted; an empty store gets the bundled graph first."""
    import uvicorn

    ensure_built(store_location)
    uvicorn.run(create_app(store_location, config), host=host, port=port, log_level="info", access_log=access_log)


def ensure_built(store_location: str | os.PathLike[str] | None) -> bool:
    """Build the bundled graph into the store if it has none yet; True if it built."""
    location = resolve_location(store_location)
    if location == MEMORY:
        return False
    if is_remote(location) or Path(location).exists():
        store = open_store(location, read_only=True)
        try:
            if len(store) > 0:
                if is_remote(location):
                    store.check_default_graph()  # type: ignore[attr-defined]  # else every answer would be empty
                return False
        finally:
            store.close()
    from graph.build import build_store

    build_store(store=str(location))[0].close()
    return True
