"""Where the shipped data files live, the check that they are the files that were shipped, and
opening a file only when it is a regular file (never a named pipe, folder or device)."""
import hashlib
import os
import stat
from pathlib import Path

__all__ = ["data_dir"]


DATA_README = "README.md"          # every copy of the shipped data folder carries its README
_CHUNK_BYTES = 1 << 20


def data_dir():
    """The folder holding the shipped data: ``$CNNLIB_DATA_DIR`` if set; else ``<repo>/data`` when
    cnnlib runs from the repository; else a ``data/`` folder in the current folder or its parent,
    as in the student edition, which ships its own copy beside its notebooks (cnnlib installed
    from a wheel has no repository around it). When none exists, ``<repo>/data``, so the error
    names the expected place."""
    override = os.environ.get("CNNLIB_DATA_DIR")
    if override:
        return Path(override).expanduser()
    repository_data = Path(__file__).resolve().parents[2] / "data"
    for candidate in (repository_data, Path.cwd() / "data", Path.cwd().parent / "data"):
        if (candidate / DATA_README).is_file():
            return candidate
    return repository_data


def _kind(mode):
    """What a non-regular file is, in words a student recognises."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def open_regular_file(path, what):
    """``path`` opened for reading in binary mode, refused with a ValueError (naming ``path`` and
    what it is instead of ``what``) unless it is a regular file.

    Opening a named pipe blocks until someone writes to it, and reading a device such as
    /dev/zero never ends, so the kind of file is checked before opening; it is checked again on
    the open file (O_NONBLOCK keeps that open from blocking), in case the name was swapped in
    between. A missing file raises FileNotFoundError as usual."""
    path = os.fspath(path)
    mode = os.stat(path).st_mode                        # follows symlinks: a link to a file is fine
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path} is {_kind(mode)}, not {what}")
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(handle).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(f"{path} is {_kind(mode)}, not {what}")
        return os.fdopen(handle, "rb")
    except BaseException:
        os.close(handle)
        raise


def _read_verified(path, expected_sha256, expected_size, how_to_rebuild):
    """The content of a shipped data file, after checking it is what was shipped.

    The size is checked first, from the file system, so a wrong file of any size costs nothing to
    refuse; the hash is then computed chunk by chunk as the expected number of bytes is read."""
    try:
        file = open_regular_file(path, "the shipped data file")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} is missing. It ships with the repository in data/; set CNNLIB_DATA_DIR "
                                f"if your copy lives elsewhere, or rebuild it with {how_to_rebuild}") from None
    restore = "Restore it from the repository (git checkout -- data/)"
    with file:
        size = os.fstat(file.fileno()).st_size
        if size != expected_size:
            raise ValueError(f"{path} is {size} bytes, but the shipped file is {expected_size}; it is not the "
                             f"file that was shipped. {restore}")
        content = bytearray(expected_size)
        view, sha, done = memoryview(content), hashlib.sha256(), 0
        while done < expected_size:
            n = file.readinto(view[done:done + _CHUNK_BYTES])
            if not n:
                break                                   # shrank while being read
            sha.update(view[done:done + n])
            done += n
    actual = sha.hexdigest()
    if done != expected_size or actual != expected_sha256:
        raise ValueError(f"{path}: sha256 is {actual}, expected {expected_sha256}; the file is corrupted "
                         f"or was rebuilt differently. {restore}")
    return content
