"""Write files atomically, never replacing what a user has without being told to.

Every write goes through a temporary file in the target's folder. Without ``force`` an
existing file is never replaced (the final step is a hard link, which fails if the name
exists, so there is no window for a race). With ``force`` the final step is an atomic
rename and the new file keeps the permissions of the one it replaces. A symbolic link is
never replaced: the user names the file it points to if that is what they mean.

Several files (``compare -o A --svg B``) are written all or nothing: every text is
rendered and every temporary file written before any is put in place, and on any failure
what this run put in place is taken away again and every file that was there is as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from stemcli.errors import InputError, UsageError


def target_path(name: str) -> Path:
    """The file a user named to be written; a name that means a folder is refused.

    ``out/``, ``out/.`` or an empty name cannot be a file; ``Path`` would quietly turn
    ``out/`` into ``out``, so this looks at the name as it was typed. (``-``, standard
    output, is the option parser's: :func:`stemcli.cli.options.output_path`.)
    """
    if os.path.basename(name) in ("", ".", ".."):
        raise UsageError(
            f"{name or repr(name)}: names a folder, not a file",
            hint=f"name the file to write, such as {os.path.join(name, 'result.txt')}",
        )
    return Path(name)


def write_text(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` to ``path``; on any failure the old file is left as it was."""
    write_files([(path, text)], force=force)


def write_files(files: Sequence[tuple[Path, str]], *, force: bool = False) -> None:
    """Write every ``(path, text)``, or none of them.

    On any failure (an error, Ctrl-C, SIGTERM) the files this call put in place are
    removed, the files it replaced are put back, and no temporary file is left.
    """
    targets = [Path(p) for p, _ in files]
    for target in targets:
        check_target(target, force=force)
    several = len(targets) > 1
    temporaries: list[Path] = []
    placed: list[tuple[Path, Path | None]] = []  # (target, backup of the file it replaced)
    try:
        for target, (_, text) in zip(targets, files, strict=True):
            temporaries.append(_temporary(target, text, force=force))
        for target, tmp in zip(targets, temporaries, strict=True):
            placed.append((target, _place(tmp, target, force=force, keep_old=several)))
    except BaseException:
        for target, backup in reversed(placed):
            _take_back(target, backup)
        raise
    else:
        for _, backup in placed:
            if backup is not None:
                with contextlib.suppress(OSError):
                    backup.unlink()
    finally:
        for tmp in temporaries:
            with contextlib.suppress(OSError):
                tmp.unlink()


def write_built(target: Path, build: Callable[[Path], None], *, force: bool = False) -> None:
    """A file that ``build`` writes (a database, a Parquet file) put in place as ``target``.

    ``build`` is given a new empty temporary file beside ``target`` to write into (or
    replace); the file is synced and put in place only once ``build`` has returned, so on
    any failure ``target`` is as it was and no temporary file is left.
    """
    check_target(target, force=force)
    tmp = _temporary(target, "", force=force)
    try:
        try:
            build(tmp)
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.chmod(tmp, _mode(target) if force else 0o644 & ~_umask())
        except OSError as e:
            raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
        _place(tmp, target, force=force, keep_old=False)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def write_folder(
    target: Path, build: Callable[[Path], None], *, marker: str, force: bool = False
) -> None:
    """A folder that ``build`` fills put in place as ``target``, all or nothing.

    ``build`` fills a new temporary folder beside ``target``. A ``target`` that exists is
    replaced only with ``force``, and only when it holds ``marker`` (a file this program
    writes into every such folder, such as ``datapackage.json``): a folder of the user's own
    is never replaced. The old folder is removed only after the new one is in place.
    """
    import shutil

    try:
        is_link, exists = target.is_symlink(), target.exists()
        is_dir = target.is_dir()
    except OSError as e:
        raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    if is_link:
        raise UsageError(f"{target}: is a symbolic link; stemcli does not replace links")
    if exists and not is_dir:
        raise UsageError(f"{target}: exists and is not a folder", hint="name a new folder")
    if exists:
        if not force:
            raise UsageError(f"{target}: folder exists", hint="use --force to replace it")
        if not (target / marker).is_file():
            raise UsageError(
                f"{target}: folder exists and has no {marker}; stemcli replaces only a folder "
                "it wrote",
                hint="name a new folder",
            )
    else:
        _check_folder(target)
    try:
        tmp = Path(tempfile.mkdtemp(dir=_folder(target), prefix=f".{target.name}.", suffix=".tmp"))
    except OSError as e:
        raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    old: Path | None = None
    try:
        try:
            build(tmp)
            os.chmod(tmp, 0o755 & ~_umask())
            if exists:
                old = tmp.with_suffix(".old")
                os.rename(target, old)
            os.rename(tmp, target)
        except OSError as e:
            if old is not None and not target.exists():
                with contextlib.suppress(OSError):
                    os.rename(old, target)
                old = None
            raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    except BaseException:
        if old is not None and not target.exists():
            with contextlib.suppress(OSError):
                os.rename(old, target)
            old = None
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def check_target(target: Path, *, force: bool) -> None:
    """Refuse, before any work is done, a target that cannot or must not be written.

    A missing folder is not created (the user may have mistyped it): the hint says how.
    """
    try:
        is_link = target.is_symlink()
        is_dir, exists = target.is_dir(), target.exists()
        is_file = target.is_file()
    except OSError as e:  # a name too long, a path through a file ...
        raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    if is_link:
        raise UsageError(
            f"{target}: is a symbolic link; stemcli does not replace links",
            hint=f"to write the file it points to, name that file: {_link_target(target)}",
        )
    if is_dir:
        raise UsageError(f"{target}: is a folder; --output needs a file name")
    if exists and not is_file:  # the rename would replace /dev/null itself
        raise UsageError(
            f"{target}: not a regular file (a device, pipe or socket)",
            hint=f"redirect standard output instead: > {target}",
        )
    if not force and exists:
        raise UsageError(f"{target}: file exists", hint="use --force to replace it")
    if not exists:
        _check_folder(target)


def _check_folder(target: Path) -> None:
    folder = _folder(target)
    try:
        is_dir, exists = folder.is_dir(), folder.exists()
    except OSError as e:
        raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    if not exists:
        import shlex

        raise InputError(
            f"{target}: cannot write: no such folder {folder}",
            hint=f"create it first: mkdir -p {shlex.quote(str(folder))}",
        )
    if not is_dir:
        raise InputError(f"{target}: cannot write: {folder} is not a folder")


def _link_target(link: Path) -> str:
    try:
        return os.path.realpath(link)
    except (OSError, ValueError):
        return "the link's target"


def _folder(target: Path) -> Path:
    return target.parent if str(target.parent) else Path(".")


def _temporary(target: Path, text: str, *, force: bool) -> Path:
    """``text`` in a new temporary file beside ``target``, on disk, with its final mode."""
    data = text.encode("utf-8")
    try:
        fd, name = tempfile.mkstemp(dir=_folder(target), prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode(target) if force else 0o644 & ~_umask())
    except BaseException as e:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(e, OSError):
            raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
        raise
    return tmp


def _mode(target: Path) -> int:
    """The permissions a replacement of ``target`` gets: those of the file it replaces.

    Only the read, write and execute bits: set-user-id, set-group-id and sticky bits are
    not given to new text (a setuid program replaced by a table must not stay setuid).
    """
    try:
        return stat.S_IMODE(os.stat(target).st_mode) & 0o777
    except FileNotFoundError:
        return 0o644 & ~_umask()


def _place(tmp: Path, target: Path, *, force: bool, keep_old: bool) -> Path | None:
    """Put ``tmp`` in place as ``target``; returns a backup of what it replaced, if asked."""
    backup = _backup(target, tmp.with_suffix(".old")) if force and keep_old else None
    try:
        if force:
            os.replace(tmp, target)
        else:
            _link_no_clobber(tmp, target)
    except BaseException as e:
        if backup is not None:
            with contextlib.suppress(OSError):
                backup.unlink()
        if isinstance(e, FileExistsError):
            raise UsageError(f"{target}: file exists", hint="use --force to replace it") from None
        if isinstance(e, OSError):
            raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
        raise
    return backup


def _backup(target: Path, backup: Path) -> Path | None:
    """A second name for the file at ``target`` (a hard link, else a copy), or None."""
    if not target.exists():
        return None
    try:
        os.link(target, backup)
    except FileExistsError as e:
        raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    except OSError:  # no hard links here: a copy keeps the content and the mode
        import shutil

        try:
            shutil.copy2(target, backup)
        except OSError as e:
            with contextlib.suppress(OSError):
                backup.unlink()
            raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    return backup


def _take_back(target: Path, backup: Path | None) -> None:
    """Undo the placing of ``target``: the old file back, or the new one away."""
    with contextlib.suppress(OSError):
        if backup is not None:
            os.replace(backup, target)
        else:
            target.unlink()


def _link_no_clobber(tmp: Path, target: Path) -> None:
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError:
        # file systems without hard links: check, then rename (a small race remains)
        if target.exists():
            raise FileExistsError(str(target)) from None
        os.replace(tmp, target)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
