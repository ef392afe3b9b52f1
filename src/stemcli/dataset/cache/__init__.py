"""A cache of validated datasets, keyed by the content of the data files.

The first run parses and validates YAML; later runs with the same files read a compact
columnar form instead (:mod:`.codec`). The key is a BLAKE2 hash of every file's name and
identity (size, modification and change times in nanoseconds, inode and device, so that
an edit is seen without reading a byte, even one that keeps the size and restores the
modification time: writing changes the change time), the program version and the Python
version; never of the files' bytes.

A file changed less than :data:`RACY_SECONDS` before it is examined is *racy*: within one
tick of the file system's clock a second write can leave the same identity behind. (Git's
index has the same problem with its "racily clean" entries, and the same answer.) An entry
written while some files were racy records, under its tag, the BLAKE2 digest of each such
file's bytes as they were parsed. A hit on it reads those files again and is a hit only if
every digest matches and every file racy now is one of them; anything else is a miss (the
files are parsed again and a new entry written). Once no file is racy any more (their times
lie more than :data:`RACY_SECONDS` in the past, so a later write would change them), the
hit *settles* the entry: rewrites it atomically without the digests, and later hits read
no byte of a data file.

What a cache entry is trusted for, and why:

- **Authenticated.** Each entry carries a keyed tag (BLAKE2, or HMAC-SHA256 for entries
  of 16 MB and more: see :func:`tag`) of its key, its racy files' digests and its
  payload. The secret is 32 random bytes in ``stemcli-cache.key`` inside the cache
  folder, written once with mode 0600 (a temporary file created with
  ``O_EXCL | O_NOFOLLOW``, then linked into place, so the key never appears half-written).
  A key file that is a link, not a regular file, not owned by the current user or readable
  by anyone else is refused, and with it the cache. An entry whose tag does not verify
  (forged, corrupt, truncated, written under another key) is a miss, and the dataset is
  parsed and validated again; so is one whose digests, or their absence, were altered.
- **Decoded only after authentication**, its header with :mod:`json` (memory proportional
  to its input), its arrays as typed views of the bytes, and checked field by field (every
  value's type, every index within its table, offsets that never go back): any entry that
  does not decode into a dataset of the right shape is a miss too.
- **Read safely.** Entries are opened without following links and without blocking,
  must be regular files owned by the current user, and are read only up to a bound
  proportional to the data files' size.
- **Its own folder only.** The cache folder is used only if it is a real folder (not a
  link) owned by the current user and writable by nobody else; it is created with mode
  0700. Pruning deletes only files the cache wrote: entries named ``dataset-<40 hex>.bin``
  that start with the cache's header, and its temporary files once they are an hour old.
- **Bounded.** At most :data:`KEEP` entries and :data:`BUDGET` bytes of them are kept (the
  most recently used first; the entry just written always).

Location: ``$STEMCLI_CACHE_DIR`` (an absolute path; a relative one turns the cache off),
else ``$XDG_CACHE_HOME/stemcli`` (a relative ``XDG_CACHE_HOME`` is ignored, as the XDG
specification says), else ``$HOME/.cache/stemcli`` when ``HOME`` is an absolute path to an
existing folder; otherwise there is no cache. Only the ``stemcli`` folder itself is
created, and ``$HOME/.cache`` when that is the location and it is missing; never ``HOME``,
``XDG_CACHE_HOME`` or the parent of ``STEMCLI_CACHE_DIR``. ``STEMCLI_NO_CACHE=1`` turns it
off. A cache that cannot be used is simply not used: no run fails or prints because of it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from stemcli import __version__
from stemcli.dataset.cache.codec import FORMAT, decode, encode

try:  # the BLAKE2 built-in: importing hashlib would load OpenSSL too (+3 ms per run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Pythons
    from hashlib import blake2b

if TYPE_CHECKING:
    from stemcli.model import Dataset

    Bytes = bytes | bytearray | memoryview

MAGIC = b"STEMCLI4"
# entries of earlier versions: pruned like current ones
OLD_MAGICS = (b"STEMCLI1", b"STEMCLI2", b"STEMCLI3")
TAG_BYTES = 32
LARGE_BODY = 16 << 20  # from this many bytes an entry's tag is HMAC-SHA256 (see tag())
KEY_FILE = "stemcli-cache.key"
KEY_MAGIC = b"STEMCLI-KEY1"
SECRET_BYTES = 32
KEEP = 8  # entries kept: the newest; every edit of a data file makes a new one
BUDGET = 512 << 20  # bytes of entries kept (a million claims take about 200 MB)
RACY_SECONDS = 2.0  # a file changed this recently is checked by its bytes too
DIGEST_BYTES = 32  # of a racy file's bytes, in its entry
TEMP_MAX_AGE = 3600.0  # seconds after which a temporary file is a killed run's leftover

_ENTRY = r"dataset-[0-9a-f]{40}\.bin"  # the names of entries (compiled when pruning)
_TEMP = r"\.tmp-[a-z0-9_]{8,32}\.(?:bin|key)"  # of temporary files, also earlier versions


def _is_key(key: str) -> bool:
    return len(key) == 40 and not key.strip("0123456789abcdef")


def cache_dir() -> Path | None:
    """Where the cache lives, or None when it is off or the environment gives no place."""
    where = _location()
    return None if where is None else where[0]


def _location() -> tuple[Path, bool] | None:
    """The cache folder, and whether its parent (``$HOME/.cache``) may be created."""
    if os.environ.get("STEMCLI_NO_CACHE"):
        return None
    explicit = os.environ.get("STEMCLI_CACHE_DIR")
    if explicit:
        return (Path(explicit), False) if os.path.isabs(explicit) else None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg) / "stemcli", False
    home = os.environ.get("HOME", "")
    if not os.path.isabs(home) or not os.path.isdir(home):
        return None
    return Path(home) / ".cache" / "stemcli", True


def entry_limit(data_bytes: int) -> int:
    """The largest entry read for data files of ``data_bytes`` bytes in all.

    An entry holds the same text as the files, JSON-escaped, plus each claim's location:
    a few times the files' size at most.
    """
    return 8 * data_bytes + (16 << 20)


_VALIDATING_MODULES = (
    "dataset/yaml_nodes.py",
    "dataset/validate/__init__.py",
    "dataset/validate/fields.py",
    "dataset/validate/vocabularies.py",
    "dataset/validate/claims.py",
    "dataset/cache/__init__.py",
    "dataset/cache/codec.py",
    "ids.py",
    "quantities.py",
    "text/neutralise.py",
    "model.py",
)


def _code_stamp() -> str:
    """Size and mtime of the modules that decide what a valid dataset is.

    A new release changes ``__version__``; this catches an edited checkout too, so a
    dataset validated by older rules is never served (a stat call per module, no reading).
    PyYAML reads the files, so its version counts as well: its ``__init__.py``, found
    on the path without importing it (the cache-hit path imports no parser).
    """
    here = Path(__file__).resolve().parent.parent.parent  # the stemcli package
    parts = []
    for name in _VALIDATING_MODULES:
        try:
            st = (here / name).stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:?")
    parts.append(_yaml_stamp())
    return "|".join(parts)


def _yaml_stamp() -> str:
    for entry in sys.path:
        try:
            st = os.stat(os.path.join(entry or ".", "yaml", "__init__.py"))
        except (OSError, ValueError):
            continue
        return f"yaml:{st.st_size}:{st.st_mtime_ns}"
    return "yaml:?"


def fingerprint(st: os.stat_result) -> bytes:
    """What identifies a file's content without reading it (see the module's docstring)."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}".encode()


