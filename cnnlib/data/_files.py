"""Where the shipped data files live, and the check that they are the files that were shipped."""
import hashlib
import os
from pathlib import Path

__all__ = ["data_dir"]


DATA_README = "README.md"          # every copy of the shipped data folder carries its README


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


def _read_verified(path, expected_sha256, how_to_rebuild):
    """The bytes of a shipped data file, after checking they are the bytes that were shipped."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing. It ships with the repository in data/; set "
                                f"CNNLIB_DATA_DIR if your copy lives elsewhere, or rebuild it with {how_to_rebuild}")
    content = path.read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected_sha256:
        raise ValueError(f"{path}: sha256 is {actual}, expected {expected_sha256}; the file is corrupted "
                         f"or was rebuilt differently. Restore it from the repository (git checkout -- data/)")
    return content
