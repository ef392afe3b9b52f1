"""Find the files of a dataset, read them, and load it: from the cache when the files'
content is unchanged, else parsed and validated by :mod:`stemcli.dataset`.

This module is on every command's path, so it stays light: no YAML, no validation code,
no dataclass definitions are imported unless the cache misses.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from stemcli.errors import DataError, InputError, Location, Problem

if TYPE_CHECKING:
    from stemcli.model import Dataset

MAX_FILE_BYTES = 16 * 1024 * 1024
YAML_SUFFIXES = (".yaml", ".yml")
SPECIAL_FILES = ("sources", "conditions", "outcomes")


def bundled_dir() -> Path:
    """The dataset shipped with the package (inside the wheel, or the source tree)."""
    here = Path(__file__).resolve().parent
    inside = here / "data"
    if inside.is_dir():
        return inside
    return here.parent.parent / "data"


# ---------------------------------------------------------------------------
# files


class DataFile:
    """One YAML file of a dataset and what it holds."""

    __slots__ = ("bundled", "path", "role", "source_id")

    def __init__(
        self, path: Path, role: str, source_id: str | None = None, bundled: bool = False
    ) -> None:
        self.path = path
        self.role = role  # sources | conditions | outcomes | claims
        self.source_id = source_id  # for claims files
        self.bundled = bundled


def find_files(paths: Sequence[Path], *, bundled: bool = True) -> list[DataFile]:
    """The files making up the dataset: bundled ones (or only outcomes.yaml) then the user's."""
    files: list[DataFile] = []
    root = bundled_dir()
    if bundled:
        files.extend(_files_in(root, bundled=True))
    else:
        files.append(DataFile(root / "outcomes.yaml", "outcomes", bundled=True))
    for p in paths:
        if bundled and _same_path(p, root):
            continue  # the bundled folder named again: already loaded
        files.extend(_user_files(p))
    return files


def _same_path(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):
        return False


def is_yaml(path: Path) -> bool:
    """A .yaml or .yml file name, in any case (``x.YAML`` is not skipped)."""
    return path.suffix.lower() in YAML_SUFFIXES


def _role_of(path: Path) -> tuple[str, str | None]:
    stem = path.stem
    if stem.lower() in SPECIAL_FILES:
        return stem.lower(), None
    return "claims", stem


def _entries(directory: Path) -> list[Path]:
    try:
        return sorted(directory.iterdir())
    except OSError as e:
        raise InputError(f"{directory}: cannot list the folder: {e.strerror}") from None


def _files_in(directory: Path, *, bundled: bool) -> list[DataFile]:
    out: list[DataFile] = []
    special = [p for p in _entries(directory) if is_yaml(p) and p.stem.lower() in SPECIAL_FILES]
    for p in sorted(special, key=lambda p: (SPECIAL_FILES.index(p.stem.lower()), p.name)):
        out.append(DataFile(p, p.stem.lower(), bundled=bundled))
    claims_dir = directory / "claims"
    if claims_dir.is_symlink() and not claims_dir.exists():
        raise InputError(f"{claims_dir}: a broken symbolic link or a link loop")
    if claims_dir.is_dir():
        for p in _entries(claims_dir):
            if is_yaml(p):
                out.append(DataFile(p, "claims", p.stem, bundled=bundled))
    return out


def _user_files(path: Path) -> list[DataFile]:
    try:
        is_dir = path.is_dir()
        exists = is_dir or path.exists() or path.is_symlink()
    except OSError as e:
        raise InputError(f"{path}: cannot use this path: {e.strerror}") from None
    if not exists:
        raise InputError(
            f"{path}: no such file or folder",
            hint="--data takes a dataset folder (like data/) or one YAML file",
        )
    if is_dir:
        found = _files_in(path, bundled=False)
        if not found:
            raise InputError(
                f"{path}: no dataset files here",
                hint="expected sources.yaml, conditions.yaml, outcomes.yaml or claims/*.yaml",
            )
        return found
    if not path.exists():  # a symbolic link to nothing, or a loop of links
        raise InputError(f"{path}: a broken symbolic link or a link loop")
    if not is_yaml(path):
        raise InputError(f"{path}: not a YAML file (expected .yaml or .yml)")
    role, source_id = _role_of(path)
    return [DataFile(path, role, source_id)]


_NOT_REGULAR = "not a regular file (a pipe, device or socket)"
# never wait: opening a FIFO for reading blocks until a writer comes, O_NONBLOCK does not
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


