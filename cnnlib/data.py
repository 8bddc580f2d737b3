"""Data that works offline: IDX files, MNIST (bundled subset or the full files), sample images.

- ``read_idx`` reads the IDX format MNIST is distributed in, raw or gzip-compressed, and rejects
  anything malformed with a ``ValueError`` that names the file.
- ``load_mnist`` returns the stratified subset shipped in ``data/`` (10 x 1,000 training and
  10 x 200 test images) or, given a folder, the full MNIST files verified by sha256.
- ``download_mnist`` fetches the full files from public mirrors into a folder of your choice.
- ``sample_image`` gives a photograph and drawn test patterns for the kernel notebooks.

Only numpy and the standard library are imported, and nothing touches the network unless
``download_mnist`` is called.
"""
import functools
import gzip
import hashlib
import http.client
import io
import os
import sys
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from ._checks import as_pair, as_positive_int, format_bytes

__all__ = ["read_idx", "load_mnist", "download_mnist", "sample_image", "SAMPLE_IMAGES"]

_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK_BYTES = 1 << 20

# IDX type code -> element type (IDX stores every multi-byte number big-endian).
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_IDX_MAX_NDIM = 32

# read_idx refuses a file whose header declares more data than this (bytes), before reading
# any of it: a gzip file of a few hundred KB can inflate to GiBs of zeros. MNIST's largest file
# holds 47 MB; pass read_idx(..., max_bytes=...) for bigger IDX data sets (e.g. EMNIST).
MAX_IDX_BYTES = 128 * 2**20

MNIST_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

# What each MNIST file's header must declare (all uint8), checked before its body is read.
_MNIST_SHAPES = {
    "train-images-idx3-ubyte": (60000, 28, 28),
    "train-labels-idx1-ubyte": (60000,),
    "t10k-images-idx3-ubyte": (10000, 28, 28),
    "t10k-labels-idx1-ubyte": (10000,),
}

