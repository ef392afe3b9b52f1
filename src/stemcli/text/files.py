"""Reading the files a user gives: regular files only, never blocking, with a size limit.

:func:`read_bytes` is the one way stemcli reads a file (dataset files, pages, archived
sources); :func:`read_text` refuses what is not plain UTF-8 text (binary files, NUL bytes,
other encodings) with an :class:`~stemcli.errors.InputError` naming the file and the
line:column of the first bad byte.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from stemcli.errors import InputError, Location

MAX_FILE_BYTES = 16 * 1024 * 1024


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
        raise InputError("is a folder, expected a file", location=Location(str(path))) from None
    except OSError as e:
        if e.errno == errno.ENXIO:  # a socket, or a device with nothing behind it
            raise InputError(_NOT_REGULAR, location=Location(str(path))) from None
        raise InputError(f"cannot read: {e.strerror or e}", location=Location(str(path))) from None
    try:
        with f:
            mode = os.fstat(f.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise InputError("is a folder, expected a file", location=Location(str(path)))
            if not stat.S_ISREG(mode):
                raise InputError(_NOT_REGULAR, location=Location(str(path)))
            data = f.read(limit + 1)
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror or e}", location=Location(str(path))) from None
    if len(data) > limit:
        raise InputError(
            f"file is larger than the {limit // (1024 * 1024)} MiB limit",
            location=Location(str(path)),
        )
    return data


def decode_utf8(path: Path | str, data: bytes) -> str:
    """Decode UTF-8 (a BOM is allowed) or raise an error naming line and column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        from stemcli.text.segments import line_column

        raise InputError(
            f"not UTF-8 text (byte 0x{data[e.start]:02x})",
            hint="save the file as UTF-8",
            location=Location(str(path), *line_column(data, e.start)),
        ) from None
    return text


MAX_TEXT_BYTES = 16 * 1024 * 1024


def read_text(path: Path, *, limit: int = MAX_TEXT_BYTES) -> str:
    """The file's text, or an InputError saying why it is not plain UTF-8 text.

    A UTF-8 byte order mark is dropped; line endings are kept as they are, so offsets
    into the returned string are offsets into the file's characters.
    """
    return text_of(path, read_bytes(path, limit))


def text_of(path: Path | str, data: bytes) -> str:
    """The bytes of a page (a file's, or standard input's) as text, or an InputError."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(
            "UTF-16 text, expected UTF-8",
            hint="save the file as UTF-8 plain text",
            location=Location(str(path)),
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        from stemcli.text.segments import line_column

        raise InputError(
            "a binary file (NUL byte), expected plain UTF-8 text",
            hint="save the page as plain text (.txt) first",
            location=Location(str(path), *line_column(data, nul)),
        )
    return decode_utf8(path, data)
