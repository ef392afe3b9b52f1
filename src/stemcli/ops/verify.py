"""verify: archived texts match their sha256, and every quote appears in its source.

Where a source's archive is: in the first of the ``--sources`` folders that holds it, when
folders are named; else, for a source of a user's dataset folder, in that folder's
``archive/`` (where ``extract --into`` puts it). A source that cannot be located that
way (a bundled one: its archive is not shipped) is not checked, and says so."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stemcli.errors import InputError
from stemcli.model import Dataset, Source
from stemcli.text.files import decode_utf8, read_bytes


@dataclass(frozen=True)
class Miss:
    source: str
    claim: str | None
    where: str
    message: str
    reason: str = ""  # a code for what callers may word their own way (OUTSIDE)


OUTSIDE = "outside-folder"  # the archive names a file outside the archive folder


@dataclass(frozen=True)
class VerifyResult:
    checked_sources: int
    checked_quotes: int
    misses: tuple[Miss, ...]
    # sources whose archive could not be located (no --sources, not in a user folder)
    unchecked: tuple[str, ...] = ()
    # reference sources (evidence, surveys): cited by DOI or URL, not archived; their
    # claims state their figures in the curator's words, so there is no quote to find
    cited: tuple[str, ...] = ()


def normalise_ws(text: str) -> str:
    return " ".join(text.split())


def _inside(folder: Path, name: str) -> Path | None:
    """``folder / name`` when it is a file name inside ``folder``, links followed, else None.

    An archive named absolutely, with '..', with a NUL byte, or through a symbolic link
    that leads out of the folder is refused: verify would otherwise read and hash (and
    answer questions about) any file the user can read.
    """
    if "\0" in name or Path(name).is_absolute() or ".." in Path(name).parts:
        return None
    path = folder / name
    try:
        real, root = path.resolve(), folder.resolve()
    except (OSError, RuntimeError, ValueError):  # a link loop, a name too long
        return path  # reading it gives the precise error
    return path if real.is_relative_to(root) and real != root else None


def _folder(sources_dir: Path) -> Path:
    try:
        is_dir = sources_dir.is_dir()
    except OSError as e:  # a name too long ...
        raise InputError(f"{sources_dir}: cannot use this path: {e.strerror or e}") from None
    if not is_dir:
        raise InputError(f"{sources_dir}: not a folder of archived sources")
    return sources_dir


def _archive_folder(s: Source, folders: Sequence[Path]) -> Path | None:
    """The folder to read ``s``'s archive from: the first of ``folders`` holding it (else
    the first, whose read reports the miss), or its own dataset folder's archive/."""
    assert s.archive is not None
    for folder in folders:
        path = _inside(folder, s.archive)
        if path is not None and path.exists():
            return folder
    if folders:
        return folders[0]
    return None if s.folder is None else Path(s.folder) / "archive"


def verify(
    ds: Dataset, sources_dirs: Sequence[Path] = (), *, source: str | None = None
) -> VerifyResult:
    """Check the archives of ``ds``'s sources (or of ``source``): each one's sha256, and
    that every quote of its claims is in it."""
    folders = [_folder(d) for d in sources_dirs]
    unchecked: list[str] = []
    cited: list[str] = []
    misses: list[Miss] = []
    n_sources = n_quotes = 0
    by_source: dict[str, list[int]] = {}
    for i, c in enumerate(ds.claims):
        by_source.setdefault(c.source, []).append(i)
    for s in ds.sources.values():
        if source is not None and s.id != source:
            continue
        claims = [ds.claims[i] for i in by_source.get(s.id, [])]
        if s.is_reference:
            cited.append(s.id)
            continue
        if s.archive is None:
            misses.append(Miss(s.id, None, "", "no archive file recorded; quotes not checked"))
            continue
        archive_dir = _archive_folder(s, folders)
        if archive_dir is None:
            unchecked.append(s.id)
            continue
        path = _inside(archive_dir, s.archive)
        if path is None:
            # a user's dataset must not make verify read (and hash) files outside the folder
            message = "archive must name a file inside the archive folder"
            misses.append(Miss(s.id, None, s.archive, message, OUTSIDE))
            continue
        try:
            data = read_bytes(path)
        except InputError as e:
            misses.append(Miss(s.id, None, str(path), e.message))
            continue
        n_sources += 1
        digest = hashlib.sha256(data).hexdigest()
        if s.sha256 is not None and digest != s.sha256:
            misses.append(
                Miss(s.id, None, str(path), f"sha256 is {digest}, the dataset records {s.sha256}")
            )
        try:
            text = normalise_ws(decode_utf8(path, data))
        except InputError as e:
            misses.append(Miss(s.id, None, str(path), e.message))
            continue
        for c in claims:
            n_quotes += 1
            if normalise_ws(c.quote) not in text:
                misses.append(Miss(s.id, c.id, c.where, f"quote not found in {s.archive}"))
    return VerifyResult(n_sources, n_quotes, tuple(misses), tuple(unchecked), tuple(cited))