def _open(path: Path) -> BinaryIO:
    return os.fdopen(os.open(path, _OPEN_FLAGS), "rb")


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """Read a regular file with a size limit; every failure is an :class:`InputError`.

    The one way stemcli reads a file it is given: dataset files, pages, archived
    sources. The file is opened without blocking, so a FIFO named like a YAML file
    cannot stall the program waiting for a writer, and whatever is not a regular file
    (a FIFO, a device such as /dev/zero, a socket, a folder) is refused before a byte
    is read.
    """
    try:
        f = _open(path)
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a file") from None
    except OSError as e:
        if e.errno == errno.ENXIO:  # a socket, or a device with nothing behind it
            raise InputError(f"{path}: {_NOT_REGULAR}") from None
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        with f:
            mode = os.fstat(f.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise InputError(f"{path}: is a folder, expected a file")
            if not stat.S_ISREG(mode):
                raise InputError(f"{path}: {_NOT_REGULAR}")
            data = f.read(limit + 1)
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
    if len(data) > limit:
        raise InputError(f"{path}: file is larger than the {limit // (1024 * 1024)} MiB limit")
    return data


def decode_utf8(path: Path | str, data: bytes) -> str:
    """Decode UTF-8 (a BOM is allowed) or raise an error naming line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        col = e.start - (before.rfind(b"\n") + 1) + 1
        raise InputError(
            f"{path}:{line}:{col}: not UTF-8 text (byte 0x{data[e.start]:02x})",
            hint="save the file as UTF-8",
        ) from None
    return text


def display_path(df: DataFile) -> str:
    """How a file is named in messages: bundled files relative to the data folder."""
    if df.bundled:
        return f"data/{df.path.relative_to(bundled_dir()).as_posix()}"
    return str(df.path)


def load(
    paths: Sequence[Path] = (),
    *,
    bundled: bool = True,
    use_cache: bool = True,
) -> Dataset:
    """Load and validate the dataset, or raise :class:`DataError` with every problem."""
    ds, problems = check(paths, bundled=bundled, use_cache=use_cache)
    if problems:
        raise DataError(problems)
    return ds


def check(
    paths: Sequence[Path] = (),
    *,
    bundled: bool = True,
    use_cache: bool = True,
) -> tuple[Dataset, list[Problem]]:
    """Load the dataset and return it with every problem (for ``stemcli validate``)."""
    from stemcli import cache

    files = find_files(paths, bundled=bundled)
    blobs: list[bytes] = []
    unreadable: list[Problem] = []
    readable: list[DataFile] = []
    first_of: dict[tuple[Path, str], DataFile] = {}
    for df in files:
        if df.role == "claims":  # one file per source in a folder: x.yaml, x.yml, x.YAML clash
            first = first_of.setdefault((df.path.parent, df.source_id or ""), df)
            if first is not df:
                unreadable.append(
                    Problem(
                        Location(display_path(df)),
                        f"a second claims file of source {df.source_id!r} "
                        f"(the first is {display_path(first)}); keep one file per source",
                    )
                )
                continue
        try:
            blobs.append(read_bytes(df.path))
            readable.append(df)
        except InputError as e:
            unreadable.append(Problem(Location(display_path(df)), _strip_path(e.message, df)))
    key = cache.key_for(
        [
            (display_path(df), df.role, df.source_id or "", blob)
            for df, blob in zip(readable, blobs, strict=True)
        ]
    )
    data_bytes = sum(map(len, blobs))
    if use_cache and not unreadable:
        hit = cache.get(key, data_bytes=data_bytes)
        if hit is not None:
            return hit, []
    from stemcli.dataset import parse_and_build

    ds, problems = parse_and_build(readable, blobs)
    problems = unreadable + problems
    if not problems and use_cache:
        cache.put(key, ds, data_bytes=data_bytes)
    return ds, problems


def _strip_path(message: str, df: DataFile) -> str:
    """'PATH: what' -> 'what' (the path is the problem's location already)."""
    prefix = f"{df.path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def data_paths(cli_paths: Sequence[Path]) -> list[Path]:
    """--data paths, then those in STEMCLI_DATA (separated like PATH), each once.

    The same folder given twice (on the command line and in STEMCLI_DATA, or as the
    bundled data folder) would otherwise 'duplicate' every id against itself.
    """
    candidates = list(cli_paths)
    env = os.environ.get("STEMCLI_DATA", "")
    for part in env.split(os.pathsep):
        if part.strip():
            candidates.append(Path(part.strip()).expanduser())
    out: list[Path] = []
    seen: set[Path] = set()
    for p in candidates:
        try:
            key = p.resolve()
        except (OSError, RuntimeError):  # a link loop: let reading it report the problem
            key = p
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
