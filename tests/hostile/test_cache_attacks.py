"""The dataset cache under attack: whoever can plant files where it looks is never believed.

A cache entry is served only when it carries a tag made with the user's own secret, sits
in a folder only the user can write, is a regular file of the user's of a sane size, and
decodes into a dataset of the right shape. Anything else is a miss: the files are parsed
and validated again, the run succeeds, and nothing of the user's is touched.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from stemcli.dataset import cache, load
from stemcli.dataset import validate as dataset_module

from .conftest import Run, claim, stemcli, write_dataset

try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Pythons
    from hashlib import blake2b

LOOKUP = ("lookup", "cond", "--format", "json")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "data")


@pytest.fixture
def cache_dir() -> Path:
    return Path(os.environ["STEMCLI_CACHE_DIR"])  # a fresh folder per test (tests/conftest.py)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often the YAML files are parsed and validated (cache misses)."""
    calls: list[int] = []
    real = dataset_module.parse_and_build

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(dataset_module, "parse_and_build", counting)
    return calls


def value_seen(run: Run, root: Path) -> float:
    result = run("--no-bundled", "--data", str(root), *LOOKUP)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    [found] = json.loads(result.stdout)
    low: float = found["value"]["low"]
    return low


def value_seen_by_a_process(root: Path) -> float:
    """The same, in a real process under a memory limit and a timeout."""
    proc = stemcli("--no-bundled", "--data", str(root), *LOOKUP)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    [found] = json.loads(proc.stdout)
    low: float = found["value"]["low"]
    return low


def the_entry(folder: Path) -> Path:
    [entry] = folder.glob("dataset-*.bin")
    return entry


def key_of(entry: Path) -> str:
    return entry.name.removeprefix("dataset-").removesuffix(".bin")


def secret_in(folder: Path) -> bytes:
    return (folder / cache.KEY_FILE).read_bytes()[len(cache.KEY_MAGIC) :]


NO_DIGESTS = bytes(4)  # an entry's racy files' digests: none


def sealed(secret: bytes, key: str, payload: bytes, digests: bytes = NO_DIGESTS) -> bytes:
    """An entry as the cache writes one, tagged with ``secret``."""
    return cache.MAGIC + cache.tag(secret, key, digests, payload) + digests + payload


def _body(entry: Path) -> tuple[bytes, bytes]:
    """An entry's racy files' digests (with their count) and its payload."""
    body = entry.read_bytes()[len(cache.MAGIC) + cache.TAG_BYTES :]
    end = 4 + int.from_bytes(body[:4], "little") * (4 + cache.DIGEST_BYTES)
    return body[:end], body[end:]


def digests_of(entry: Path) -> bytes:
    return _body(entry)[0]


def payload_of(entry: Path) -> bytes:
    return _body(entry)[1]


def forged_payload(tmp_path: Path) -> bytes:
    """A valid dataset's payload, but one whose claim says 99% where the files say 50%."""
    root = write_dataset(tmp_path / "forged", claims={"src": [claim(value="99%")]})
    return cache.encode(load([root], bundled=False, use_cache=False))


def plain_checksum(key: str, payload: bytes) -> bytes:
    """What the cache used to accept: an unkeyed BLAKE2 that anyone can compute."""
    return cache.MAGIC + blake2b(payload, digest_size=32).digest() + payload


# ---------------------------------------------------------------------------
# forged entries


