"""The `ihlbot` command line: index a corpus, ask questions, evaluate, run the bot.

Heavy imports (Telegram, the index) happen inside the subcommand that needs them, so
`ihlbot index` and `ihlbot ask` start fast.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus import Corpus, default_corpus_dir, load_corpora
from retrieval.engine import EngineSettings, build_retriever
from retrieval.search import Retriever

if TYPE_CHECKING:
    from bot.library import Snapshot
    from retrieval.embedding_store import Progress

_ONE_FOLDER_HELP = "corpus folder, one (default: BOT_CORPUS_DIR, else the shipped seeds)"


class _OneFolder(argparse.Action):
    """`--corpus` given twice is refused: silently keeping the last folder would answer
    from half of what the user asked for (`ihlbot eval` is the one that takes several)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        if getattr(namespace, self.dest, None) is not None:
            parser.error(
                "--corpus takes one folder here, as the bot serves one; "
                "only `ihlbot eval` searches several"
            )
        setattr(namespace, self.dest, values)


def _corpus_dir(value: str | None) -> Path:
    """--corpus, else BOT_CORPUS_DIR, else the shipped seeds."""
    if value:
        return Path(value)
    from bot.settings import SettingsError, corpus_dir_from_environment

    try:
        return corpus_dir_from_environment() or default_corpus_dir()
    except SettingsError:
        return default_corpus_dir()  # a bad bot setting must not stop a terminal question


def format_corpus_report(corpus: Corpus) -> str:
    """Per document: title, authors, date, sections, passage count; then per-file problems."""
    lines: list[str] = []
    for document in corpus.documents:
        passages = corpus.passages_of(document.id)
        words = [p.word_count for p in passages]
        lines.append(f"{document.title}")
        lines.append(f"  id:        {document.id}  ({document.source_file})")
        authors = "; ".join(a.display() for a in document.authors) or "unknown"
        lines.append(f"  authors:   {authors}")
        lines.append(
            f"  published: {document.published or 'unknown'}"
            + (f", {document.publisher}" if document.publisher else "")
        )
        if document.url:
            lines.append(f"  url:       {document.url}")
        lines.append(f"  sections:  {len(document.sections)}")
        lines.extend(f"    - {section.title}" for section in document.sections)
        lines.append(f"  passages:  {len(passages)} ({min(words)}-{max(words)} words each)")
        lines.append("")
    total = len(corpus.passages)
    lines.append(
        f"{len(corpus.documents)} document(s), {total} passage(s), "
        f"{len(corpus.problems)} problem(s)"
    )
    for problem in corpus.problems:
        verdict = "skipped" if problem.skipped else "warning"
        lines.append(f"  {verdict}: {problem.file}: {problem.reason}")
    return "\n".join(lines)


def command_index(args: argparse.Namespace) -> int:
    """Report what the folder holds, then build its index and embeddings into BOT_DATA_DIR's
    cache, the one the bot and `ihlbot ask` read, so that they start without indexing or
    embedding anything."""
    import time

    from bot.terminal import progress_reporter

    started = time.perf_counter()
    engine = _engine_settings(args)
    with progress_reporter("embedding", sys.stderr) as progress:
        snapshot, corpus, from_cache = _snapshot(_corpus_dir(args.corpus), engine, progress)
    print(format_corpus_report(corpus))
    if snapshot is None:
        return 1
    retriever = snapshot.retriever
    if retriever.semantic is None:
        index = "BM25 only (semantic layer off)"
    else:
        sentences = len(retriever.semantic.sentence_vectors)
        index = f"BM25 and embeddings of {len(retriever.units)} units, {sentences} sentences"
    how = "read from the cache" if from_cache else "built and cached"
    print(f"index: {index}; {how} in {time.perf_counter() - started:.2f}s")
    return 0


def _engine_settings(args: argparse.Namespace) -> EngineSettings:
    """The semantic layer as BOT_SEMANTIC and BOT_EMBEDDING_MODEL say, unless --lexical."""
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"ihlbot: {error}; using the defaults", file=sys.stderr)
        return EngineSettings(semantic=not args.lexical)
    return settings.engine(lexical=args.lexical)


def _retriever(corpus_dirs: list[Path], engine: EngineSettings) -> Retriever | None:
    corpus = load_corpora(corpus_dirs)
    for problem in corpus.problems:
        print(f"ihlbot: {problem.file}: {problem.reason}", file=sys.stderr)
    if not corpus.documents:
        names = ", ".join(str(d) for d in corpus_dirs)
        print(f"ihlbot: no document could be loaded from {names}", file=sys.stderr)
        return None
    return build_retriever(corpus, engine)


def _snapshot(
    corpus_dir: Path, engine: EngineSettings, progress: Progress | None = None
) -> tuple[Snapshot | None, Corpus, bool]:
    """The corpus and index from BOT_DATA_DIR's cache, as the bot uses them, built and
    cached when the folder changed."""
    from bot.library import build_snapshot
    from retrieval.cache import IndexCache

    cache = (
        IndexCache(engine.embeddings_dir.parent / "index-cache") if engine.embeddings_dir else None
    )
    return build_snapshot(corpus_dir, cache, engine, progress=progress)


def _cached_retriever(corpus_dir: Path, engine: EngineSettings) -> Retriever | None:
    """So that a question on a large corpus does not load and index it again."""
    snapshot, corpus, _ = _snapshot(corpus_dir, engine)
    for problem in corpus.problems:
        print(f"ihlbot: {problem.file}: {problem.reason}", file=sys.stderr)
    if snapshot is None:
        print(f"ihlbot: no document could be loaded from {corpus_dir}", file=sys.stderr)
        return None
    return snapshot.retriever


