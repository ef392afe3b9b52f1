"""The dataset: its files found, read, parsed and validated once, cached by content.

The entry points are :func:`load` (every problem is a :class:`~stemcli.errors.DataError`)
and :func:`check` (the dataset and every problem, for ``stemcli validate``). This package
is on every command's path, so it stays light: no YAML, no validation code and no
dataclass definitions are imported unless the cache misses.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from stemcli.dataset.find import DataFile, display_path, file_limit, find_files
from stemcli.errors import DataError, InputError, Location, Problem
from stemcli.text.files import read_bytes

if TYPE_CHECKING:
    from stemcli.model import Dataset


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
    from stemcli.dataset import cache

    files = find_files(paths, bundled=bundled)
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
        readable.append(df)
    # the key from each file's identity, no byte read; the files that changed a moment ago
    # (see cache.is_racy) are checked by their bytes if the entry recorded their digests
    import time

    now = time.time()
    prints: list[bytes] = []
    racy: set[int] = set()
    data_bytes = 0
    for i, df in enumerate(readable):
        try:
            st = os.stat(df.path)
        except OSError:
            prints.append(b"?")
            continue
        data_bytes += st.st_size
        prints.append(cache.fingerprint(st))
        if cache.is_racy(st, now):
            racy.add(i)
    key = cache.key_for(
        [
            (display_path(df), df.role, df.source_id or "", fp)
            for df, fp in zip(readable, prints, strict=True)
        ]
    )
    blobs: dict[int, bytes] = {}  # files read to check an entry: parsed from these bytes

    def read(i: int) -> bytes | None:
        if not 0 <= i < len(readable):
            return None
        with contextlib.suppress(InputError):  # reported when it is read again
            blobs[i] = read_bytes(readable[i].path, file_limit(readable[i]))
            return blobs[i]
        return None

    if use_cache and not unreadable and b"?" not in prints:
        hit = cache.get(key, data_bytes=data_bytes, racy=racy, read=read)
        if hit is not None:
            return hit, []
    contents: list[bytes] = []
    parsed_files: list[DataFile] = []
    as_parsed: dict[int, bytes] = {}  # the racy files' bytes, whose digests the entry keeps
    for i, df in enumerate(readable):
        try:
            data = blobs[i] if i in blobs else read_bytes(df.path, file_limit(df))
        except InputError as e:
            unreadable.append(Problem(_located(e, df), e.reason))
            continue
        contents.append(data)
        parsed_files.append(df)
        if i in racy:
            as_parsed[i] = data
    from stemcli.dataset.validate import parse_and_build

    ds, problems = parse_and_build(parsed_files, contents)
    problems = unreadable + problems
    if not problems and use_cache:
        data_bytes = max(data_bytes, sum(map(len, contents)))
        cache.put(key, ds, data_bytes=data_bytes, racy=as_parsed)
    return ds, problems


def _located(e: InputError, df: DataFile) -> Location:
    """Where a file's error is, with the file named as problem lists name it."""
    if e.location is None:
        return Location(display_path(df))
    return Location(display_path(df), e.location.line, e.location.column)
