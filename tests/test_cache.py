"""The dataset cache: used when the files are unchanged, never trusted when they are not."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

import stemcli.dataset.validate
from stemcli.dataset import cache, load

Run = Callable[..., Result]

SOURCES = "- {id: src, title: T, publisher: P, kind: clinic, sells_treatment: true}\n"
CONDITIONS = "- {id: cond, name: Cond, stages: [early]}\n"
CLAIM = """\
- id: c-one
  condition: cond
  outcome: pain
  measure: effect
  value: "{value}"
  basis: none
  quote: "Pain fell {value}."
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "claims").mkdir(parents=True)
    (root / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (root / "conditions.yaml").write_text(CONDITIONS, encoding="utf-8")
    set_value(root, "50%")
    return root


def set_value(root: Path, value: str) -> None:
    (root / "claims" / "src.yaml").write_text(CLAIM.format(value=value), encoding="utf-8")


@pytest.fixture
def cache_dir() -> Path:
    return Path(os.environ["STEMCLI_CACHE_DIR"])  # set per test by conftest


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often the YAML files are parsed and validated (cache misses)."""
    calls: list[int] = []
    real = stemcli.dataset.validate.parse_and_build

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(stemcli.dataset.validate, "parse_and_build", counting)
    return calls


def value_seen(run: Run, root: Path) -> tuple[float, float]:
    result = run("--no-bundled", "--data", str(root), "lookup", "cond", "--format", "json")
    assert result.exit_code == 0, result.output
    [claim] = json.loads(result.stdout)
    return claim["value"]["low"], claim["value"]["high"]


def entries(d: Path) -> list[Path]:
    return sorted(d.glob("dataset-*.bin"))


def test_second_run_is_served_from_the_cache(
    run: Run, data: Path, cache_dir: Path, parses: list[int]
) -> None:
    assert value_seen(run, data) == (50, 50)
    assert len(parses) == 1
    assert len(entries(cache_dir)) == 1
    assert value_seen(run, data) == (50, 50)
    assert len(parses) == 1, "the unchanged files were parsed again"


def test_another_pyyaml_misses_the_cache(
    run: Run, data: Path, parses: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dataset read by one PyYAML is not served to a run with another."""
    from stemcli.dataset import cache

    assert cache._yaml_stamp() != "yaml:?", "the installed PyYAML is found on the path"
    assert value_seen(run, data) == (50, 50)
    monkeypatch.setattr(cache, "_yaml_stamp", lambda: "yaml:1:2")
    assert value_seen(run, data) == (50, 50)
    assert len(parses) == 2


def test_cached_dataset_equals_the_parsed_one(data: Path) -> None:
    parsed = load([data], bundled=True, use_cache=False)
    load([data], bundled=True)  # fills the cache
    cached = load([data], bundled=True)
    assert cached == parsed
    assert [c.where for c in cached.claims] == [c.where for c in parsed.claims]


def test_a_changed_data_file_misses_the_cache(
    run: Run, data: Path, cache_dir: Path, parses: list[int]
) -> None:
    assert value_seen(run, data) == (50, 50)
    set_value(data, "70%")  # same size, same folder: only the content differs
    assert value_seen(run, data) == (70, 70)
    assert len(parses) == 2
    set_value(data, "60-80%")
    assert value_seen(run, data) == (60, 80)


def test_a_changed_file_that_becomes_invalid_is_reported(run: Run, data: Path) -> None:
    assert value_seen(run, data) == (50, 50)
    set_value(data, "lots")
    result = run("--no-bundled", "--data", str(data), "lookup", "cond")
    assert result.exit_code == 3
    assert "unparseable value" in result.stderr


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b[:40] + bytes(x ^ 0xFF for x in b[40:80]) + b[80:], id="garbled"),
        pytest.param(lambda b: b"STEMCLI1" + os.urandom(200), id="random"),
        pytest.param(lambda b: b[:-1] + bytes([b[-1] ^ 1]), id="last-byte"),
    ],
)
def test_a_corrupt_cache_entry_is_ignored_and_rewritten(
    run: Run,
    data: Path,
    cache_dir: Path,
    parses: list[int],
    damage: Callable[[bytes], bytes],
) -> None:
    assert value_seen(run, data) == (50, 50)
    [entry] = entries(cache_dir)
    good = entry.read_bytes()
    entry.write_bytes(damage(good))
    assert value_seen(run, data) == (50, 50)
    assert len(parses) == 2, "the damaged entry was not rebuilt"
    assert entry.read_bytes() == good, "the damaged entry was not rewritten"
    assert value_seen(run, data) == (50, 50)
    assert len(parses) == 2


