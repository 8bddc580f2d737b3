"""Where the shipped data files live, and the check that they are the files that were shipped."""
import hashlib
import os
from pathlib import Path

__all__ = ["data_dir"]


def data_dir():
    """The folder holding the shipped data: ``$CNNLIB_DATA_DIR`` if set, else ``<repo>/data``."""
    override = os.environ.get("CNNLIB_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(__file__).resolve().parents[2] / "data"


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
