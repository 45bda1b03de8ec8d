"""Atomic file writes: write a temporary file in the target folder, then rename it over the target.

A reader never sees a half-written table, and a failed render leaves the old file in place.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from pilotdid.errors import PilotdidError

__all__ = ["atomic_write", "atomic_write_text"]


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file next to ``path``, then rename it to ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The final file; its folder must exist.
    write : callable
        Writes the complete file to the path it is given.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        blocker = _file_in_the_way(folder)
        if blocker is not None:
            raise PilotdidError(
                f"cannot write {str(target)!r}: {str(blocker)!r} is a file, not a folder; "
                "choose another path or rename that file."
            )
        raise PilotdidError(
            f"cannot write {str(target)!r}: folder {str(folder)!r} does not exist; create it first."
        )
    try:
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp creates the file private (0600); give the result ordinary file permissions.
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise _cannot_write(target, exc) from exc
        raise
    return target


def _cannot_write(target: Path, exc: OSError) -> PilotdidError:
    """Describe a file the system refuses to write (permissions, a full disk ...)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return PilotdidError(
        f"cannot write {str(target)!r}: {reason[:1].lower()}{reason[1:]}; choose a folder you can write to "
        "(or check its permissions and free space)."
    )


def _file_in_the_way(folder: Path) -> Path | None:
    """Return the nearest existing ancestor of ``folder`` when it is a file (not a folder)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`atomic_write`)."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    return atomic_write(path, write)