def command_ask(args: argparse.Namespace) -> int:
    from bot.terminal import format_answer, json_line

    retriever = _cached_retriever(_corpus_dir(args.corpus), _engine_settings(args))
    if retriever is None:
        return 1
    if args.question is None:  # one question per line, one JSON object per line
        # Undecodable bytes become U+FFFD: one bad line must not end the run.
        lines = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
        for line in lines:
            print(json_line(retriever.search(line.rstrip("\r\n"), k=args.k)), flush=True)
        return 0
    answer = retriever.search(args.question, k=args.k)
    if args.json:
        print(json_line(answer))
    else:
        print(format_answer(answer, retriever.documents, color=sys.stdout.isatty()))
    return 0


def command_eval(args: argparse.Namespace) -> int:
    from retrieval.evaluation import (
        Suite,
        evaluate,
        format_report,
        load_items,
        load_suites,
        unreachable,
    )

    if args.file:
        folders = [Path(c) for c in args.corpus] if args.corpus else [_corpus_dir(None)]
        suites = [Suite(file=Path(args.file), corpus=folders)]
    else:
        try:
            suites = load_suites(Path(args.suites))
        except (OSError, ValueError) as error:
            print(f"ihlbot: cannot read {args.suites}: {error}", file=sys.stderr)
            return 2
        suites = [s for s in suites if args.heldout or not s.heldout]
    engine = _engine_settings(args)
    for number, suite in enumerate(suites):
        try:
            items = load_items(suite.file)
        except (OSError, ValueError) as error:
            print(f"ihlbot: cannot read {suite.file}: {error}", file=sys.stderr)
            return 2
        retriever = _retriever(suite.corpus, engine)
        if retriever is None:
            return 1
        mode = "hybrid" if retriever.semantic is not None else "lexical"
        names = " + ".join(str(folder) for folder in suite.corpus)
        if number:
            print()
        print(f"== {suite.file} ({mode}; corpus {names})")
        # Titles are answered by name ("what is it called?"), not searched as units.
        titles = (document.title for document in retriever.corpus.documents)
        lost = unreachable(items, itertools.chain((unit.text for unit in retriever.units), titles))
        if lost:
            print(f"gold strings that no passage or field holds: {len(lost)} ({', '.join(lost)})")
        print(format_report(evaluate(retriever, items, k=args.k), verbose=args.verbose))
    return 0


def command_run(args: argparse.Namespace) -> int:
    import asyncio

    from bot.library import Library, LibraryError
    from bot.logs import configure_logging, protect_secret
    from bot.settings import SettingsError, load_settings

    configure_logging()
    try:
        settings = load_settings()
        protect_secret(settings.require_token())
    except SettingsError as error:
        print(f"ihlbot: {error}", file=sys.stderr)
        return 2
    library = Library(settings.corpus_dir, settings.data_dir, settings.engine())
    try:
        library.load()
    except LibraryError as error:
        print(f"ihlbot: {error}", file=sys.stderr)
        return 1

    from telegram.error import InvalidToken

    from bot.app import serve

    try:
        asyncio.run(serve(settings, library))
    except InvalidToken:
        print("ihlbot: Telegram rejected BOT_TOKEN; check it with @BotFather", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ihlbot",
        description="Answers questions on IHL and landmines with cited, verbatim quotes.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    index = commands.add_parser("index", help="load a corpus folder and report what it holds")
    index.add_argument("--corpus", metavar="DIR", action=_OneFolder, help=_ONE_FOLDER_HELP)
    index.add_argument("--lexical", action="store_true", help="BM25 only, no embeddings")
    index.set_defaults(handler=command_index)

    ask = commands.add_parser("ask", help="answer a question in the terminal")
    ask.add_argument(
        "question",
        nargs="?",
        help="the question (default: one per stdin line, answered as JSON lines)",
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--k", type=_positive, default=3, help="number of quotes (default 3)")
    ask.add_argument("--corpus", metavar="DIR", action=_OneFolder, help=_ONE_FOLDER_HELP)
    ask.add_argument("--lexical", action="store_true", help="BM25 only, no embeddings")
    ask.set_defaults(handler=command_ask)

    evaluation = commands.add_parser("eval", help="measure retrieval on question files")
    evaluation.add_argument(
        "file", nargs="?", help="JSON list of {id, question, gold, kind} (default: every suite)"
    )
    evaluation.add_argument("--k", type=_positive, default=3)
    evaluation.add_argument(
        "--corpus", metavar="DIR", action="append", help="corpus folder (repeatable)"
    )
    evaluation.add_argument(
        "--suites", default="eval/suites.toml", help="files and corpora to run with no FILE"
    )
    evaluation.add_argument("--lexical", action="store_true", help="BM25 only, no embeddings")
    evaluation.add_argument(
        "--heldout", action="store_true", help="also run the held-out files (once, at the end)"
    )
    evaluation.add_argument("--verbose", action="store_true", help="list the misses")
    evaluation.set_defaults(handler=command_eval)

    run = commands.add_parser("run", help="run the Telegram bot (long polling)")
    run.set_defaults(handler=command_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = args.handler
    try:
        code: int = handler(args)
    except BrokenPipeError:
        # The reader left (`ihlbot ask < questions | head`): stop quietly, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return code


if __name__ == "__main__":
    sys.exit(main())
