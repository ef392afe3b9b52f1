"""Files and folders that a writer builds are put in place all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from stemcli.cli.atomic import write_built, write_folder
from stemcli.errors import UsageError


def test_a_built_file_is_placed_and_an_existing_one_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.db"
    write_built(target, lambda p: p.write_bytes(b"one"))
    assert target.read_bytes() == b"one"
    with pytest.raises(UsageError, match="file exists"):
        write_built(target, lambda p: p.write_bytes(b"two"))
    assert target.read_bytes() == b"one"
    write_built(target, lambda p: p.write_bytes(b"two"), force=True)
    assert target.read_bytes() == b"two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.db"]


def test_a_failing_build_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.db"
    target.write_bytes(b"mine")

    def build(path: Path) -> None:
        path.write_bytes(b"half")
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        write_built(target, build, force=True)
    assert target.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.db"]


def test_a_built_folder_replaces_only_a_folder_it_wrote(tmp_path: Path) -> None:
    target = tmp_path / "pkg"

    def build(folder: Path) -> None:
        (folder / "datapackage.json").write_text("{}", encoding="utf-8")
        (folder / "claims.csv").write_text("id\n", encoding="utf-8")

    write_folder(target, build, marker="datapackage.json")
    assert sorted(p.name for p in target.iterdir()) == ["claims.csv", "datapackage.json"]
    with pytest.raises(UsageError, match="folder exists"):
        write_folder(target, build, marker="datapackage.json")
    (target / "claims.csv").write_text("old\n", encoding="utf-8")
    write_folder(target, build, marker="datapackage.json", force=True)
    assert (target / "claims.csv").read_text(encoding="utf-8") == "id\n"

    own = tmp_path / "mine"
    own.mkdir()
    (own / "notes.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(UsageError, match=r"has no datapackage\.json"):
        write_folder(own, build, marker="datapackage.json", force=True)
    assert (own / "notes.txt").read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "pkg"]


def test_a_failing_folder_build_leaves_the_old_folder(tmp_path: Path) -> None:
    target = tmp_path / "pkg"
    target.mkdir()
    (target / "datapackage.json").write_text("old", encoding="utf-8")

    def build(folder: Path) -> None:
        (folder / "datapackage.json").write_text("new", encoding="utf-8")
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        write_folder(target, build, marker="datapackage.json", force=True)
    assert (target / "datapackage.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]
