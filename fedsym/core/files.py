"""Checks on a file a user names before fedsym reads it (costs files, agents files)."""

from __future__ import annotations

import os
import stat

from fedsym.core.errors import InputFileError

__all__ = ["require_regular_file"]


def require_regular_file(path: str | os.PathLike[str], what: str) -> os.stat_result:
    """The ``os.stat`` of *path*, refused unless it is a regular file (a pipe or ``/dev/zero`` would never end).

    Raises :class:`InputFileError` ``"{what} {path}: ..."``: missing or unreadable, a folder, not a regular file.
    """
    try:
        info = os.stat(path)
    except OSError as error:
        raise InputFileError(f"{what} {path}: cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(f"{what} {path}: is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(f"{what} {path}: is not a regular file (pipes and devices are not read)")
    return info