def test_cache_dir_that_is_a_file(
    run: Run, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(blocker))
    for _ in range(2):
        assert value_seen(run, data) == (50, 50)
        result = run("--no-bundled", "--data", str(data), "lookup", "cond")
        assert result.exit_code == 0
        assert result.stderr == ""
    assert blocker.read_text() == "x"


def test_cache_dir_inside_a_file(
    run: Run, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(blocker / "cache"))
    assert value_seen(run, data) == (50, 50)
    assert value_seen(run, data) == (50, 50)


def test_read_only_cache_dir(
    run: Run, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(ro))
    try:
        for _ in range(2):
            result = run("--no-bundled", "--data", str(data), "lookup", "cond", "-f", "csv")
            assert result.exit_code == 0, result.output
            assert result.stderr == ""
            assert "c-one" in result.stdout
        assert not list(ro.glob(".tmp-*")), "a temporary file was left behind"
    finally:
        ro.chmod(0o700)


def test_no_cache_option_and_variable_write_nothing(
    run: Run, data: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, parses: list[int]
) -> None:
    result = run("--no-cache", "--no-bundled", "--data", str(data), "sources")
    assert result.exit_code == 0
    assert entries(cache_dir) == []
    monkeypatch.setenv("STEMCLI_NO_CACHE", "1")
    assert value_seen(run, data) == (50, 50)
    assert value_seen(run, data) == (50, 50)
    assert entries(cache_dir) == []
    assert len(parses) == 3


def test_an_invalid_dataset_is_never_cached(run: Run, data: Path, cache_dir: Path) -> None:
    set_value(data, "lots")
    assert run("--no-bundled", "--data", str(data), "validate").exit_code == 1
    assert entries(cache_dir) == []
    assert run("--no-bundled", "--data", str(data), "validate").exit_code == 1


