"""A cache of validated datasets, keyed by the content of the data files.

The first run parses and validates YAML; later runs with the same files read a compact
``marshal`` form instead. The key is a BLAKE2 hash of every file's name and bytes, the
program version and the Python version, so any change to a data file (or an upgrade)
misses the cache. Entries carry their own checksum: a corrupt or truncated entry is
ignored and rebuilt. A cache folder that cannot be written is simply not used.

Location: ``$STEMCLI_CACHE_DIR``, else ``$XDG_CACHE_HOME/stemcli``, else ``~/.cache/stemcli``.
``STEMCLI_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from stemcli import __version__

try:  # the BLAKE2 built-in: importing hashlib would load OpenSSL too (+3 ms per run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Pythons
    from hashlib import blake2b

from stemcli.model import Claim, Condition, Dataset, Measure, Outcome, Quantity, Source, Stage

_MAGIC = b"STEMCLI1"
KEEP = 8  # entries kept: the newest; every edit of a data file makes a new one
_FORMAT = 2


def cache_dir() -> Path | None:
    if os.environ.get("STEMCLI_NO_CACHE"):
        return None
    explicit = os.environ.get("STEMCLI_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "stemcli"


def _code_stamp() -> str:
    """Size and mtime of the modules that decide what a valid dataset is.

    A new release changes ``__version__``; this catches an edited checkout too, so a
    dataset validated by older rules is never served (a stat call per module, no reading).
    """
    here = Path(__file__).resolve().parent
    parts = []
    for name in ("dataset.py", "ids.py", "quantities.py", "model.py", "cache.py"):
        try:
            st = (here / name).stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:?")
    return "|".join(parts)


def key_for(files: Sequence[tuple[str, str, str, bytes]]) -> str:
    h = blake2b(digest_size=20)
    h.update(f"{__version__}|{_FORMAT}|{sys.version_info[:2]}|{marshal.version}".encode())
    h.update(_code_stamp().encode())
    for name, role, source, blob in files:
        h.update(f"\0{name}\0{role}\0{source}\0{len(blob)}\0".encode())
        h.update(blob)
    return h.hexdigest()


def _path(key: str) -> Path | None:
    d = cache_dir()
    return None if d is None else d / f"dataset-{key}.bin"


def get(key: str) -> Dataset | None:
    """The cached dataset for ``key``, or None when absent, unreadable or corrupt."""
    p = _path(key)
    if p is None:
        return None
    try:
        blob = p.read_bytes()
    except OSError:
        return None
    with contextlib.suppress(OSError):
        os.utime(p)  # recently used: pruning keeps it
    if len(blob) < len(_MAGIC) + 32 or not blob.startswith(_MAGIC):
        return None
    digest = blob[len(_MAGIC) : len(_MAGIC) + 32]
    payload = blob[len(_MAGIC) + 32 :]
    if blake2b(payload, digest_size=32).digest() != digest:
        return None
    import gc

    was_enabled = gc.isenabled()
    gc.disable()  # decoding makes many small acyclic objects: no collections meanwhile
    try:
        return _decode(marshal.loads(payload))
    except (ValueError, EOFError, TypeError, IndexError, KeyError):
        return None
    finally:
        if was_enabled:
            gc.freeze()
            gc.enable()


def put(key: str, ds: Dataset) -> None:
    """Store ``ds`` atomically; silently skip when the cache cannot be written."""
    p = _path(key)
    if p is None:
        return
    try:
        payload = marshal.dumps(_encode(ds))
        blob = _MAGIC + blake2b(payload, digest_size=32).digest() + payload
        p.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _prune(p.parent, keep=KEEP - 1)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".tmp-", suffix=".bin")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
            os.replace(tmp, p)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, ValueError):
        return


def _prune(folder: Path, *, keep: int) -> None:
    """Delete all but the ``keep`` most recently used cache entries (and stale temp files)."""
    entries = []
    for p in folder.glob("dataset-*.bin"):
        try:
            entries.append((p.stat().st_mtime, p))
        except OSError:
            continue
    entries.sort(reverse=True)
    for _, p in entries[keep:]:
        p.unlink(missing_ok=True)


def _q(q: Quantity | None) -> tuple[Any, ...] | None:
    return None if q is None else (q.text, q.low, q.high, q.unit, q.qualifier)


def _encode(ds: Dataset) -> tuple[Any, ...]:
    return (
        _FORMAT,
        [
            (s.id, s.title, s.publisher, s.kind, s.sells_treatment, s.archive, s.sha256)
            for s in ds.sources.values()
        ],
        [
            (c.id, c.name, c.aliases, tuple((st.id, st.aliases) for st in c.stages))
            for c in ds.conditions.values()
        ],
        [(o.id, o.name, o.family, o.description, o.compared) for o in ds.outcomes.values()],
        [(m.id, m.description, m.max_percent, m.dimensions) for m in ds.measures.values()],
        [
            (
                c.id,
                c.source,
                c.condition,
                c.stages,
                c.outcome,
                c.measure,
                _q(c.value),
                c.quote,
                c.basis,
                _q(c.timepoint),
                c.comparator,
                c.intervention,
                c.n,
                c.citation,
                c.where,
            )
            for c in ds.claims
        ],
    )


def _decode(raw: Any) -> Dataset:
    fmt, sources, conditions, outcomes, measures, claims = raw
    if fmt != _FORMAT:
        raise ValueError("cache format")
    quantities: dict[tuple[Any, ...], Quantity] = {}

    def q(*fields: Any) -> Quantity:
        # datasets repeat values ("60-70%"): one shared object each, as parse() gives
        found = quantities.get(fields)
        if found is None:
            found = quantities[fields] = Quantity(*fields)
        return found

    return Dataset(
        sources={s[0]: Source(*s) for s in sources},
        conditions={
            c[0]: Condition(c[0], c[1], c[2], tuple(Stage(i, a) for i, a in c[3]))
            for c in conditions
        },
        outcomes={o[0]: Outcome(*o) for o in outcomes},
        measures={m[0]: Measure(*m) for m in measures},
        claims=tuple(
            Claim(
                c[0],
                c[1],
                c[2],
                c[3],
                c[4],
                c[5],
                q(*c[6]),
                c[7],
                c[8],
                None if c[9] is None else q(*c[9]),
                c[10],
                c[11],
                c[12],
                c[13],
                c[14],
            )
            for c in claims
        ),
    )
