"""Find the files of a dataset: the bundled ones, the user's folders and files, and their roles."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from stemcli.errors import InputError

if TYPE_CHECKING:
    pass


YAML_SUFFIXES = (".yaml", ".yml")
# a whole dataset in one file (see stemcli.dataset.formats)
DATASET_SUFFIXES = (".jsonl", ".parquet")


SPECIAL_FILES = ("sources", "conditions", "outcomes")


def bundled_dir() -> Path:
    """The dataset and vocabularies shipped with the package: ``stemcli/data`` in an
    installed wheel, ``data/`` beside ``src/`` in the source tree.

    Found from this file rather than through :mod:`importlib.resources`: that import costs
    about 6 ms on every command's start, and what it would add (resources inside a zip)
    cannot serve here, since the loader reads real files only (opened without blocking,
    refused unless regular, keyed by path in the cache).
    """
    here = Path(__file__).resolve().parent.parent  # the stemcli package
    inside = here / "data"
    if inside.is_dir():
        return inside
    return here.parent.parent / "data"


class DataFile:
    """One file of a dataset and what it holds: a YAML file's role, or ``dataset`` for a
    JSON Lines or Parquet file holding every part (see :mod:`stemcli.dataset.formats`)."""

    __slots__ = ("bundled", "index", "path", "role", "source_id")

    def __init__(
        self, path: Path, role: str, source_id: str | None = None, bundled: bool = False
    ) -> None:
        self.path = path
        self.role = role  # sources | conditions | outcomes | claims | dataset
        self.source_id = source_id  # for claims files
        self.bundled = bundled
        # what a one-file dataset's numbered locations stand for (Parquet rows)
        self.index: object | None = None


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
            hint="a dataset is a folder (like data/), one YAML file, or a .jsonl or .parquet file",
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
    if path.suffix.lower() in DATASET_SUFFIXES:
        return [DataFile(path, "dataset")]
    if not is_yaml(path):
        raise InputError(
            f"{path}: not a dataset file (expected .yaml or .yml, or a whole dataset "
            "in .jsonl or .parquet)"
        )
    role, source_id = _role_of(path)
    return [DataFile(path, role, source_id)]


# a whole dataset in one file may be large (a million claims are ~300 MB of JSON Lines);
# a YAML file keeps the reader's limit (its parse costs ~400 bytes a node)
DATASET_FILE_BYTES = 1024 * 1024 * 1024


def file_limit(df: DataFile) -> int:
    """The most bytes a dataset file may have."""
    from stemcli.text.files import MAX_FILE_BYTES

    return DATASET_FILE_BYTES if df.role == "dataset" else MAX_FILE_BYTES


def display_path(df: DataFile) -> str:
    """How a file is named in messages: bundled files relative to the data folder."""
    if df.bundled:
        return f"data/{df.path.relative_to(bundled_dir()).as_posix()}"
    return str(df.path)


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