# sha256 of each file's decompressed IDX bytes: the check that holds however it was compressed.
_MNIST_IDX_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# sha256 of the published .gz files, i.e. of what a mirror sends.
_MNIST_GZIP_SHA256 = {
    "train-images-idx3-ubyte": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# A mirror that keeps sending past this is not sending MNIST (the largest file is ~9.9 MB).
_MAX_DOWNLOAD_BYTES = 64 << 20

SUBSET_FILE = "mnist_subset.npz"
_SUBSET_SHA256 = "fba394e60dda1841e4a515b7fa7b40b00eccafc8703913ee936cbc3ec3b4578a"
_SUBSET_KEYS = ("x_train", "y_train", "x_test", "y_test", "train_indices", "test_indices")

HOPPER_FILE = "grace_hopper.npz"
_HOPPER_SHA256 = "2f3aac75bbb542e8672bb22e168d77aad5650867f7e0f5e88d4e8d7767d3bcf4"


def data_dir():
    """The folder holding the shipped data: ``$CNNLIB_DATA_DIR`` if set, else ``<repo>/data``."""
    override = os.environ.get("CNNLIB_DATA_DIR")
    if override:
        return Path(override).expanduser()
    return Path(__file__).resolve().parent.parent / "data"


def read_idx(path, *, max_bytes=None):
    """Read an IDX file (raw or gzip-compressed) into a numpy array.

    The format: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
    0x0D float32, 0x0E float64), the number of dimensions d, then d big-endian uint32 sizes,
    then the values in C order, big-endian. Compression is detected from the gzip magic bytes
    (1f 8b), not from the file name.

    Returns an array of shape (size_1, ..., size_d) in native byte order. A file that is not
    IDX, has a bad header, is truncated, has trailing bytes or is a corrupt gzip raises
    ``ValueError`` naming the file. Sizes are checked against the bytes actually present
    before anything is allocated. Used by ``load_mnist`` (notebook 10).

    ``max_bytes`` (default ``MAX_IDX_BYTES``, 128 MiB; MNIST's largest file is 47 MB): a header
    declaring more data than this is refused before any of the body is read or decompressed,
    so a small gzip "bomb" cannot inflate into GiBs. Reading stops at the declared size; any
    byte after it is an error (one byte is read to check, so trailing junk costs nothing).
    """
    if max_bytes is not None:
        max_bytes = as_positive_int(max_bytes, "max_bytes")
    array, _ = _read_idx_and_sha256(path, max_bytes)
    return array


def _read_idx_and_sha256(path, max_bytes=None, expected_shape=None):
    """``read_idx`` plus the sha256 hex digest of the (decompressed) IDX bytes. With
    ``expected_shape`` (MNIST's), any other uint8 shape in the header is refused before reading on."""
    path = Path(path)
    limit = MAX_IDX_BYTES if max_bytes is None else max_bytes
    with open(path, "rb") as raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        if compressed:
            with gzip.GzipFile(fileobj=raw, mode="rb") as stream:
                try:
                    return _parse_idx(stream, path, None, limit, expected_shape)
                except (OSError, EOFError, zlib.error) as err:
                    raise ValueError(f"{path}: corrupt gzip data ({err})") from None
        return _parse_idx(raw, path, os.fstat(raw.fileno()).st_size, limit, expected_shape)


def _parse_idx(stream, path, raw_size, limit, expected_shape):
    """Parse IDX from ``stream``; ``raw_size`` is the file size for uncompressed files."""
    where = f"{path}{' (after gunzip)' if raw_size is None else ''}"

    head = _read_up_to(stream, 4)
    if len(head) < 4:
        raise ValueError(f"{where}: only {len(head)} bytes; an IDX file starts with a 4-byte magic number")
    if head[0] != 0 or head[1] != 0:
        raise ValueError(f"{where}: not an IDX file (magic number {bytes(head).hex()} does not start with 0000)")
    type_code, ndim = head[2], head[3]
    if type_code not in _IDX_DTYPES:
        valid = ", ".join(f"0x{code:02X}" for code in _IDX_DTYPES)
        raise ValueError(f"{where}: unknown IDX type code 0x{type_code:02X} (valid: {valid})")
    if not 1 <= ndim <= _IDX_MAX_NDIM:
        raise ValueError(f"{where}: IDX header gives {ndim} dimensions; expected 1 to {_IDX_MAX_NDIM}")

    dims_bytes = _read_up_to(stream, 4 * ndim)
    if len(dims_bytes) < 4 * ndim:
        raise ValueError(f"{where}: truncated header: {ndim} dimension sizes need {4 * ndim} bytes, "
                         f"found {len(dims_bytes)}")
    dims = [int.from_bytes(dims_bytes[4 * i:4 * i + 4], "big") for i in range(ndim)]
    dtype = _IDX_DTYPES[type_code]
    payload_bytes = dtype.itemsize
    for size in dims:
        payload_bytes *= size

    header_bytes = 4 + 4 * ndim
    shape_text = " x ".join(map(str, dims))
    if expected_shape is not None and (dtype != _IDX_DTYPES[0x08] or tuple(dims) != expected_shape):
        raise ValueError(f"{where}: header says {shape_text} {dtype.name} values, but this MNIST file holds "
                         f"{' x '.join(map(str, expected_shape))} uint8 values; the file is not MNIST")
    if raw_size is not None and raw_size != header_bytes + payload_bytes:
        problem = "truncated" if raw_size < header_bytes + payload_bytes else "has trailing bytes"
        raise ValueError(f"{where}: {problem}: header says {shape_text} {dtype.name} values "
                         f"({header_bytes + payload_bytes} bytes with the header), file has {raw_size} bytes")
    if payload_bytes > limit:
        raise ValueError(f"{where}: header says {shape_text} {dtype.name} values ({format_bytes(payload_bytes)}), "
                         f"more than the limit of {format_bytes(limit)}; nothing was read. If you trust the file, "
                         f"pass read_idx(path, max_bytes=...) with a larger limit")

    payload = _read_up_to(stream, payload_bytes)
    if len(payload) < payload_bytes:
        raise ValueError(f"{where}: truncated: header says {shape_text} {dtype.name} values "
                         f"({payload_bytes} bytes of data), found only {len(payload)}")
    if stream.read(1):
        raise ValueError(f"{where}: has trailing bytes after the {payload_bytes} bytes of data "
                         f"its header ({shape_text} {dtype.name}) describes")

    sha = hashlib.sha256(head + dims_bytes)
    sha.update(payload)
    array = np.frombuffer(payload, dtype=dtype).reshape(dims)
    return array.astype(dtype.newbyteorder("="), copy=dtype.itemsize > 1), sha.hexdigest()


def _read_up_to(stream, n):
    """Read up to ``n`` bytes, growing the buffer chunk by chunk so a false size in a header
    never allocates more than the data that is really there."""
    buffer = bytearray()
    while len(buffer) < n:
        chunk = stream.read(min(_CHUNK_BYTES, n - len(buffer)))
        if not chunk:
            break
        buffer += chunk
    return buffer


def _file_sha256(path):
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK_BYTES), b""):
            sha.update(chunk)
    return sha.hexdigest()