FORGERIES: dict[str, Callable[[Path, str, bytes], bytes]] = {
    "unkeyed-checksum": lambda folder, key, p: plain_checksum(key, p),
    "another-secret": lambda folder, key, p: sealed(os.urandom(32), key, p),
    "no-key-bound": lambda folder, key, p: (
        cache.MAGIC + blake2b(p, key=secret_in(folder), digest_size=32).digest() + p
    ),
    "old-header": lambda folder, key, p: b"STEMCLI1" + blake2b(p, digest_size=32).digest() + p,
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_entry_is_ignored_and_the_real_data_served(
    run: Run,
    data: Path,
    cache_dir: Path,
    tmp_path: Path,
    parses: list[int],
    forge: Callable[[Path, str, bytes], bytes],
) -> None:
    assert value_seen(run, data) == 50
    entry = the_entry(cache_dir)
    entry.write_bytes(forge(cache_dir, key_of(entry), forged_payload(tmp_path)))
    assert value_seen(run, data) == 50
    assert len(parses) == 3, "the forged entry was not rebuilt"  # 1 for forged_payload
    assert value_seen(run, data) == 50
    assert len(parses) == 3, "the rebuilt entry is not served"


def test_an_entry_moved_to_another_key_is_ignored(
    run: Run, data: Path, cache_dir: Path, tmp_path: Path, parses: list[int]
) -> None:
    """A genuine entry of other files, renamed to the key of these: the tag binds the key."""
    other = write_dataset(tmp_path / "other", claims={"src": [claim(value="99%")]})
    assert value_seen(run, other) == 99
    genuine = the_entry(cache_dir)
    assert value_seen(run, data) == 50
    [mine] = [e for e in cache_dir.glob("dataset-*.bin") if e != genuine]
    mine.write_bytes(genuine.read_bytes())
    assert value_seen(run, data) == 50
    assert len(parses) == 3


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_validate_is_never_served_a_forged_dataset(
    run: Run,
    data: Path,
    cache_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    forge: Callable[[Path, str, bytes], bytes],
) -> None:
    assert value_seen(run, data) == 50  # the cache folder and its secret exist
    (data / "claims" / "src.yaml").write_text("- {id: c-one, value: lots}\n", encoding="utf-8")
    keys: list[str] = []
    real_get = cache.get

    def spy(key: str, **kw: Any) -> Any:
        keys.append(key)
        return real_get(key, **kw)

    monkeypatch.setattr(cache, "get", spy)
    assert run("--no-bundled", "--data", str(data), "validate").exit_code == 1
    [key] = keys
    forged = forge(cache_dir, key, forged_payload(tmp_path))
    (cache_dir / cache.entry_name(key)).write_bytes(forged)
    result = run("--no-bundled", "--data", str(data), "validate")
    assert result.exit_code == 1, result.output
    assert "c-one" in result.stdout + result.stderr


# ---------------------------------------------------------------------------
# entries that are not regular files, or too large


def _dev_zero(entry: Path, tmp_path: Path) -> None:
    entry.unlink()
    entry.symlink_to("/dev/zero")


def _fifo(entry: Path, tmp_path: Path) -> None:
    entry.unlink()
    os.mkfifo(entry)


def _link_to_fifo(entry: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "a-fifo"
    os.mkfifo(fifo)
    entry.unlink()
    entry.symlink_to(fifo)


def _folder(entry: Path, tmp_path: Path) -> None:
    entry.unlink()
    entry.mkdir()


def _huge(entry: Path, tmp_path: Path) -> None:
    """A sparse file of 4 GiB behind a genuine header: larger than any entry may be."""
    head = entry.read_bytes()[: len(cache.MAGIC) + cache.TAG_BYTES]
    with entry.open("r+b") as f:
        f.write(head)
        f.truncate(4 << 30)


NOT_ENTRIES: dict[str, Callable[[Path, Path], None]] = {
    "link-to-dev-zero": _dev_zero,
    "fifo": _fifo,
    "link-to-fifo": _link_to_fifo,
    "folder": _folder,
    "huge-sparse-file": _huge,
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symbolic links")
@pytest.mark.parametrize("plant", NOT_ENTRIES.values(), ids=NOT_ENTRIES.keys())
def test_an_entry_that_is_not_a_sane_file_is_never_read(
    run: Run, data: Path, cache_dir: Path, tmp_path: Path, plant: Callable[[Path, Path], None]
) -> None:
    assert value_seen(run, data) == 50
    entry = the_entry(cache_dir)
    plant(entry, tmp_path)
    assert value_seen_by_a_process(data) == 50  # no hang, no exhausted memory
    assert value_seen_by_a_process(data) == 50


def test_using_an_entry_never_touches_what_a_link_points_to(
    run: Run, data: Path, cache_dir: Path, tmp_path: Path
) -> None:
    assert value_seen(run, data) == 50
    entry = the_entry(cache_dir)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(entry.read_bytes())  # even a genuine entry behind a link
    os.utime(victim, (1_000_000, 1_000_000))
    entry.unlink()
    entry.symlink_to(victim)
    assert value_seen(run, data) == 50
    assert victim.stat().st_mtime == 1_000_000
    assert not entry.is_symlink(), "the link was not replaced by a real entry"


# ---------------------------------------------------------------------------
# hostile payloads


LIST_BOMB = b"[" + (0x7FFFFFFF).to_bytes(4, "little")  # marshal: a list of 2**31 items
MARSHAL_BOMB = (LIST_BOMB * 12)[:64]


@pytest.mark.parametrize("header", [cache.MAGIC, b"STEMCLI1"])
def test_a_64_byte_hostile_payload_is_ignored(
    run: Run, data: Path, cache_dir: Path, header: bytes
) -> None:
    """Its plain checksum is right: only authentication stands between it and a decoder."""
    assert value_seen(run, data) == 50
    entry = the_entry(cache_dir)
    entry.write_bytes(header + blake2b(MARSHAL_BOMB, digest_size=32).digest() + MARSHAL_BOMB)
    assert value_seen_by_a_process(data) == 50
    assert payload_of(entry) != MARSHAL_BOMB, "the hostile entry was not rewritten"


def _mutate(change: Callable[[Any], Any]) -> Callable[[bytes], bytes]:
    """A rewrite of the payload's JSON header (its arrays kept as they are)."""

    def apply(payload: bytes) -> bytes:
        size = int.from_bytes(payload[:8], "little")
        raw = json.loads(payload[8 : 8 + size])
        raw = change(raw) or raw
        head = json.dumps(raw).encode()
        return len(head).to_bytes(8, "little") + head + payload[8 + size :]

    return apply


def _set(path: tuple[int | str, ...], value: Any) -> Callable[[bytes], bytes]:
    def change(raw: Any) -> None:
        target = raw
        for i in path[:-1]:
            target = target[i]
        target[path[-1]] = value

    return _mutate(change)


COLUMNS = ("claims", "columns")  # one per field of Claim: ["coded", values, array]
# each rewrites the genuine payload, which the test then tags with the user's own secret
WRONG: dict[str, Callable[[bytes], bytes]] = {
    "claim-id-an-int": _set((*COLUMNS, 0, 1), [5]),
    "quote-a-list": _set((*COLUMNS, 7, 1), [["x"]]),
    "value-index-a-string": _set((*COLUMNS, 6, 2), ["B", "0", 1]),
    "value-index-out-of-range": _set((*COLUMNS, 6, 1), []),
    "value-index-a-bool": _set((*COLUMNS, 6, 2, 1), False),
    "an-array-past-the-end": _set((*COLUMNS, 6, 2, 1), 1 << 40),
    "an-array-of-unknown-type": _set((*COLUMNS, 6, 2, 0), "d"),
    "n-a-bool": _set((*COLUMNS, 12, 1), [True]),
    "stages-not-strings": _set((*COLUMNS, 3, 1), [[1, 2]]),
    "a-column-too-short": _set((*COLUMNS, 7, 2, 2), 0),
    "a-column-missing": _mutate(lambda raw: raw["claims"]["columns"].pop()),
    "a-field-renamed": _set(("claims", "fields", 0), "ident"),
    "an-id-column-as-text": _set((*COLUMNS, 1), ["text", [0, 0], ["q", 0, 2], None]),
    "an-unknown-source": _set((*COLUMNS, 1, 1), ["nowhere"]),
    "an-unknown-outcome": _set((*COLUMNS, 4, 1), ["nothing"]),
    "quantity-low-a-string": _set((*COLUMNS, 6, 1, 0, 1), "x"),
    "quantity-row-short": _set((*COLUMNS, 6, 1, 0), ["50%"]),
    "source-row-a-string": _set(("sources", "rows", 0), "abcdefg"),
    "stage-id-an-int": _set(("conditions", 0, 3), [[1, []]]),
    "sells-treatment-a-string": _set(("sources", "rows", 0, 4), "yes"),
    "another-format": _set(("format",), 999),
    "a-wrong-size": _set(("size",), 1),
    "handle-length-too-short": _set(("handle_length",), 5),
    "handle-length-past-a-digest": _set(("handle_length",), 65),
    "handle-length-a-bool": _set(("handle_length",), True),
    "handle-length-missing": _mutate(lambda raw: raw.pop("handle_length") and None),
    "an-object": _mutate(lambda raw: {"claims": raw}),
    "null": lambda p: b"null",
    "deep-nesting": lambda p: b"[" * 200_000 + b"]" * 200_000,
    "a-huge-integer": lambda p: b"9" * 100_000,
    "not-utf8": lambda p: b"\xff\xfe\xfd",
    "truncated-json": lambda p: p[: len(p) // 2],
    "the-marshal-bomb": lambda p: MARSHAL_BOMB,
}


@pytest.mark.parametrize("rewrite", WRONG.values(), ids=WRONG.keys())
def test_an_authenticated_entry_of_the_wrong_shape_is_rebuilt(
    run: Run,
    data: Path,
    cache_dir: Path,
    parses: list[int],
    rewrite: Callable[[bytes], bytes],
) -> None:
    """Even an entry tagged with the user's own secret is a miss if it is not a dataset."""
    assert value_seen(run, data) == 50
    entry = the_entry(cache_dir)
    good = entry.read_bytes()
    digests = digests_of(entry)  # the files' genuine digests: only the payload is wrong
    entry.write_bytes(
        sealed(secret_in(cache_dir), key_of(entry), rewrite(payload_of(entry)), digests)
    )
    assert value_seen(run, data) == 50
    assert len(parses) == 2, "the malformed entry was served"
    assert entry.read_bytes() == good, "the malformed entry was not rewritten"


# ---------------------------------------------------------------------------
# the secret


def _loose_mode(key: Path, tmp_path: Path) -> None:
    key.chmod(0o644)


def _link_to_a_known_secret(key: Path, tmp_path: Path) -> None:
    known = tmp_path / "known.key"
    known.write_bytes(key.read_bytes())
    known.chmod(0o600)
    key.unlink()
    key.symlink_to(known)


def _wrong_content(key: Path, tmp_path: Path) -> None:
    key.write_bytes(b"x" * len(key.read_bytes()))


def _a_folder(key: Path, tmp_path: Path) -> None:
    key.unlink()
    key.mkdir()


BAD_KEYS: dict[str, Callable[[Path, Path], None]] = {
    "readable-by-others": _loose_mode,
    "a-link": _link_to_a_known_secret,
    "not-a-key": _wrong_content,
    "a-folder": _a_folder,
}


@pytest.mark.parametrize("spoil", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_a_key_file_that_is_not_safe_turns_the_cache_off(
    run: Run,
    data: Path,
    cache_dir: Path,
    tmp_path: Path,
    parses: list[int],
    spoil: Callable[[Path, Path], None],
) -> None:
    assert value_seen(run, data) == 50
    key = cache_dir / cache.KEY_FILE
    spoil(key, tmp_path)
    before = _snapshot(cache_dir)
    for _ in range(2):
        assert value_seen(run, data) == 50
    assert len(parses) == 3, "a cache keyed by an unsafe secret was used"
    assert _snapshot(cache_dir) == before, "the refused key (or its folder) was changed"


def _snapshot(folder: Path) -> dict[str, tuple[int, bytes | str | None]]:
    """Every name in ``folder`` with its mode and content (or link target)."""
    out: dict[str, tuple[int, bytes | str | None]] = {}
    for p in sorted(folder.iterdir()):
        st = p.lstat()
        if p.is_symlink():
            content: bytes | str | None = os.readlink(p)
        elif stat.S_ISREG(st.st_mode):
            content = p.read_bytes()
        else:
            content = None
        out[p.name] = (st.st_mode, content)
    return out


def test_the_secret_is_private_and_made_once(run: Run, data: Path, cache_dir: Path) -> None:
    assert value_seen(run, data) == 50
    key = cache_dir / cache.KEY_FILE
    st = key.lstat()
    assert stat.S_ISREG(st.st_mode)
    assert stat.S_IMODE(st.st_mode) & 0o077 == 0
    assert st.st_uid == os.geteuid()
    secret = key.read_bytes()
    (data / "claims" / "src.yaml").write_text(json.dumps([claim(value="60%")]), encoding="utf-8")
    assert value_seen(run, data) == 60
    assert key.read_bytes() == secret


# ---------------------------------------------------------------------------
# the cache folder


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder of the test's making."""
    folder = tmp_path / "cache-folder"
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(folder))
    yield folder
    if folder.is_dir() and not folder.is_symlink():
        folder.chmod(0o700)


def _group_writable(folder: Path) -> None:
    folder.mkdir(mode=0o700)
    folder.chmod(0o770)


def _world_writable_sticky(folder: Path) -> None:
    folder.mkdir(mode=0o700)
    folder.chmod(0o1777)


def _a_link_to_a_folder_of_ours(folder: Path) -> None:
    target = folder.parent / "target"
    target.mkdir(mode=0o700)
    folder.symlink_to(target)


UNSAFE_FOLDERS: dict[str, Callable[[Path], None]] = {
    "group-writable": _group_writable,
    "world-writable-sticky": _world_writable_sticky,
    "a-link": _a_link_to_a_folder_of_ours,
}


@pytest.mark.parametrize("make", UNSAFE_FOLDERS.values(), ids=UNSAFE_FOLDERS.keys())
def test_an_unsafe_cache_folder_is_not_used(
    run: Run, data: Path, elsewhere: Path, parses: list[int], make: Callable[[Path], None]
) -> None:
    make(elsewhere)
    for _ in range(2):
        assert value_seen(run, data) == 50
    assert len(parses) == 2, "an unsafe cache folder was used"
    assert list(elsewhere.iterdir()) == [], "something was written to an unsafe folder"


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown")
def test_a_cache_folder_of_another_user_is_not_used(
    run: Run, data: Path, elsewhere: Path, parses: list[int]
) -> None:
    elsewhere.mkdir(mode=0o700)
    os.chown(elsewhere, 65534, 65534)
    for _ in range(2):
        assert value_seen(run, data) == 50
    assert len(parses) == 2
    assert list(elsewhere.iterdir()) == []


def test_a_new_cache_folder_is_private(run: Run, data: Path, elsewhere: Path) -> None:
    assert value_seen(run, data) == 50
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o700
    assert len(list(elsewhere.glob("dataset-*.bin"))) == 1


# ---------------------------------------------------------------------------
# pruning


HEX40 = "0123456789abcdef0123456789abcdef01234567"


def test_pruning_deletes_only_the_caches_own_files(
    run: Run, data: Path, elsewhere: Path, tmp_path: Path
) -> None:
    """STEMCLI_CACHE_DIR names a folder the user already keeps files in."""
    elsewhere.mkdir(mode=0o700)
    outside = tmp_path / "precious.txt"
    outside.write_text("precious")
    users = {
        "dataset-notes.bin": b"my notes",
        "dataset-1234.bin": b"short key",
        f"dataset-{HEX40.upper()}.bin": b"upper case",
        f"dataset-{HEX40}.bin.bak": b"a backup",
        f"dataset-{HEX40[:-1]}x.bin": b"not hex",
        f"dataset-{HEX40}.bin": b"the exact name, but not an entry",
        "notes.txt": b"notes",
        ".tmp-notes.bin": b"mine too",
        ".tmp-abcdefgh.txt": cache.MAGIC + b"not a temporary file of the cache",
    }
    for name, content in users.items():
        (elsewhere / name).write_bytes(content)
    link = elsewhere / f"dataset-{'f' * 40}.bin"
    link.symlink_to(outside)
    for p in [*elsewhere.iterdir(), outside]:  # older than any entry
        os.utime(p, (1_000_000, 1_000_000), follow_symlinks=False)
    own = [elsewhere / f"dataset-{i:040x}.bin" for i in range(cache.KEEP + 3)]
    for i, p in enumerate(own):
        p.write_bytes(cache.MAGIC + b"stale")
        os.utime(p, (2_000_000 + i, 2_000_000 + i))

    assert value_seen(run, data) == 50
    for name, content in users.items():
        assert (elsewhere / name).read_bytes() == content, name
    assert link.is_symlink()
    assert outside.read_text() == "precious"
    assert outside.stat().st_mtime == 1_000_000
    kept = [p for p in own if p.exists()]
    assert len(kept) == cache.KEEP - 1  # and the new entry makes KEEP
    assert kept == own[-len(kept) :], "not the oldest were pruned"


def test_stale_temporary_files_are_removed(run: Run, data: Path, elsewhere: Path) -> None:
    """A run killed while writing leaves a temporary file: later runs clear it up."""
    elsewhere.mkdir(mode=0o700)
    old = time.time() - 2 * 3600
    stale = {
        ".tmp-abcdefgh.bin": cache.MAGIC + b"half an entry",  # an earlier version's name
        ".tmp-0123456789abcdef.bin": b"",  # killed before writing
        ".tmp-fedcba9876543210.key": cache.KEY_MAGIC,
    }
    fresh = {".tmp-aaaaaaaaaaaaaaaa.bin": cache.MAGIC + b"being written by another run"}
    users = {".tmp-abcdefgh.txt": b"", ".tmp-notmine1.bin": b"someone else's"}
    for name, content in {**stale, **fresh, **users}.items():
        (elsewhere / name).write_bytes(content)
        if name not in fresh:
            os.utime(elsewhere / name, (old, old))
    assert value_seen(run, data) == 50
    for name in stale:
        assert not (elsewhere / name).exists(), name
    for name, content in {**fresh, **users}.items():
        assert (elsewhere / name).read_bytes() == content, name


# ---------------------------------------------------------------------------
# where the cache may go


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def bare_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No cache variables, and an empty working folder to watch."""
    for name in ("STEMCLI_CACHE_DIR", "XDG_CACHE_HOME", "STEMCLI_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    return cwd


@pytest.mark.parametrize("home", [None, "", "home", "./home", "~"], ids=repr)
def test_without_a_usable_home_there_is_no_cache(
    run: Run,
    data: Path,
    bare_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    parses: list[int],
    home: str | None,
) -> None:
    if home is None:
        monkeypatch.delenv("HOME", raising=False)
    else:
        monkeypatch.setenv("HOME", home)
    root_cache = Path("/.cache")
    root_before = _tree(root_cache) if root_cache.is_dir() else None
    for _ in range(2):
        assert value_seen(run, data) == 50
    assert len(parses) == 2
    assert _tree(bare_env) == [], "the cache wrote into the working folder"
    after = _tree(root_cache) if root_cache.is_dir() else None
    assert after == root_before, "the cache wrote below /"


def test_a_missing_home_is_not_created(
    run: Run, data: Path, bare_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "gone"
    monkeypatch.setenv("HOME", str(home))
    assert value_seen(run, data) == 50
    assert not home.exists()


def test_a_home_that_is_a_file_is_not_used(
    run: Run, data: Path, bare_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "a-file"
    home.write_text("x")
    monkeypatch.setenv("HOME", str(home))
    assert value_seen(run, data) == 50
    assert home.read_text() == "x"


def test_home_gets_a_private_cache_folder(
    run: Run, data: Path, bare_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    assert value_seen(run, data) == 50
    folder = home / ".cache" / "stemcli"
    assert len(list(folder.glob("dataset-*.bin"))) == 1
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    assert _tree(bare_env) == []


@pytest.mark.parametrize("xdg", ["xdg", "./xdg", "xdg/cache"])
def test_a_relative_xdg_cache_home_is_ignored(
    run: Run,
    data: Path,
    bare_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    xdg: str,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", xdg)
    assert value_seen(run, data) == 50
    assert _tree(bare_env) == [], "a relative XDG_CACHE_HOME littered the working folder"
    assert len(list((home / ".cache" / "stemcli").glob("dataset-*.bin"))) == 1


def test_a_missing_xdg_cache_home_is_not_created(
    run: Run, data: Path, bare_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "no" / "such" / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    assert value_seen(run, data) == 50
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize("explicit", ["rel", "./rel", "rel/cache", "~/cache"])
def test_a_relative_stemcli_cache_dir_turns_the_cache_off(
    run: Run,
    data: Path,
    bare_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    parses: list[int],
    explicit: str,
) -> None:
    monkeypatch.setenv("STEMCLI_CACHE_DIR", explicit)
    for _ in range(2):
        assert value_seen(run, data) == 50
    assert len(parses) == 2
    assert _tree(bare_env) == []


def test_only_the_last_folder_of_stemcli_cache_dir_is_created(
    run: Run, data: Path, bare_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(tmp_path / "a" / "b" / "cache"))
    assert value_seen(run, data) == 50
    assert not (tmp_path / "a").exists()
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(tmp_path / "cache"))
    assert value_seen(run, data) == 50
    assert len(list((tmp_path / "cache").glob("dataset-*.bin"))) == 1