def is_racy(st: os.stat_result, now: float) -> bool:
    """Whether the file changed so recently that a later write could keep its times."""
    return now - max(st.st_mtime, st.st_ctime) < RACY_SECONDS


def content_digest(data: Bytes) -> bytes:
    """What an entry records of a racy file: the digest of the bytes it was parsed from."""
    return blake2b(data, digest_size=DIGEST_BYTES).digest()


def key_for(files: Sequence[tuple[str, str, str, bytes]]) -> str:
    """The key of the files given as (name, role, source, fingerprint)."""
    h = blake2b(digest_size=20)
    h.update(f"{__version__}|{FORMAT}|{sys.version_info[:2]}|{sys.byteorder}".encode())
    h.update(_code_stamp().encode("utf-8", "surrogateescape"))
    for name, role, source, blob in files:
        # file names are bytes on POSIX: one that is not UTF-8 arrives with surrogates
        h.update(f"\0{name}\0{role}\0{source}\0{len(blob)}\0".encode("utf-8", "surrogateescape"))
        h.update(blob)
    return h.hexdigest()


def entry_name(key: str) -> str:
    return f"dataset-{key}.bin"


def tag(secret: bytes, key: str, *body: Bytes) -> bytes:
    """The keyed tag of an entry: binds its body (the racy files' digests and the
    payload) to its key and to this user.

    Keyed BLAKE2 for an entry under :data:`LARGE_BODY` bytes; HMAC-SHA256 from there,
    whose OpenSSL implementation runs about three times as fast on CPUs with SHA
    instructions (0.15 s against 0.43 s for the 200 MB of a million claims), and whose
    module is imported only then. Both are 32 bytes; the size alone says which it is.
    """
    if sum(map(len, body)) >= LARGE_BODY:
        import hmac

        mac = hmac.new(secret, key.encode("ascii"), "sha256")
        for part in body:
            mac.update(part)
        return mac.digest()
    h = blake2b(key=secret, digest_size=TAG_BYTES)
    h.update(key.encode("ascii"))
    for part in body:
        h.update(part)
    return h.digest()