def load_mnist(root=None, *, normalize=True, pad_to=None):
    """MNIST as ``(x_train, y_train), (x_test, y_test)``, ready for a CNN (notebook 10).

    root=None loads the subset shipped in ``data/mnist_subset.npz``: 1,000 training images
    per digit from MNIST's training set and 200 test images per digit from its test set,
    chosen at random with a fixed seed by ``scripts/build_mnist_subset.py``. A folder loads
    the four standard IDX files from it (``train-images-idx3-ubyte`` etc., raw or ``.gz``),
    each verified against the published sha256 of its content; ``download_mnist`` fetches them.

    Returns x of shape N x 1 x H x W (H = W = 28, or ``pad_to``): float32 pixel / 255 in
    [0, 1] if ``normalize`` else uint8 0..255; y of shape (N,), int64 digits 0..9.
    ``pad_to=32`` adds a border of zeros to give LeNet-5's 32 x 32 input, the digit centred.
    """
    if pad_to is not None:
        pad_to = as_positive_int(pad_to, "pad_to")
    if not isinstance(normalize, bool):
        raise TypeError(f"normalize must be True or False, got {normalize!r}")

    if root is None:
        x_train, y_train, x_test, y_test = _load_subset()
    else:
        x_train, y_train, x_test, y_test = _load_mnist_folder(Path(root).expanduser())

    train = (_prepare_images(x_train, normalize, pad_to), y_train.astype(np.int64))
    test = (_prepare_images(x_test, normalize, pad_to), y_test.astype(np.int64))
    return train, test


def _prepare_images(images, normalize, pad_to):
    """uint8 N x H x W -> N x 1 x H' x W', zero-padded to ``pad_to`` and scaled to [0, 1]."""
    height, width = images.shape[1:]
    if pad_to is not None:
        if pad_to < max(height, width):
            raise ValueError(f"pad_to must be at least the image size {height}x{width}, got {pad_to}")
        top, left = (pad_to - height) // 2, (pad_to - width) // 2
        images = np.pad(images, ((0, 0), (top, pad_to - height - top), (left, pad_to - width - left)))
    images = images[:, np.newaxis]
    if normalize:
        return images.astype(np.float32) / np.float32(255)
    return np.ascontiguousarray(images)


def _load_subset():
    path = data_dir() / SUBSET_FILE
    content = _read_verified(path, _SUBSET_SHA256, "scripts/build_mnist_subset.py")
    with np.load(io.BytesIO(content), allow_pickle=False) as npz:
        if sorted(npz.files) != sorted(_SUBSET_KEYS):
            raise ValueError(f"{path}: expected the arrays {', '.join(_SUBSET_KEYS)}, found {', '.join(npz.files)}")
        arrays = {key: npz[key] for key in _SUBSET_KEYS}
    for split in ("train", "test"):
        _check_mnist_pair(arrays[f"x_{split}"], arrays[f"y_{split}"], f"{path} ({split})")
        if arrays[f"{split}_indices"].shape != arrays[f"y_{split}"].shape:
            raise ValueError(f"{path}: {split}_indices must have one entry per {split} image")
    return arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"]


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


