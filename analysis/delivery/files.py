"""Writing the command line's and the reports' files without clobbering anything.

Every file dealtree writes goes through :func:`write_file`: a regular file is
written to a temporary file beside it and moved onto its name with
:func:`os.replace`, so a reader never sees half a file, and a file that is
not dealtree's own output is never replaced unless the caller forces it (the
command line's ``--force``). A device or a pipe (``/dev/stdout``) is written
in place. Every failure (a missing folder, a folder where a file should be,
no permission, a full disk) is an :class:`OutputError` naming the path, never
a traceback.

A report folder is locked while a build writes to it (:func:`lock_folder`, an
advisory ``flock`` the system releases when the process ends, however it
ends), and the temporary files a killed build left behind are removed when
the next build takes the lock (:func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = [
    "FILE_MODE",
    "OutputError",
    "lock_folder",
    "output_folder",
    "remove_stale_temporaries",
    "write_atomic",
    "write_file",
]

#: Permissions of written files: readable by all, as a shared file should be
#: (temporary files are created private).
FILE_MODE = 0o644
#: Temporary files of :func:`write_file`: ``.NAME.XXXXXXXX.tmp`` beside ``NAME``.
_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{6,}\.tmp$")


class OutputError(ValueError):
    """A file or folder cannot be written (or must not be): the message says which and why."""


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def write_file(target: str | os.PathLike[str], text: str, *, what: str,
               owned: Callable[[Path], bool] | None = None, force: bool = False) -> Path:
    """Write ``text`` to ``target`` safely; return the path written.

    Parameters
    ----------
    target : path-like
        The file. Its folder must exist.
    text : str
        The content, written as UTF-8.
    what : str
        What the file is, for messages (``"the JSON Schema"``).
    owned : callable, optional
        Whether an existing regular file at ``target`` is dealtree's own
        output of this kind (then it may be replaced). Default: never.
    force : bool
        Replace an existing file even if it is not dealtree's.

    Raises
    ------
    OutputError
        If ``target`` is a folder, its folder does not exist, an existing
        file there is not dealtree's (without ``force``), or writing fails.
    """
    target = Path(target)
    try:
        info = target.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write {what} to {target}: {_reason(exc)}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {what} to {target}: it is a folder; expected a file "
                          "name")
    if info is not None and not stat.S_ISREG(info.st_mode):  # a device or a pipe
        try:
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            raise OutputError(f"cannot write {what} to {target}: {_reason(exc)}") from None
        return target
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {what} to {target}: folder {folder} does not exist")
    if info is not None and not force and not (owned is not None and owned(target)):
        raise OutputError(f"{target} exists and is not {what} written by dealtree; refusing to "
                          "replace it (choose another file, or use --force to replace it)")
    write_atomic(target, text, what=what)
    return target


def write_atomic(target: Path, text: str, *, what: str) -> None:
    """Write ``text`` to ``target`` through a temporary file and :func:`os.replace`.

    Raises
    ------
    OutputError
        If the folder is not writable or the disk is full; the temporary
        file is removed.
    """
    import tempfile  # imports random and hashlib: only when a file is written

    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {what} to {target}: {_reason(exc)}") from None
    except BaseException:  # interrupted: leave no temporary file behind
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def output_folder(path: str | os.PathLike[str], *, what: str) -> Path:
    """Return ``path`` as a writable folder, creating it (and its parents) if missing.

    Raises
    ------
    OutputError
        If ``path`` is a file, cannot be created, or is not writable.
    """
    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{what} {folder} is a file, expected a folder (or a name for a new "
                          "one)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {what} {folder}: {_reason(exc)}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to {what} {folder}: permission denied")
    return folder


@contextlib.contextmanager
def lock_folder(folder: Path, *, what: str) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` while the block runs.

    The lock is an advisory ``flock`` on the folder itself: no lock file is
    left behind, and the system releases it when the process ends, however
    it ends.

    Raises
    ------
    OutputError
        At once, if another process holds the lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: no locking
        yield
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise OutputError(f"cannot lock {what} {folder}: {_reason(exc)}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputError(f"{what} {folder} is being written by another dealtree build; "
                              "wait for it to finish, or choose another folder") from None
        yield
    finally:
        os.close(fd)  # releases the lock


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files that interrupted writes left in ``folder``; return them.

    Call it while holding the folder's lock: no other build is then writing.
    """
    removed = []
    for path in folder.iterdir():
        if _TEMPORARY.match(path.name) and path.is_file():
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed
