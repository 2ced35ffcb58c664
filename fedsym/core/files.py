"""Input files named by the user: refused up front unless they are regular files.

A pipe, a FIFO or a device such as ``/dev/zero`` never ends (or blocks), and a
folder is not a file: every reader of a user file calls :func:`require_regular_file`
before it opens the file, so such an input is one error naming it, not a hang.
"""

from __future__ import annotations

import os
import stat

from fedsym.core.errors import InputFileError

__all__ = ["require_regular_file"]


def require_regular_file(path: str | os.PathLike[str], name: str) -> None:
    """Refuse *path* unless it is an existing regular file.

    Parameters
    ----------
    path:
        The file.
    name:
        How the messages name it, e.g. ``"--costs-file costs.txt"``.

    Raises
    ------
    InputFileError
        ``"<name>: cannot be read (...)"``, ``"<name>: is a folder, not a file"`` or
        ``"<name>: is not a regular file (pipes and devices are not read)"``.
    """
    try:
        info = os.stat(path)
    except OSError as error:
        raise InputFileError(f"{name}: cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(f"{name}: is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(f"{name}: is not a regular file (pipes and devices are not read)")