def envelope(secret: bytes, key: str, payload: Bytes, digests: Mapping[int, bytes]) -> list[Bytes]:
    """An entry, in parts: the header, the tag, then its body: the racy files' digests
    (a 4-byte count, then each file's position among the key's files in 4 bytes and its
    digest), then the payload."""
    racy = [len(digests).to_bytes(4, "little")]
    for i, d in sorted(digests.items()):
        if len(d) != DIGEST_BYTES:
            raise ValueError("not a digest")
        racy.append(i.to_bytes(4, "little") + d)
    section = b"".join(racy)
    return [MAGIC, tag(secret, key, section, payload), section, payload]


def _digests(blob: bytearray, start: int) -> tuple[dict[int, bytes], int] | None:
    """The racy files' digests of an (authenticated) entry at ``start``, and where its
    payload begins; None if they do not fit."""
    if len(blob) < start + 4:
        return None
    count = int.from_bytes(blob[start : start + 4], "little")
    step = 4 + DIGEST_BYTES
    end = start + 4 + count * step
    if end > len(blob):
        return None
    digests = {
        int.from_bytes(blob[at : at + 4], "little"): bytes(blob[at + 4 : at + step])
        for at in range(start + 4, end, step)
    }
    return (digests, end) if len(digests) == count else None


# ---------------------------------------------------------------------------
# reading and writing


def _read_nothing(position: int) -> bytes | None:
    return None


def get(
    key: str,
    *,
    data_bytes: int,
    racy: Collection[int] = (),
    read: Callable[[int], bytes | None] = _read_nothing,
) -> Dataset | None:
    """The cached dataset for ``key``, or None when absent, unusable, forged or corrupt,
    or when a file that was racy when it was written holds other bytes now.

    ``racy`` are the positions, among the key's files, of those racy now; ``read(i)``
    gives file ``i``'s bytes (None if it cannot), and is called only for the files the
    entry recorded as racy. A hit on an entry with digests, once no file is racy, settles
    it (see the module's docstring).
    """
    where = _location()
    if where is None or not _supported() or not _is_key(key):
        return None
    try:
        folder = _open_folder(where[0])
        if folder is None:
            return None
        try:
            secret = _read_secret(folder)
            if secret is None:
                return None
            found = _read_entry(folder, key, secret, entry_limit(data_bytes))
            if found is None:
                return None
            digests, payload = found
            if not _unchanged(digests, racy, read):
                return None
            ds = decode(payload)
            if ds is not None and digests and not racy:
                with contextlib.suppress(OSError, ValueError):  # settled by a later hit
                    _write_new(
                        folder,
                        entry_name(key),
                        envelope(secret, key, payload, {}),
                        suffix=".bin",
                        replace=True,
                    )
            return ds
        finally:
            os.close(folder)
    except (OSError, ValueError):
        return None


