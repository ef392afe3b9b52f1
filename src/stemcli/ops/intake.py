"""extract --into: a page becomes a source of a user's dataset folder, nothing overwritten.

The folder gets the layout of ``data/``::

    DIR/sources.yaml        the new source appended (the file created if missing)
    DIR/claims/ID.yaml      the draft claims
    DIR/archive/ID.txt      the page's text exactly as extract read it: every quote is in it

The source's ``archive`` and ``sha256`` name that text, so ``stemcli verify`` checks the
quotes against it. Its title, publisher, kind and sells_treatment are guesses, listed in
its ``review``; so are each draft's guessed fields.

Nothing a user has is replaced: an id already in sources.yaml (or in the dataset being
used), an existing claims file or archive is an error naming another ``--source-id``.
sources.yaml keeps its bytes exactly; the entry is appended after them. Every file is
written atomically by the ``write`` function the caller gives (the command line's atomic
writer); the archive and the claims file are put in place together, then sources.yaml,
and if that fails the two new files are taken away again.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from stemcli.errors import InputError, Location, UsageError
from stemcli.model import Dataset
from stemcli.ops.kinds import guess_kind

__all__ = [
    "SOURCE_REVIEW",
    "Intake",
    "PageText",
    "SourceTaken",
    "guess_kind",
    "guess_publisher",
    "plan",
    "write",
]

# the source fields extract --into guesses: a person confirms each
SOURCE_REVIEW = ("publisher", "kind", "sells_treatment", "title")

SOURCES_HEADER = (
    "# The sources of this dataset: one entry per page; its claims are in claims/<id>.yaml.\n"
    "# archive and sha256 name the page's text in archive/ (stemcli verify checks the quotes\n"
    "# against it). review lists the fields stemcli extract guessed: confirm each, then\n"
    "# delete it from the list (or the whole line).\n"
)

Writer = Callable[[Sequence[tuple[Path, str]], bool], None]
"""Writes every ``(path, text)`` atomically, all or none; the flag allows replacing."""


class PageText(Protocol):
    """What intake needs of a page that was read (a file, a pasted text)."""

    @property
    def name(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def reader(self) -> str: ...
    @property
    def title(self) -> str | None: ...


class SourceTaken(UsageError):
    """The source id is taken: by a source, a claims file or an archived page."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint="choose another source id")


@dataclass(frozen=True, slots=True)
class Intake:
    """What extract --into will write, every check done."""

    folder: Path
    source_id: str
    archive: Path
    claims: Path
    sources: Path
    sources_before: bytes | None  # None: sources.yaml is created
    entry: str  # the source's YAML entry, appended to sources.yaml
    text: str  # the archive's text (the page's, as read)


def plan(ds: Dataset, folder: Path, page: PageText, source_id: str) -> Intake:
    """Check that ``page`` can become source ``source_id`` of ``folder`` without
    replacing anything; raise :class:`UsageError` (taken) or :class:`InputError`."""
    _folder_ok(folder)
    sources = _sources_file(folder)
    before: bytes | None = None
    if sources.exists() or sources.is_symlink():
        before = _read(sources)
        if source_id in _source_ids(sources, before):
            raise SourceTaken(f"{sources}: source {source_id!r} is there already")
    if source_id in ds.sources:
        raise SourceTaken(f"source {source_id!r} is in the dataset already")
    claims_dir, archive_dir = folder / "claims", folder / "archive"
    for sub in (claims_dir, archive_dir):
        _folder_ok(sub)
    for existing in _entries(claims_dir):
        if existing.stem == source_id and existing.suffix.lower() in (".yaml", ".yml"):
            raise SourceTaken(f"{existing}: a claims file of {source_id!r} exists")
    archive = archive_dir / f"{source_id}.txt"
    if archive.exists() or archive.is_symlink():
        raise SourceTaken(f"{archive}: an archived page exists")
    text = page.text
    entry = source_entry(page, source_id, archive.name, _sha256(text))
    appended(sources, before, entry)  # refused now, before anything is written
    return Intake(
        folder=folder,
        source_id=source_id,
        archive=archive,
        claims=claims_dir / f"{source_id}.yaml",
        sources=sources,
        sources_before=before,
        entry=entry,
        text=text,
    )


def write(intake: Intake, claims_yaml: str, writer: Writer) -> None:
    """Create the folders, then write the archive and claims file (new files only),
    then sources.yaml with the entry appended; on a failure of that last step the
    two new files are removed again."""
    for sub in (intake.folder, intake.folder / "claims", intake.folder / "archive"):
        try:
            sub.mkdir(exist_ok=True)
        except OSError as e:
            raise InputError(f"{sub}: cannot create the folder: {e.strerror or e}") from None
    writer([(intake.archive, intake.text), (intake.claims, claims_yaml)], False)
    try:
        now = _read(intake.sources) if intake.sources_before is not None else None
        if now != intake.sources_before:
            raise InputError(f"{intake.sources}: changed while extract ran; run it again")
        writer([(intake.sources, appended(intake.sources, now, intake.entry))], now is not None)
    except BaseException:
        for made in (intake.archive, intake.claims):
            with contextlib.suppress(OSError):
                made.unlink()
        raise