def test_cache_location_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache.cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("STEMCLI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "stemcli"
    monkeypatch.setenv("STEMCLI_NO_CACHE", "1")
    assert cache.cache_dir() is None


def test_key_depends_on_names_roles_and_bytes() -> None:
    base = [("data/claims/a.yaml", "claims", "a", b"- id: x\n")]
    assert cache.key_for(base) == cache.key_for(list(base))
    assert cache.key_for(base) != cache.key_for(
        [("data/claims/b.yaml", "claims", "a", b"- id: x\n")]
    )
    assert cache.key_for(base) != cache.key_for(
        [("data/claims/a.yaml", "claims", "b", b"- id: x\n")]
    )
    assert cache.key_for(base) != cache.key_for(
        [("data/claims/a.yaml", "claims", "a", b"- id: y\n")]
    )
    # the boundary between two files is part of the key
    two = [("x", "claims", "x", b"ab"), ("y", "claims", "y", b"c")]
    moved = [("x", "claims", "x", b"a"), ("y", "claims", "y", b"bc")]
    assert cache.key_for(two) != cache.key_for(moved)


def test_old_entries_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every edit of a data file makes a new entry; only the newest few are kept."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(folder))
    folder.mkdir(mode=0o700)
    for i in range(cache.KEEP + 5):
        stale = folder / f"dataset-{i:040d}.bin"
        stale.write_bytes(cache.MAGIC + b"old")  # the cache's own (stale) entries
        os.utime(stale, (1_000_000 + i, 1_000_000 + i))
    load()
    entries = sorted(folder.glob("dataset-*.bin"))
    assert len(entries) == cache.KEEP
    assert not (folder / f"dataset-{0:040d}.bin").exists()  # the oldest went first
    assert (folder / f"dataset-{cache.KEEP + 4:040d}.bin").exists()


def test_the_code_stamp_names_modules_that_exist() -> None:
    """A validating module moved or renamed must not drop silently out of the cache key."""
    from stemcli.dataset import cache as cache_module

    package = Path(cache_module.__file__).resolve().parent.parent.parent
    assert cache_module._VALIDATING_MODULES
    missing = [n for n in cache_module._VALIDATING_MODULES if not (package / n).is_file()]
    assert not missing
    assert "?" not in cache_module._code_stamp()


def test_the_entry_codec_round_trips_every_claim_field() -> None:
    """The codec takes the claim's fields from model.Claim: a field added there must come
    back from an entry (else every entry would silently miss)."""
    from stemcli.dataset.cache import codec

    ds = load(use_cache=False)
    back = codec.decode(codec.encode(ds))
    assert back == ds
    assert [c.where for c in back.claims] == [c.where for c in ds.claims]


def test_a_hit_reads_no_data_file(
    run: Run, data: Path, parses: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files changed long enough ago are keyed by their identity alone, not their bytes."""
    import stemcli.dataset

    monkeypatch.setattr(cache, "RACY_SECONDS", 0.0)
    assert value_seen(run, data) == (50, 50)
    reads: list[Path] = []
    real = stemcli.dataset.read_bytes

    def counting(path: Path, *args: Any) -> bytes:
        reads.append(path)
        return real(path, *args)

    monkeypatch.setattr(stemcli.dataset, "read_bytes", counting)
    assert value_seen(run, data) == (50, 50)
    assert len(parses) == 1
    assert not [p for p in reads if p.is_relative_to(data)], "a data file was read on a hit"


def test_an_edit_that_keeps_size_and_mtime_is_seen(
    run: Run, data: Path, parses: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing a file changes its change time, which no one can set back."""
    monkeypatch.setattr(cache, "RACY_SECONDS", 0.0)  # the key from the identity alone
    assert value_seen(run, data) == (50, 50)
    path = data / "claims" / "src.yaml"
    before = path.stat()
    set_value(data, "70%")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert value_seen(run, data) == (70, 70)
    assert len(parses) == 2


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path, float], None]:
    """``clock(root, s)``: from then on runs see the time ``s`` seconds after the last change
    of any file under ``root`` (what is racy is decided by the clock, never by sleeping)."""

    def set_to(root: Path, seconds: float) -> None:
        stats = [p.stat() for p in root.rglob("*") if p.is_file()]
        newest = max(max(st.st_mtime, st.st_ctime) for st in stats)
        monkeypatch.setattr(time, "time", lambda: newest + seconds)

    return set_to


def digests_in(entry: Path) -> dict[int, bytes]:
    """The racy files' digests an entry records, by position among the key's files."""
    blob = entry.read_bytes()
    at = len(cache.MAGIC) + cache.TAG_BYTES
    count = int.from_bytes(blob[at : at + 4], "little")
    step = 4 + cache.DIGEST_BYTES
    slots = (blob[at + 4 + k * step : at + 4 + (k + 1) * step] for k in range(count))
    return {int.from_bytes(slot[:4], "little"): slot[4:] for slot in slots}