def _check_mnist_pair(images, labels, where):
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"{where}: images must be uint8 N x H x W, got {images.dtype} {images.shape}")
    if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
        raise ValueError(f"{where}: labels must be uint8 of shape ({len(images)},), got {labels.dtype} {labels.shape}")
    if labels.size and labels.max() > 9:
        raise ValueError(f"{where}: labels must be digits 0..9, found {labels.max()}")


def _find_mnist_file(root, name):
    """The copy of ``name`` in ``root``: the .gz that download_mnist writes, else the raw file."""
    for candidate in (root / f"{name}.gz", root / name):
        if candidate.is_file():
            return candidate
    return None


def _load_mnist_folder(root):
    found = {name: _find_mnist_file(root, name) for name in MNIST_FILES}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        looked_for = ", ".join(f"{name} or {name}.gz" for name in missing)
        raise FileNotFoundError(f"MNIST files missing from {root}: looked for {looked_for}. "
                                f"download_mnist({str(root)!r}) fetches them; "
                                f"load_mnist() with no folder loads the subset that ships with cnnlib")
    arrays = {}
    for name, path in found.items():
        # The header must declare MNIST's own shape before any of the body is read, so a small
        # malicious .gz can inflate to at most MNIST's size (47 MB) before its sha256 rejects it.
        # (The .gz bytes themselves cannot be required to match the published ones: a copy
        # compressed again by another tool, like the shared one in ../shared/data/mnist, differs.)
        array, sha = _read_idx_and_sha256(path, expected_shape=_MNIST_SHAPES[name])
        if sha != _MNIST_IDX_SHA256[name]:
            raise ValueError(f"{path}: content sha256 {sha} does not match MNIST's {name} "
                             f"({_MNIST_IDX_SHA256[name]}); the file is corrupted or is not MNIST")
        arrays[name] = array
    x_train, y_train = arrays["train-images-idx3-ubyte"], arrays["train-labels-idx1-ubyte"]
    x_test, y_test = arrays["t10k-images-idx3-ubyte"], arrays["t10k-labels-idx1-ubyte"]
    _check_mnist_pair(x_train, y_train, f"{root} (train)")
    _check_mnist_pair(x_test, y_test, f"{root} (test)")
    return x_train, y_train, x_test, y_test


def _is_valid_mnist_file(path, name):
    """True if ``path`` holds MNIST's ``name``: the published .gz bytes, or the right content."""
    if _file_sha256(path) == _MNIST_GZIP_SHA256[name]:
        return True
    try:
        return _read_idx_and_sha256(path, expected_shape=_MNIST_SHAPES[name])[1] == _MNIST_IDX_SHA256[name]
    except ValueError:
        return False


def download_mnist(root, *, mirrors=None, progress=True, timeout=30.0, deadline=600.0):
    """Download the four MNIST .gz files into ``root`` and return ``root`` as a Path.

    Each file is tried from each mirror in turn (default ``MNIST_MIRRORS``; a mirror is a base
    URL that the file name is appended to) and kept only if its sha256 matches the published
    one. It is written to a temporary file in ``root`` and renamed into place only when it is
    complete and verified, so an interrupted or corrupted download leaves nothing that looks
    like MNIST; temporary files (``.<name>.gz.*.part``) left by a run that was killed are deleted
    at the start, and ``load_mnist`` never reads them. Files already present and valid are
    skipped. New files get the usual permissions for your umask (0644 for umask 022), so others
    sharing the folder can read them.

    ``timeout`` (seconds) bounds every single network wait; ``deadline`` (seconds, default 600)
    bounds each file's whole download from one mirror, so a mirror that trickles bytes slowly
    enough to never trip ``timeout`` is abandoned (the next mirror is tried). Raises
    ``ConnectionError`` when no mirror can be reached (offline), and ``RuntimeError`` when
    mirrors answer but none sends a valid file in time; the message lists what each mirror did.
    """
    root = Path(root).expanduser()
    mirrors = _check_mirrors(MNIST_MIRRORS if mirrors is None else mirrors)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if isinstance(deadline, bool) or not isinstance(deadline, (int, float)) or not deadline > 0:
        raise ValueError(f"deadline must be a positive number of seconds, got {deadline!r}")
    root.mkdir(parents=True, exist_ok=True)

    for name in MNIST_FILES:
        for stale in _part_files(root / f"{name}.gz"):
            stale.unlink(missing_ok=True)
        existing = _find_mnist_file(root, name)
        if existing is not None and _is_valid_mnist_file(existing, name):
            _report(progress, f"{existing.name}: already present and valid")
            continue
        failures = []
        for mirror in mirrors:
            url = mirror + name + ".gz"
            try:
                _download_verified(url, root / f"{name}.gz", _MNIST_GZIP_SHA256[name], timeout, deadline, progress)
                break
            except (OSError, http.client.HTTPException, ValueError) as err:
                failures.append((url, err))
        else:
            raise _all_mirrors_failed(name, root, failures)
    return root