def appended(path: Path, before: bytes | None, entry: str) -> str:
    """sources.yaml's text with ``entry`` after its exact bytes (a line break first when
    they do not end in one); refused unless the result reads as the old list plus the
    entry (a file in flow style, ``[...]``, cannot be appended to)."""
    import yaml

    if before is None:
        return SOURCES_HEADER + entry
    try:
        old = before.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; fix it before adding a source") from None
    sep = "" if old == "" or old.endswith(("\n", "\r")) else "\n"
    new = old + sep + entry
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        old_items = yaml.load(old, Loader=loader) or []
        new_items = yaml.load(new, Loader=loader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path))
        raise InputError(
            "not valid YAML; fix it before adding a source",
            location=where,
            hint="stemcli validate lists the problem",
        ) from None
    if not isinstance(old_items, list) or new_items != [*old_items, yaml.safe_load(entry)[0]]:
        raise InputError(
            f"{path}: cannot append a source to it (not a YAML block list of sources)",
            hint="write each source as '- id: ...' on a line of its own",
        )
    return new


def source_entry(page: PageText, source_id: str, archive: str, sha256: str) -> str:
    """The YAML entry of the new source: text from the page is quoted, on one line."""
    from stemcli.text.neutralise import yaml_line, yaml_quoted, yaml_word

    title = guess_title(page, source_id)
    kind = guess_kind(page.text)
    lines = [
        f"- id: {yaml_word(source_id)}",
        f"  title: {yaml_quoted(title)}  # guess",
        f"  publisher: {yaml_quoted(guess_publisher(title, page.name, source_id))}  # guess",
        f"  kind: {kind}  # guess: clinic, broker or information",
        f"  sells_treatment: {'false' if kind == 'information' else 'true'}  # guess",
        f"  archive: {yaml_quoted(archive)}",
        f"  sha256: {sha256}",
        f"  reader: {yaml_quoted(page.reader)}",
        f"  review: [{', '.join(SOURCE_REVIEW)}]",
    ]
    return "".join(yaml_line(line) + "\n" for line in lines)


_TITLE_MAX = 160


def guess_title(page: PageText, source_id: str) -> str:
    """The page's title, else its first line of text (shortened), else the source id."""
    for candidate in (page.title or "", *page.text.splitlines()[:20]):
        title = " ".join(candidate.split())
        if title:
            if len(title) > _TITLE_MAX:
                title = title[: _TITLE_MAX - 1].rsplit(" ", 1)[0] + "…"
            return title
    return source_id


_TITLE_PARTS = re.compile(r"\s+[|\-–—·:]{1,2}\s+")


def guess_publisher(title: str, name: str, source_id: str) -> str:
    """Who published the page: a site's name after the last ' | ' or ' - ' of its title
    ("Knee therapy | Regen Clinic"), else words of the file name, else the source id."""
    parts = [p for p in _TITLE_PARTS.split(title) if p.strip()]
    if len(parts) > 1 and len(parts[-1]) <= 40:
        return parts[-1].strip()
    stem = Path(name).stem if name and name != "<stdin>" else ""
    words = re.sub(r"[^A-Za-z0-9]+", " ", stem).split()
    if words and not all(w.isdigit() for w in words):
        return " ".join(w if w.isupper() else w.capitalize() for w in words)
    return source_id


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _folder_ok(folder: Path) -> None:
    try:
        bad = (folder.exists() or folder.is_symlink()) and not folder.is_dir()
    except OSError as e:
        raise InputError(f"{folder}: cannot use this path: {e.strerror or e}") from None
    if bad:
        raise UsageError(f"{folder}: not a folder", hint="name a dataset folder")


def _entries(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    try:
        return sorted(folder.iterdir())
    except OSError as e:
        raise InputError(f"{folder}: cannot list the folder: {e.strerror or e}") from None


def _sources_file(folder: Path) -> Path:
    """The folder's sources file (sources.yaml, or sources.yml as it is spelt there)."""
    found = [
        p
        for p in _entries(folder)
        if p.stem.lower() == "sources" and p.suffix.lower() in (".yaml", ".yml")
    ]
    if len(found) > 1:
        raise InputError(
            f"{folder}: several sources files ({', '.join(p.name for p in found)})",
            hint="keep one sources.yaml",
        )
    return found[0] if found else folder / "sources.yaml"


def _read(path: Path) -> bytes:
    from stemcli.text.files import read_bytes

    return read_bytes(path)


def _source_ids(path: Path, data: bytes) -> set[str]:
    """The ids of the sources in a sources file (as far as it can be read)."""
    import yaml

    try:
        items = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return set()  # appended() reports it, with its location
    if not isinstance(items, list):
        return set()
    return {str(i["id"]) for i in items if isinstance(i, dict) and "id" in i}
