"""Which files of a corpus folder are documents, and which are refused and why.

The folder is whatever an editor, a sync tool or an attacker left in it: links to files
elsewhere on the machine (`notes.txt -> /etc/passwd`), names that are not UTF-8, lock and
temporary files that vanish while they are read. Only regular files inside the folder are
documents; a link is followed only when its target is inside the folder too. Hidden files
and folders (lock files, `.git`) are skipped silently; everything else refused is reported.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from corpus.metadata import is_sidecar
from corpus.models import LoadProblem

_IGNORED_NAMES = frozenset({"readme.md", "readme.txt", "license", "license.txt"})


def display_name(relative: str) -> str:
    """A path as text that can be logged, shown and encoded whatever bytes its name has."""
    return relative.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class CorpusScan:
    files: list[Path] = field(default_factory=list)  # documents, in a stable order
    sidecars: list[Path] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)


def scan_corpus(directory: Path) -> CorpusScan:
    scan = CorpusScan()
    try:
        root = directory.resolve(strict=True)
    except OSError as error:
        scan.problems.append(LoadProblem(file=str(directory), reason=f"cannot be read: {error}"))
        return scan

    def refuse(relative: str, reason: str) -> None:
        scan.problems.append(LoadProblem(file=display_name(relative), reason=reason))

    def walk_error(error: OSError) -> None:
        where = os.path.relpath(error.filename or str(directory), directory)
        refuse(where, f"cannot be read ({error.strerror or error})")

    for folder, subfolders, names in os.walk(directory, onerror=walk_error, followlinks=False):
        base = Path(folder)
        relative_base = base.relative_to(directory)
        kept = []
        for name in sorted(subfolders):
            relative = (relative_base / name).as_posix()
            if name.startswith("."):
                continue
            if (base / name).is_symlink():
                refuse(relative, "a link to a folder; links to folders are not followed")
            elif not _is_utf8(name):
                refuse(relative, "the folder name is not valid UTF-8; rename it")
            else:
                kept.append(name)
        subfolders[:] = kept
        for name in sorted(names):
            path = base / name
            relative = (relative_base / name).as_posix()
            if name.startswith(".") or name.lower() in _IGNORED_NAMES:
                continue
            if not _is_utf8(name):
                refuse(relative, "the file name is not valid UTF-8; rename it")
                continue
            try:
                if path.is_symlink():
                    target = path.resolve(strict=True)
                    if not target.is_relative_to(root):
                        refuse(relative, "a link to a file outside the corpus folder; not followed")
                        continue
                if not path.is_file():
                    continue  # a socket, a device, or a link to nothing
            except OSError:
                continue  # it vanished while we looked (a temporary file)
            (scan.sidecars if is_sidecar(path) else scan.files).append(path)
    scan.files.sort(key=lambda p: p.relative_to(directory).as_posix())
    scan.sidecars.sort(key=lambda p: p.relative_to(directory).as_posix())
    return scan