def _check_mirrors(mirrors):
    if isinstance(mirrors, (str, bytes)):
        raise TypeError("mirrors must be a list of base URLs, got a single string; wrap it in a list")
    mirrors = list(mirrors)
    if not mirrors:
        raise ValueError("mirrors must list at least one base URL")
    for mirror in mirrors:
        if not isinstance(mirror, str) or not mirror.startswith(("http://", "https://")):
            raise ValueError(f"each mirror must be an http:// or https:// URL, got {mirror!r}")
    return [mirror if mirror.endswith("/") else mirror + "/" for mirror in mirrors]


class _DeadlinePassed(TimeoutError):
    """A mirror that answered but sent too slowly: not a sign of being offline."""


def _part_files(destination):
    """Temporary files a download of ``destination`` leaves behind if its process is killed."""
    return destination.parent.glob(f".{destination.name}.*.part")


def _download_verified(url, destination, expected_sha256, timeout, deadline, progress):
    """Fetch ``url`` into a temporary file beside ``destination``; rename it there only once
    its sha256 matches. Any failure removes the temporary file and raises; so does taking
    longer than ``deadline`` seconds in all (checked after every read)."""
    # O_EXCL with mode 0o666 gives the permissions of any new file under the user's umask
    # (0644 for the usual 022), so others sharing the folder can read it; tempfile would give 0600.
    temporary = destination.parent / f".{destination.name}.{os.getpid()}-{os.urandom(4).hex()}.part"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    started = time.monotonic()
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = response.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            sha = hashlib.sha256()
            received = 0
            with _progress_bar(progress, total, f"{destination.name} <- {url}") as bar:
                # read1 returns whatever one socket read brings, so a server trickling a byte at a
                # time cannot hold a single read (each bounded by ``timeout``) past the deadline.
                for chunk in iter(lambda: response.read1(1 << 16), b""):
                    received += len(chunk)
                    if received > _MAX_DOWNLOAD_BYTES:
                        raise ValueError(f"{url} sent more than {_MAX_DOWNLOAD_BYTES} bytes")
                    sha.update(chunk)
                    out.write(chunk)
                    bar.update(len(chunk))
                    waited = time.monotonic() - started
                    if waited > deadline:
                        expected = f" of {total}" if total is not None else ""
                        raise _DeadlinePassed(f"{url}: gave up after {waited:.1f} s (deadline={deadline:g} s) "
                                              f"with {received}{expected} bytes received; the mirror is too slow")
            if total is not None and received != total:
                raise ValueError(f"{url}: download ended after {received} of {total} bytes")
            out.flush()
            os.fsync(out.fileno())
        if sha.hexdigest() != expected_sha256:
            raise ValueError(f"{url}: sha256 {sha.hexdigest()} does not match the published {expected_sha256}")
        os.replace(temporary, destination)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _all_mirrors_failed(name, root, failures):
    reasons = "\n".join(f"  {url}: {err}" for url, err in failures)
    by_hand = (f"To install MNIST by hand, copy {', '.join(f + '.gz' for f in MNIST_FILES)} "
               f"(or the same files uncompressed) from any MNIST mirror into {root}, then call "
               f"load_mnist({str(root)!r}). Without them, load_mnist() loads the subset that ships with cnnlib.")
    network_only = all(isinstance(err, (urllib.error.URLError, TimeoutError, ConnectionError))
                       and not isinstance(err, (urllib.error.HTTPError, _DeadlinePassed)) for _, err in failures)
    if network_only:
        return ConnectionError(f"Could not reach any mirror for {name}.gz; this machine appears to be "
                               f"offline.\n{reasons}\n{by_hand}")
    return RuntimeError(f"No mirror sent a valid copy of {name}.gz.\n{reasons}\n{by_hand}")