def coarse_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file system whose times cannot tell two writes in one tick apart: an identity
    without the change time (which a real write always moves)."""
    monkeypatch.setattr(
        cache, "fingerprint", lambda st: f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}".encode()
    )


def rewrite_keeping_times(data: Path, value: str) -> None:
    path = data / "claims" / "src.yaml"
    before = path.stat()
    set_value(data, value)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def test_data_written_a_moment_ago_is_served_to_the_next_run(
    run: Run, data: Path, cache_dir: Path, parses: list[int], clock: Callable[[Path, float], None]
) -> None:
    """A generator or a conversion writes the files and runs stemcli at once: that run's
    entry serves the next one, seconds later, though the files are no longer racy."""
    clock(data, 0.5)
    assert value_seen(run, data) == (50, 50)
    [entry] = entries(cache_dir)
    assert len(digests_in(entry)) >= 3, "the files just written are not recorded as racy"
    clock(data, 10.0)
    assert value_seen(run, data) == (50, 50)
    assert len(parses) == 1, "the entry written while the files were racy missed"


def test_a_racy_file_rewritten_with_the_same_identity_is_seen(
    run: Run, data: Path, parses: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within one tick of a coarse clock two writes can leave the same identity: the digest
    of the bytes a racy file was parsed from tells them apart."""
    coarse_clock(monkeypatch)
    monkeypatch.setattr(cache, "RACY_SECONDS", 3600.0)  # the rewrite is within the tick
    assert value_seen(run, data) == (50, 50)
    rewrite_keeping_times(data, "70%")  # a stat says: unchanged
    assert value_seen(run, data) == (70, 70)
    assert len(parses) == 2
    assert value_seen(run, data) == (70, 70)
    assert len(parses) == 2, "the entry of the new bytes is not served"


