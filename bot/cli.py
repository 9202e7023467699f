"""The `ihlbot` command line: index a corpus, ask questions, evaluate, run the bot.

Heavy imports (Telegram, the index) happen inside the subcommand that needs them, so
`ihlbot index` and `ihlbot ask` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from corpus import Corpus, default_corpus_dir, load_corpus


def _corpus_dir(value: str | None) -> Path:
    if value:
        return Path(value)
    from bot.settings import corpus_dir_from_environment

    return corpus_dir_from_environment() or default_corpus_dir()


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
    corpus = load_corpus(_corpus_dir(args.corpus))
    print(format_corpus_report(corpus))
    return 0 if corpus.documents else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ihlbot",
        description="Answers questions on IHL and landmines with cited, verbatim quotes.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    index = commands.add_parser("index", help="load a corpus folder and report what it holds")
    index.add_argument("--corpus", metavar="DIR", help="corpus folder (default: shipped seeds)")
    index.set_defaults(handler=command_index)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = args.handler
    code: int = handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
