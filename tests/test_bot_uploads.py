"""Admins add documents by sending them to the bot: through the fake Bot API's getFile and
file download, into the corpus folder, answered from at once; everyone else is refused."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.helpers.bot_harness import ADMIN_ID, RunningBot, running_bot, wait_for_sends

OTHER_USER = 888
NOTE = (
    "# Clearance in the Arctic\n\n"
    "Deminers in the Arctic wait for the thaw: frozen ground hides mines until late spring.\n"
)


def make_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="Stockpile destruction").build(
        [
            Paragraph("Stockpile destruction", styles["Title"]),
            Paragraph(
                "Each State Party destroys its stockpiled anti-personnel mines within four "
                "years of becoming bound, under Article 4 of the Convention.",
                styles["Normal"],
            ),
        ]
    )
    return buffer.getvalue()


FORMATS = {
    "arctic.md": NOTE.encode(),
    "arctic.txt": NOTE.replace("# ", "").encode(),
    "arctic.html": (
        b"<html><head><title>Clearance in the Arctic</title></head><body><article>"
        b"<h1>Clearance in the Arctic</h1><p>Deminers in the Arctic wait for the thaw: "
        b"frozen ground hides mines until late spring.</p></article></body></html>"
    ),
    "stockpiles.pdf": make_pdf(),
}


@pytest.fixture
async def running(tmp_path: Path) -> AsyncIterator[RunningBot]:
    async with running_bot(tmp_path) as bot:
        yield bot


async def send_file(
    running: RunningBot, name: str, content: bytes, *, user_id: int = ADMIN_ID, **extra: int
) -> str:
    api = running.api
    before = len([c for c in api.calls_for("sendMessage") if c.params["chat_id"] == user_id])
    api.push_document(user_id, user_id, file_name=name, content=content, **extra)
    calls = await wait_for_sends(api, user_id, before + 1, timeout=15)
    return str(calls[-1].params["text"])


@pytest.mark.parametrize("name", sorted(FORMATS))
async def test_an_admins_file_of_each_format_is_added_and_answers(
    running: RunningBot, name: str
) -> None:
    reply = await send_file(running, name, FORMATS[name])
    assert reply.startswith("Added <b>") and "passages" in reply, reply
    stored = running.settings.corpus_dir / name
    assert stored.read_bytes() == FORMATS[name]
    sidecar = stored.with_name(stored.stem + ".meta.toml").read_text("utf-8")
    assert f"Telegram user {ADMIN_ID}" in sidecar
    question = (
        "How long do stockpiles take to destroy?"
        if name.endswith("pdf")
        else ("Why do deminers in the Arctic wait for the thaw?")
    )
    hits = running.library.snapshot.retriever.search(question).hits
    assert hits and hits[0].doc_id == stored.stem


async def test_an_oversized_file_is_refused_before_downloading(running: RunningBot) -> None:
    reply = await send_file(running, "big.pdf", b"%PDF-1.4", file_size=25 * 1024 * 1024)
    assert "at most 20 MB" in reply
    assert running.api.downloads == [] and not running.api.calls_for("getFile")
    assert not (running.settings.corpus_dir / "big.pdf").exists()


async def test_a_corrupt_pdf_or_an_unknown_type_changes_nothing(running: RunningBot) -> None:
    before = sorted(p.name for p in running.settings.corpus_dir.iterdir())
    snapshot = running.library.snapshot
    reply = await send_file(running, "broken.pdf", b"%PDF-1.4 this is not really a pdf")
    assert "cannot be used" in reply and "Nothing was changed" in reply
    reply = await send_file(running, "notes.docx", b"PK\x03\x04 not supported")
    assert "I can only add" in reply
    assert sorted(p.name for p in running.settings.corpus_dir.iterdir()) == before
    assert running.library.snapshot is snapshot


async def test_someone_elses_file_is_politely_refused_and_never_stored(
    running: RunningBot,
) -> None:
    reply = await send_file(running, "arctic.md", FORMATS["arctic.md"], user_id=OTHER_USER)
    assert "only the bot's administrators" in reply and "not stored" in reply
    assert not running.api.calls_for("getFile") and running.api.downloads == []
    assert not (running.settings.corpus_dir / "arctic.md").exists()


async def test_a_second_file_of_the_same_name_does_not_replace_the_first(
    running: RunningBot,
) -> None:
    await send_file(running, "arctic.md", FORMATS["arctic.md"])
    second = NOTE.replace("late spring", "early summer").encode()
    reply = await send_file(running, "../arctic.md", second)
    assert "arctic-2.md" in reply
    assert (running.settings.corpus_dir / "arctic.md").read_bytes() == FORMATS["arctic.md"]
    assert (running.settings.corpus_dir / "arctic-2.md").read_bytes() == second