def test_a_settled_entry_is_rewritten_once_without_digests_and_still_hits(
    run: Run,
    data: Path,
    cache_dir: Path,
    parses: list[int],
    clock: Callable[[Path, float], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import stemcli.dataset

    reads: list[Path] = []
    real = stemcli.dataset.read_bytes

    def counting(path: Path, *args: Any) -> bytes:
        reads.append(path)
        return real(path, *args)

    def data_read() -> bool:
        found = any(p.is_relative_to(data) for p in reads)
        reads.clear()
        return found

    monkeypatch.setattr(stemcli.dataset, "read_bytes", counting)
    clock(data, 0.5)
    assert value_seen(run, data) == (50, 50)
    [entry] = entries(cache_dir)
    recorded = digests_in(entry)
    assert recorded
    data_read()
    clock(data, 1.0)  # still racy: a hit that checks the bytes, and keeps the digests
    assert value_seen(run, data) == (50, 50)
    assert data_read()
    assert digests_in(entry) == recorded
    clock(data, 10.0)  # no longer racy: this hit checks the bytes once more, and settles
    assert value_seen(run, data) == (50, 50)
    assert data_read()
    assert digests_in(entry) == {}
    settled = entry.stat().st_ino
    assert value_seen(run, data) == (50, 50)
    assert not data_read(), "a hit on a settled entry read a data file"
    assert entry.stat().st_ino == settled, "a settled entry was rewritten again"
    assert len(parses) == 1


def _forge_digest(blob: bytes, old: bytes, new: bytes) -> bytes:
    """The entry claiming the new bytes where it recorded the old (its tag left alone)."""
    return blob.replace(cache.content_digest(old), cache.content_digest(new))


def _forge_settled(blob: bytes, old: bytes, new: bytes) -> bytes:
    """The entry with its digests taken out, as a settled one (its tag left alone)."""
    at = len(cache.MAGIC) + cache.TAG_BYTES
    count = int.from_bytes(blob[at : at + 4], "little")
    return blob[:at] + bytes(4) + blob[at + 4 + count * (4 + cache.DIGEST_BYTES) :]


@pytest.mark.parametrize("forge", [_forge_digest, _forge_settled], ids=["digest", "settled"])
def test_an_entry_forged_to_vouch_for_new_bytes_is_a_miss(
    run: Run,
    data: Path,
    cache_dir: Path,
    parses: list[int],
    monkeypatch: pytest.MonkeyPatch,
    forge: Callable[[bytes, bytes, bytes], bytes],
) -> None:
    """The digests are under the tag: whoever rewrites them without the secret is not
    believed, and the new bytes are parsed."""
    coarse_clock(monkeypatch)
    monkeypatch.setattr(cache, "RACY_SECONDS", 3600.0)
    assert value_seen(run, data) == (50, 50)
    [entry] = entries(cache_dir)
    path = data / "claims" / "src.yaml"
    old = path.read_bytes()
    rewrite_keeping_times(data, "70%")
    forged = forge(entry.read_bytes(), old, path.read_bytes())
    assert forged != entry.read_bytes()
    entry.write_bytes(forged)
    assert value_seen(run, data) == (70, 70)
    assert len(parses) == 2


def test_disk_use_is_bounded_in_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """However few entries there are, they never take more than the budget together."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(folder))
    folder.mkdir(mode=0o700)
    big = cache.BUDGET // 3
    for i in range(3):
        stale = folder / f"dataset-{i:040d}.bin"
        with stale.open("wb") as f:  # sparse: the size counts, the disk is not used
            f.write(cache.MAGIC)
            f.truncate(big)
        os.utime(stale, (1_000_000 + i, 1_000_000 + i))
    load()
    kept = sorted(folder.glob("dataset-*.bin"))
    assert sum(p.stat().st_size for p in kept) <= cache.BUDGET
    assert not (folder / f"dataset-{0:040d}.bin").exists()  # the least recently used went
    assert (folder / f"dataset-{2:040d}.bin").exists()
    assert len(kept) == 3  # two stale ones and the new entry


def test_a_cached_dataset_builds_its_claims_only_when_asked(data: Path) -> None:
    parsed = load([data], bundled=True, use_cache=False)
    load([data], bundled=True)  # fills the cache
    cached = load([data], bundled=True)
    assert cached.columns is not None
    assert "claims" not in cached.__dict__
    some = parsed.claims[len(parsed.claims) // 2]
    assert cached.claim(some.id) == some
    assert cached.claim("no-such-claim") is None
    assert cached.claim_count == len(parsed.claims)
    assert "claims" not in cached.__dict__, "finding one claim built them all"
    assert cached.claims == parsed.claims
    assert cached.claim(some.id) in cached.claims


def test_the_codec_is_generic_over_the_fields() -> None:
    """Every annotation of Source and Claim has a form in the one table: a new field of a
    known type needs no edit of the codec."""
    from stemcli.dataset.cache import codec

    for cls in ("Source", "Claim"):
        for name, annotation in codec._fields(cls):
            assert codec._codec(annotation), (cls, name)
    with pytest.raises(ValueError, match="no cache form"):
        codec._codec("set[int]")


def test_text_columns_round_trip(tmp_path: Path) -> None:
    """Ids, quotes and locations of a larger dataset are stored as text columns."""
    from generate import generate
    from stemcli.dataset.cache import codec

    out = tmp_path / "data"
    generate(300, out, seed=2, sources=4)
    parsed = load([out], bundled=False, use_cache=False)
    back = codec.decode(codec.encode(parsed))
    assert back is not None
    assert back.columns is not None
    kinds = {name: len(col) for name, col in back.columns.columns.items()}
    assert (kinds["quote"], kinds["id"], kinds["source"]) == (3, 3, 2)
    assert back.claims == parsed.claims
    assert [c.where for c in back.claims] == [c.where for c in parsed.claims]


def test_a_large_entry_is_tagged_with_hmac_sha256(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From LARGE_BODY bytes the tag is HMAC-SHA256: an entry written so is hit, and one
    whose payload was altered, or whose tag is the BLAKE2 one, is a miss."""
    import hmac

    secret, key = b"s" * 32, "0" * 40
    small = cache.tag(secret, key, b"body")
    monkeypatch.setattr(cache, "LARGE_BODY", 0)
    large = cache.tag(secret, key, b"bo", b"dy")
    assert large == hmac.new(secret, key.encode() + b"body", "sha256").digest()
    assert large != small
    assert len(large) == len(small) == cache.TAG_BYTES
    monkeypatch.setenv("STEMCLI_CACHE_DIR", str(tmp_path / "cache"))
    ds = load(use_cache=False)
    cache.put(key, ds, data_bytes=1 << 20)
    assert cache.get(key, data_bytes=1 << 20) is not None
    monkeypatch.setattr(cache, "LARGE_BODY", 1 << 40)  # read back as a BLAKE2 entry
    assert cache.get(key, data_bytes=1 << 20) is None
