"""Who may write, what other sites may do, and the headers that keep pages inert: over a real server."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest
from live_server import live_server

from api.security import CONTENT_SECURITY_POLICY, script_hash
from graph.build import build_store

TOKEN = "correct-horse-battery-staple"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
INSERT = {"update": "INSERT DATA { GRAPH <https://w3id.org/aikg/source/notes> { <urn:a> <urn:b> <urn:c> } }"}
ASK_INSERTED = {"query": "ASK { GRAPH <https://w3id.org/aikg/source/notes> { <urn:a> <urn:b> <urn:c> } }"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("security") / "store"
    build_store(store=path)[0].close()
    return path


@pytest.fixture(scope="module")
def base(store: Path) -> str:
    with live_server(store, token=TOKEN, workers="1") as url:
        yield url


@pytest.fixture(scope="module")
def read_only(store: Path) -> str:
    with live_server(store, workers="1") as url:
        yield url


def _write_operations(base: str) -> list[tuple[str, str]]:
    """Every operation in the OpenAPI document that changes something (anything but GET/HEAD, and
    /sparql by POST, which is a query unless it carries an update)."""
    spec = httpx.get(base + "/openapi.json").json()
    return [(method.upper(), path) for path, ops in spec["paths"].items() for method in ops
            if method not in ("get", "head") and path != "/sparql"]


def test_a_server_without_a_token_is_read_only(read_only: str) -> None:
    refused = httpx.post(read_only + "/sparql", data=INSERT, headers={"Authorization": f"Bearer {TOKEN}"})
    assert refused.status_code == 403 and "read-only" in refused.text
    assert httpx.get(read_only + "/sparql", params=ASK_INSERTED).json()["boolean"] is False
    assert httpx.get(read_only + "/health").json()["read_only"] is True
    for method, path in _write_operations(read_only):
        answer = httpx.request(method, read_only + path, json={}, headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code in (401, 403), (method, path, answer.status_code)


def test_every_write_needs_the_exact_token(base: str) -> None:
    near_misses = ["", "Bearer", f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Bearer {TOKEN.upper()}",
                   f"Basic {TOKEN}", TOKEN]
    for header in near_misses:
        answer = httpx.post(base + "/sparql", data=INSERT, headers={"Authorization": header} if header else {})
        assert answer.status_code == 401, header
        assert answer.headers["www-authenticate"] == 'Bearer realm="aikg"'
    # The token is read from the Authorization header only, never from the URL or the form.
    assert httpx.post(base + "/sparql", params={"access_token": TOKEN}, data=INSERT).status_code == 401
    assert httpx.get(base + "/sparql", params=ASK_INSERTED).json()["boolean"] is False
    for method, path in _write_operations(base):
        answer = httpx.request(method, base + path, json={}, headers={"Authorization": "Bearer wrong"})
        assert answer.status_code == 401, (method, path, answer.status_code)
    applied = httpx.post(base + "/sparql", data=INSERT, headers={"Authorization": f"bearer {TOKEN}"})
    assert applied.status_code == 204, applied.text
    assert httpx.get(base + "/sparql", params=ASK_INSERTED).json()["boolean"] is True


def test_the_token_is_compared_in_constant_time() -> None:
    # A plain == leaks, through timing, how many leading characters of a guess are right.
    from api import app

    source = Path(app.__file__).read_text(encoding="utf-8")
    assert "hmac.compare_digest(" in source
    assert not re.search(r"(given|token)\s*[!=]=", source)


def test_other_sites_may_read_but_never_write(base: str) -> None:
    site = {"Origin": "https://news.example"}
    read = httpx.get(base + "/entities/xai", headers=site)
    assert read.status_code == 200 and read.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in read.headers
    preflight = {**site, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    allowed = httpx.options(base + "/sparql", headers=preflight)
    assert allowed.status_code == 200 and "POST" in allowed.headers["access-control-allow-methods"]
    # A write needs Authorization, and no other origin may send it; nor PUT or DELETE.
    with_token = httpx.options(base + "/sparql", headers={**preflight, "Access-Control-Request-Headers": "authorization"})
    assert with_token.status_code == 400
    assert "authorization" not in with_token.headers.get("access-control-allow-headers", "").lower()
    for method in ("PUT", "DELETE", "PATCH"):
        refused = httpx.options(base + "/sparql", headers={**site, "Access-Control-Request-Method": method})
        assert refused.status_code == 400, method


@pytest.mark.parametrize("path", ["/sparql", "/query", "/view", "/docs", "/redoc"])
def test_html_pages_carry_a_content_security_policy(base: str, path: str) -> None:
    page = httpx.get(base + path, headers={"Accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src")).split()
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    # Each inline script that runs is allowed by its hash, and by nothing broader.
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.DOTALL):
        if "src=" in attributes or "application/json" in attributes or not body.strip():
            continue
        assert script_hash(body.encode()) in script_src, path


def test_the_query_page_runs_no_inline_script(base: str) -> None:
    page = httpx.get(base + "/query")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))[^>]*>", page.text) == []


def test_every_answer_says_nosniff(base: str) -> None:
    for path in ("/health", "/entities/xai", "/openapi.json", "/static/query.js", "/nowhere"):
        assert httpx.get(base + path).headers["x-content-type-options"] == "nosniff", path


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def test_a_real_browser_runs_the_query_page_under_the_policy(base: str) -> None:
    """Chromium loads the query page (and runs an example), the API docs and the graph view: no policy violation."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            problems: list[str] = []
            # Failed loads are read from the responses (the browser's own /favicon.ico probe is not one).
            page.on("console", lambda m: problems.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.goto(base + "/sparql")
            page.select_option("#examples", index=1)
            page.click("#run")
            page.wait_for_selector("#results table")
            assert page.locator("#results tr").count() > 1
            for docs in ("/docs", "/redoc"):
                page.goto(base + docs)
                page.wait_for_selector(".swagger-ui .info, .api-info", timeout=30_000)
            page.goto(base + "/view?focus=xai")
            page.wait_for_selector("canvas", timeout=30_000)
        finally:
            browser.close()
    # ReDoc's "powered by" logo lives on its CDN: the policy blocking it is the page staying offline.
    outside = re.compile(r"'https?://(?!127\.0\.0\.1)")
    assert [p for p in problems if not outside.search(p)] == []