def _unchanged(
    digests: Mapping[int, bytes], racy: Collection[int], read: Callable[[int], bytes | None]
) -> bool:
    """Whether every file the entry recorded as racy holds the bytes it was parsed from,
    and every file racy now is one of them (else the clock went back: trust nothing)."""
    if not set(racy) <= digests.keys():
        return False
    for i, digest in sorted(digests.items()):
        data = read(i)
        if data is None or content_digest(data) != digest:
            return False
    return True


def put(key: str, ds: Dataset, *, data_bytes: int, racy: Mapping[int, bytes] = {}) -> None:
    """Store ``ds`` atomically; silently skip when the cache cannot be written.

    ``racy`` maps the position, among the key's files, of each file racy now to the bytes
    ``ds`` was parsed from: the entry records their digests.
    """
    where = _location()
    if where is None or not _supported() or not _is_key(key):
        return
    try:
        payload = encode(ds)
        digests = {i: content_digest(data) for i, data in racy.items()}
        size = len(MAGIC) + TAG_BYTES + 4 + (4 + DIGEST_BYTES) * len(digests) + len(payload)
        if size > entry_limit(data_bytes):
            return  # it would never be read
        folder = _open_folder(where[0], create=True, create_parent=where[1])
        if folder is None:
            return
        try:
            secret = _read_secret(folder) or _create_secret(folder)
            if secret is None:
                return
            parts = envelope(secret, key, payload, digests)
            _prune(folder, keep=KEEP - 1, budget=BUDGET - size)
            _write_new(folder, entry_name(key), parts, suffix=".bin", replace=True)
        finally:
            os.close(folder)
    except (OSError, ValueError):
        return


def _supported() -> bool:
    """Whether this system can open files relative to a folder without following links."""
    return (
        hasattr(os, "O_NOFOLLOW")
        and hasattr(os, "O_DIRECTORY")
        and hasattr(os, "geteuid")
        and {os.open, os.stat, os.rename, os.link, os.unlink} <= os.supports_dir_fd
        and os.listdir in os.supports_fd
        and os.utime in os.supports_fd
    )


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _open_folder(path: Path, *, create: bool = False, create_parent: bool = False) -> int | None:
    """A descriptor of the cache folder, or None unless it is ours and only ours to write.

    Only the last component is created (and its parent when ``create_parent``); a link in
    its place is refused. Every later access is relative to the descriptor, so the folder
    cannot be swapped underneath.
    """
    if create:
        if create_parent:
            with contextlib.suppress(FileExistsError):
                os.mkdir(path.parent, 0o700)
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    st = os.fstat(fd)
    if st.st_uid != os.geteuid() or st.st_mode & 0o022 or not stat.S_ISDIR(st.st_mode):
        os.close(fd)
        return None
    return fd


def _open_own(folder: int, name: str) -> tuple[int, os.stat_result] | None:
    """``name`` opened for reading if it is a regular file of ours (never a link or FIFO)."""
    try:
        fd = os.open(name, _READ_FLAGS, dir_fd=folder)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
    except OSError:
        os.close(fd)
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid():
        os.close(fd)
        return None
    return fd, st


def _read_exactly(fd: int, size: int) -> bytearray | None:
    """The file's ``size`` bytes, or None if it holds fewer or more (it changed)."""
    buf = bytearray(size + 1)
    view = memoryview(buf)
    got = 0
    with open(fd, "rb", buffering=0, closefd=False) as f:
        while got <= size:
            n = f.readinto(view[got:])
            if not n:
                break
            got += n
    view.release()
    if got != size:
        return None
    del buf[size:]
    return buf