class _TextProgress:
    """Progress as plain text, for when tqdm is not installed."""

    def __init__(self, total, label):
        self.total, self.label, self.done, self.shown = total, label, 0, -1

    def update(self, n):
        self.done += n
        if self.total:
            percent = 100 * self.done // self.total
            if percent // 10 != self.shown // 10:
                self.shown = percent
                print(f"\r{self.label}: {percent}%", end="", file=sys.stderr, flush=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        print(f"\r{self.label}: {self.done} bytes", file=sys.stderr, flush=True)


class _NoProgress:
    def update(self, n):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def _progress_bar(progress, total, label):
    if not progress:
        return _NoProgress()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _TextProgress(total, label)
    return tqdm(total=total, desc=label, unit="B", unit_scale=True)


def _report(progress, message):
    if progress:
        print(message, file=sys.stderr)


SAMPLE_IMAGES = ("hopper", "checkerboard", "shapes", "step_edge", "gradient_ramp", "noisy_square")
_DRAWN_SIZE = (128, 128)
_MAX_SIDE = 4096


def sample_image(name, *, size=None, gray=True):
    """A float32 image in [0, 1] for trying kernels on (notebooks 02 and 03).

    Names (``SAMPLE_IMAGES``):
      - "hopper": photograph of Grace Hopper (public domain, U.S. Navy), 600 x 512 natively.
      - "checkerboard": 8 x 8 squares; blur greys the borders, edge kernels trace them.
      - "shapes": a disc, a square and a triangle in three colours on a dark background.
      - "step_edge": dark left half, light right half; Sobel x fires along the edge, Sobel y stays 0.
      - "gradient_ramp": brightness rising linearly left to right; a Laplacian gives zero inside.
      - "noisy_square": a light square under Gaussian noise (seeded); blurring removes the noise.
    The drawn images are 128 x 128 unless ``size`` is given.

    ``size``: an int n for n x n, or (height, width). Drawn images are drawn at that size; the
    photograph is centre-cropped to the requested aspect ratio (so nothing is stretched) and
    resampled by area averaging. Returns H x W if ``gray`` (luminance 0.299 R + 0.587 G + 0.114 B)
    else H x W x 3 RGB.
    """
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"name must be one of {', '.join(SAMPLE_IMAGES)}; got {name!r}")
    if not isinstance(gray, bool):
        raise TypeError(f"gray must be True or False, got {gray!r}")
    if size is not None:
        size = as_pair(size, "size", as_positive_int)
        if max(size) > _MAX_SIDE:
            raise ValueError(f"size must be at most {_MAX_SIDE} pixels per side, got {size[0]}x{size[1]}")

    if name == "hopper":
        rgb = _hopper_rgb().astype(np.float32) / np.float32(255)
        if size is not None:
            rgb = _resize_area(rgb, size)
    else:
        rgb = _DRAWINGS[name](*(size or _DRAWN_SIZE))
    if gray:
        rgb = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.clip(rgb, 0, 1).astype(np.float32)


