"""/add URL: fetched from a local HTTP server on 127.0.0.1 with the real httpx client, with
every limit a hostile or broken server tests; and once end to end through the fake Bot API."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from aiohttp import web

from bot.fetching import FetchRefused, fetch_document
from tests.helpers.bot_harness import ADMIN_ID, ask, entity_texts, running_bot
from tests.test_bot_uploads import make_pdf

PAGE = b"""<html><head><title>Arctic clearance | Mine Action Review</title>
<meta name="author" content="Kari Nordmann">
<meta property="article:published_time" content="2026-11-03">
<link rel="canonical" href="https://example.org/arctic-clearance">
</head><body><nav>Home | About</nav><article><h1>Arctic clearance</h1>
<p>Deminers in the Arctic wait for the thaw: frozen ground hides mines until late spring,
and clearance teams work in the short summer.</p></article></body></html>"""


@pytest.fixture
async def server() -> AsyncIterator[str]:
    async def page(_: web.Request) -> web.Response:
        return web.Response(body=PAGE, content_type="text/html")

    async def pdf(_: web.Request) -> web.Response:
        return web.Response(body=make_pdf(), content_type="application/pdf")

    async def loop(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"/loop?{int(request.query.get('n', '0')) + 1}")

    async def hop(_: web.Request) -> web.Response:
        raise web.HTTPFound("/page")

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.Response(body=PAGE, content_type="text/html")

    async def huge(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await response.prepare(request)
        chunk = b"mines " * (1 << 17)  # 768 KiB
        try:
            for _ in range(70):  # about 50 MB, streamed without a length
                await response.write(chunk)
        except (ConnectionResetError, RuntimeError):
            pass
        return response

    async def image(_: web.Request) -> web.Response:
        return web.Response(body=b"\x89PNG", content_type="image/png")

    app = web.Application()
    for path, handler in (
        ("/page", page),
        ("/doc.pdf", pdf),
        ("/loop", loop),
        ("/hop", hop),
        ("/slow", slow),
        ("/huge", huge),
        ("/image", image),
    ):
        app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_a_page_and_a_pdf_are_fetched(server: str) -> None:
    page = await fetch_document(f"{server}/hop", allow_private=True)  # one redirect
    assert page.content == PAGE and page.file_name == "page.html"
    assert page.url.endswith("/page")
    pdf = await fetch_document(f"{server}/doc.pdf", allow_private=True)
    assert pdf.content.startswith(b"%PDF") and pdf.file_name == "doc.pdf"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/loop", "redirects"),
        ("/huge", "larger than 20 MB"),
        ("/image", "image/png"),
        ("/missing", "answered 404"),
    ],
)
async def test_hostile_servers_are_refused_with_a_reason(
    server: str, path: str, reason: str
) -> None:
    with pytest.raises(FetchRefused, match=reason):
        await fetch_document(f"{server}{path}", allow_private=True)


async def test_a_slow_server_times_out(server: str) -> None:
    with pytest.raises(FetchRefused, match="too long"):
        await fetch_document(
            f"{server}/slow", allow_private=True, timeouts=httpx.Timeout(0.5, connect=0.5)
        )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/page",
        "http://localhost:9/page",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://224.0.0.1/",
    ],
)
async def test_private_and_local_addresses_are_refused_by_default(url: str) -> None:
    with pytest.raises(FetchRefused, match="private or local"):
        await fetch_document(url, allow_private=False)


@pytest.mark.parametrize("url", ["ftp://example.org/a.pdf", "file:///etc/passwd", "javascript:x"])
async def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(FetchRefused, match="http"):
        await fetch_document(url, allow_private=True)


async def test_add_url_end_to_end_cites_the_pages_link(server: str, tmp_path: Path) -> None:
    async with running_bot(tmp_path, allow_private_urls=True) as bot:
        api = bot.api
        reply = (await ask(api, f"/add {server}/page", chat_id=ADMIN_ID, user_id=ADMIN_ID)).reply
        assert reply.params["text"].startswith("Added <b>"), reply.params["text"]
        sidecar = (bot.settings.corpus_dir / "page.meta.toml").read_text("utf-8")
        assert 'url = "https://example.org/arctic-clearance"' in sidecar  # the canonical one
        answer = (
            await ask(
                api,
                "Why do deminers in the Arctic wait for the thaw?",
                chat_id=ADMIN_ID,
                user_id=ADMIN_ID,
            )
        ).reply
        # The title links to the page, scrolled to the quoted sentence (a text fragment).
        links = re.findall(r'<a href="([^"]+)">', answer.params["text"])
        assert links and links[0].startswith("https://example.org/arctic-clearance#:~:text=")
        start, _, end = unquote(links[0].split("#:~:text=")[1]).partition(",")
        quote = entity_texts(answer.result, "blockquote")[0]
        words = quote.split()
        assert start == " ".join(words[:5]) and end == " ".join(words[-5:])
        assert "Deminers in the Arctic" in start

        refused = (
            await ask(api, f"/add {server}/page", chat_id=ADMIN_ID + 1, user_id=ADMIN_ID + 1)
        ).reply
        assert "administrators" in refused.params["text"]


async def test_add_refuses_a_private_address_with_the_default_settings(
    server: str, tmp_path: Path
) -> None:
    async with running_bot(tmp_path) as bot:
        reply = (
            await ask(bot.api, f"/add {server}/page", chat_id=ADMIN_ID, user_id=ADMIN_ID)
        ).reply
        assert "private or local" in reply.params["text"]
        assert not (bot.settings.corpus_dir / "page.html").exists()
