"""Write files atomically, never replacing what a user has without being told to."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from stemcli.errors import InputError, UsageError


def write_text(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder.

    Without ``force`` an existing file is never replaced (the final step is a hard link,
    which fails if the name exists, so there is no window for a race). With ``force`` the
    final step is an atomic rename. On any failure the old file is left as it was and the
    temporary file is removed.
    """
    target = Path(path)
    check_target(target, force=force)
    parent = target.parent if str(target.parent) else Path(".")
    data = text.encode("utf-8")
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    tmp_path = Path(tmp)
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp_path, 0o644 & ~_umask())
            if force:
                os.replace(tmp_path, target)
            else:
                _link_no_clobber(tmp_path, target)
        except FileExistsError:
            raise UsageError(f"{target}: file exists", hint="use --force to replace it") from None
        except OSError as e:
            raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()


def check_target(target: Path, *, force: bool) -> None:
    """Refuse, before any work is done, a target that cannot or must not be written."""
    try:
        is_dir, exists = target.is_dir(), target.exists()
        is_file, is_link = target.is_file(), target.is_symlink()
    except OSError as e:  # a name too long, a path through a file ...
        raise InputError(f"{target}: cannot write: {e.strerror or e}") from None
    if is_dir:
        raise UsageError(f"{target}: is a folder; --output needs a file name")
    if exists and not is_file:  # the rename would replace /dev/null itself
        raise UsageError(
            f"{target}: not a regular file (a device, pipe or socket)",
            hint=f"redirect standard output instead: > {target}",
        )
    if not force and (exists or is_link):
        raise UsageError(f"{target}: file exists", hint="use --force to replace it")


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