def _resize_area(image, size):
    """Centre-crop ``image`` (H x W or H x W x C) to the aspect ratio of ``size`` = (h, w), then
    resample so each output pixel is the mean of the source area it covers:
    out = R_h @ image @ R_w^T, where row i of R_h weights source row j by the overlap of
    [j, j+1) with output row i's span [i H/h, (i+1) H/h), divided by H/h."""
    height, width = image.shape[:2]
    out_h, out_w = size
    if height * out_w > width * out_h:
        crop_h, crop_w = max(1, round(width * out_h / out_w)), width
    else:
        crop_h, crop_w = height, max(1, round(height * out_w / out_h))
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    cropped = image[top:top + crop_h, left:left + crop_w]
    rows, cols = _area_weights(crop_h, out_h), _area_weights(crop_w, out_w)
    resampled_rows = np.tensordot(rows, cropped, axes=1)                       # h x W (x C)
    resampled = np.moveaxis(np.tensordot(cols, resampled_rows, axes=(1, 1)), 0, 1)  # h x w (x C)
    return resampled.astype(image.dtype)


def _area_weights(n_in, n_out):
    """n_out x n_in matrix: overlap of each source cell with each output cell, rows summing to 1."""
    edges = np.arange(n_out + 1) * (n_in / n_out)
    starts, ends = edges[:-1, None], edges[1:, None]
    cells = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(ends, cells + 1) - np.maximum(starts, cells), 0, None)
    return (overlap / overlap.sum(axis=1, keepdims=True)).astype(np.float32)


@functools.lru_cache(maxsize=1)
def _hopper_rgb():
    path = data_dir() / HOPPER_FILE
    content = _read_verified(path, _HOPPER_SHA256, "scripts/build_sample_images.py")
    with np.load(io.BytesIO(content), allow_pickle=False) as npz:
        image = npz["image"]
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"{path}: 'image' must be uint8 H x W x 3, got {image.dtype} {image.shape}")
    image.flags.writeable = False
    return image


def _pixel_grid(height, width):
    """Row and column coordinates of pixel centres, scaled by the shorter side so shapes stay round."""
    scale = min(height, width)
    rows = (np.arange(height, dtype=np.float32)[:, None] + 0.5 - height / 2) / scale
    cols = (np.arange(width, dtype=np.float32)[None, :] + 0.5 - width / 2) / scale
    return rows, cols


def _as_rgb(gray_image):
    return np.repeat(gray_image[:, :, None], 3, axis=2).astype(np.float32)


def _checkerboard(height, width):
    square = max(1, min(height, width) // 8)
    rows, cols = np.indices((height, width))
    return _as_rgb((rows // square + cols // square) % 2)


def _step_edge(height, width):
    # 0.25 and 0.75 leave headroom, so the overshoot a sharpen kernel adds stays visible.
    cols = np.arange(width)[None, :]
    return _as_rgb(np.where(cols < width // 2, 0.25, 0.75) * np.ones((height, 1)))


def _gradient_ramp(height, width):
    ramp = np.linspace(0, 1, width) if width > 1 else np.zeros(1)
    return _as_rgb(np.tile(ramp, (height, 1)))


def _shapes(height, width):
    rows, cols = _pixel_grid(height, width)
    image = np.full((height, width, 3), 0.1, dtype=np.float32)
    disc = (rows + 0.18) ** 2 + (cols + 0.22) ** 2 < 0.17 ** 2
    square = (np.abs(rows + 0.18) < 0.14) & (np.abs(cols - 0.22) < 0.14)
    triangle = (rows > 0.04) & (rows < 0.36) & (np.abs(cols) < (rows - 0.04) * 0.6)
    image[disc] = (1.0, 0.85, 0.2)
    image[square] = (0.2, 0.6, 1.0)
    image[triangle] = (0.9, 0.2, 0.2)
    return image


def _noisy_square(height, width):
    rows, cols = _pixel_grid(height, width)
    square = np.where((np.abs(rows) < 0.25) & (np.abs(cols) < 0.25), 0.8, 0.2)
    noise = np.random.default_rng(0).normal(0, 0.1, size=(height, width))
    return _as_rgb(np.clip(square + noise, 0, 1))


_DRAWINGS = {
    "checkerboard": _checkerboard,
    "shapes": _shapes,
    "step_edge": _step_edge,
    "gradient_ramp": _gradient_ramp,
    "noisy_square": _noisy_square,
}