def _read_secret(folder: int) -> bytes | None:
    """The secret, if the key file is a regular file of ours that no one else can read."""
    opened = _open_own(folder, KEY_FILE)
    if opened is None:
        return None
    fd, st = opened
    try:
        if st.st_mode & 0o077 or st.st_size != len(KEY_MAGIC) + SECRET_BYTES:
            return None
        blob = _read_exactly(fd, st.st_size)
    finally:
        os.close(fd)
    if blob is None or not blob.startswith(KEY_MAGIC):
        return None
    return bytes(blob[len(KEY_MAGIC) :])


def _create_secret(folder: int) -> bytes | None:
    """Write a new key file unless one exists (then use it, if it is acceptable)."""
    try:
        os.stat(KEY_FILE, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        pass
    else:
        return None  # there is one, and it was refused: leave it alone
    blob = KEY_MAGIC + os.urandom(SECRET_BYTES)
    _write_new(folder, KEY_FILE, [blob], suffix=".key", replace=False)
    return _read_secret(folder)


def _write_new(
    folder: int, name: str, parts: Sequence[Bytes], *, suffix: str, replace: bool
) -> None:
    """Write ``parts`` to a new 0600 temporary file, then move (or link) it to ``name``.

    ``replace=False`` links it, so an existing ``name`` is kept and nothing half-written
    ever carries the name.
    """
    tmp = f".tmp-{os.urandom(8).hex()}{suffix}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    fd = os.open(tmp, flags, 0o600, dir_fd=folder)
    try:
        with open(fd, "wb", closefd=True) as f:
            for part in parts:
                f.write(part)
            if not replace:
                f.flush()
                os.fsync(f.fileno())
        if replace:
            os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
        else:
            with contextlib.suppress(FileExistsError):  # another run wrote it first
                os.link(tmp, name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=False)
            os.unlink(tmp, dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder)
        raise


def _read_entry(
    folder: int, key: str, secret: bytes, limit: int
) -> tuple[dict[int, bytes], bytearray] | None:
    """The racy files' digests and the payload of the entry for ``key``, authenticated;
    or None."""
    opened = _open_own(folder, entry_name(key))
    if opened is None:
        return None
    fd, st = opened
    try:
        header = len(MAGIC) + TAG_BYTES
        if not header + 4 < st.st_size <= limit:
            return None
        blob = _read_exactly(fd, st.st_size)
        if blob is None or not blob.startswith(MAGIC):
            return None
        from _operator import _compare_digest

        with memoryview(blob) as view:
            expected = tag(secret, key, view[header:])
        if not _compare_digest(expected, bytes(blob[len(MAGIC) : header])):
            return None
        found = _digests(blob, header)
        if found is None:
            return None
        digests, start = found
        del blob[:start]
        with contextlib.suppress(OSError):
            os.utime(fd)  # recently used: pruning keeps it
        return digests, blob
    finally:
        os.close(fd)


def _prune(folder: int, *, keep: int, budget: int = BUDGET) -> None:
    """Delete all but the ``keep`` most recently used entries that fit in ``budget``
    bytes, and stale temporary files.

    Only the cache's own files: exact names, regular files owned by the current user
    (links are never followed) starting with the cache's header.
    """
    import re
    import time

    now = time.time()
    entry_re, temp_re = re.compile(_ENTRY), re.compile(_TEMP)
    entries: list[tuple[float, int, str]] = []
    for name in os.listdir(folder):
        is_entry = entry_re.fullmatch(name) is not None
        if not is_entry and not temp_re.fullmatch(name):
            continue
        opened = _open_own(folder, name)
        if opened is None:
            continue
        fd, st = opened
        try:
            head = os.read(fd, 16)
        except OSError:
            continue
        finally:
            os.close(fd)
        if is_entry:
            if head.startswith((MAGIC, *OLD_MAGICS)):
                entries.append((st.st_mtime, st.st_size, name))
        elif now - st.st_mtime > TEMP_MAX_AGE and (
            not head or head.startswith((MAGIC, *OLD_MAGICS, KEY_MAGIC))
        ):
            _unlink(folder, name)
    entries.sort(reverse=True)
    used = 0
    for i, (_, size, name) in enumerate(entries):
        used += size
        if i >= keep or used > budget:
            _unlink(folder, name)


def _unlink(folder: int, name: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=folder)
