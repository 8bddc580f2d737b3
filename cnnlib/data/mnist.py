"""MNIST: the subset shipped in ``data/``, the full IDX files from a folder, and downloading them.

- ``load_mnist`` returns the stratified subset shipped in ``data/`` (10 x 1,000 training and
  10 x 200 test images) or, given a folder, the full MNIST files verified by sha256.
- ``download_mnist`` fetches the full files from public mirrors into a folder of your choice;
  nothing touches the network unless it is called.
"""
import hashlib
import http.client
import io
import numbers
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np

from .._checks import as_positive_int
from ..progress import progress_bar
from ._files import _read_verified, data_dir
from .idx import _file_sha256, _read_idx_and_sha256

__all__ = ["load_mnist", "download_mnist", "MNIST_FILES", "MNIST_MIRRORS", "SUBSET_FILE"]

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
_SUBSET_SIZE = 2003043             # bytes, as data/README.md lists: checked before anything is read
_SUBSET_KEYS = ("x_train", "y_train", "x_test", "y_test", "train_indices", "test_indices")

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

    Inputs:   root       None (the shipped subset) or a folder (str or Path) with the four IDX files
              normalize  True for float32 in [0, 1], False for uint8 0..255
              pad_to     None (28 x 28) or the side to pad to, e.g. 32 for LeNet-5
    Returns:  ((x_train, y_train), (x_test, y_test)): x N x 1 x H x W, y (N,) int64 digits;
              N = 10,000 and 2,000 for the subset, 60,000 and 10,000 for the full files.

    >>> (x_train, y_train), (x_test, y_test) = load_mnist(pad_to=32)
    >>> x_train.shape, x_train.dtype, y_test.shape
    ((10000, 1, 32, 32), dtype('float32'), (2000,))
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
    content = _read_verified(path, _SUBSET_SHA256, _SUBSET_SIZE, "scripts/build_mnist_subset.py")
    with np.load(io.BytesIO(content), allow_pickle=False) as npz:
        if sorted(npz.files) != sorted(_SUBSET_KEYS):
            raise ValueError(f"{path}: expected the arrays {', '.join(_SUBSET_KEYS)}, found {', '.join(npz.files)}")
        arrays = {key: npz[key] for key in _SUBSET_KEYS}
    for split in ("train", "test"):
        _check_mnist_pair(arrays[f"x_{split}"], arrays[f"y_{split}"], f"{path} ({split})")
        if arrays[f"{split}_indices"].shape != arrays[f"y_{split}"].shape:
            raise ValueError(f"{path}: {split}_indices must have one entry per {split} image")
    return arrays["x_train"], arrays["y_train"], arrays["x_test"], arrays["y_test"]


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
    one. It is written to a temporary file of its own in ``root`` (``.<name>.gz.<random>.part``)
    and renamed into place only when it is complete and verified, so an interrupted or corrupted
    download leaves nothing that looks like MNIST, and two downloads into the same folder (two
    notebooks, two students sharing it) never touch each other's temporary files. ``load_mnist``
    never reads ``.part`` files; a run whose process was killed may leave one behind, which is
    safe to delete once no download is running. Files already present and valid are skipped.
    New files get the usual permissions for your umask (0644 for umask 022), so others sharing
    the folder can read them.

    ``timeout`` (seconds) bounds every single network wait; ``deadline`` (seconds, default 600)
    bounds each file's whole download from one mirror, from connecting (the host name lookup
    aside, which the operating system bounds) through the response headers to the last byte, so
    a mirror that trickles bytes slowly enough to never trip ``timeout`` is abandoned (the next
    mirror is tried). Both must be positive and at most a day (86400 s). Raises
    ``ConnectionError`` when no mirror can be reached (offline), and ``RuntimeError`` when
    mirrors answer but none sends a valid file in time; the message lists what each mirror did.

    Inputs:   root      the folder to download into (str or Path; created if missing)
              mirrors   a list of base URLs, default ``MNIST_MIRRORS``
              progress  True to show a progress bar per file
              timeout   seconds for any single network wait;  deadline  seconds per file and mirror
    Returns:  ``root`` as a pathlib.Path, holding the four MNIST files (``MNIST_FILES``), verified:
              the .gz files it fetched, or valid copies that were already there; ready for
              ``load_mnist(root)``.

    Arguments are checked before anything is created or fetched, so these examples stay offline:

    >>> download_mnist("mnist", mirrors="https://ossci-datasets.s3.amazonaws.com/mnist/")
    Traceback (most recent call last):
    ...
    TypeError: mirrors must be a list of base URLs, got a single string; wrap it in a list
    >>> download_mnist("mnist", timeout=float("inf"))
    Traceback (most recent call last):
    ...
    ValueError: timeout must be a positive number of seconds, at most 86400 (a day), got inf
    """
    root = Path(root).expanduser()
    mirrors = _check_mirrors(MNIST_MIRRORS if mirrors is None else mirrors)
    timeout = _check_seconds(timeout, "timeout")
    deadline = _check_seconds(deadline, "deadline")
    root.mkdir(parents=True, exist_ok=True)

    for name in MNIST_FILES:
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


# The longest timeout or deadline accepted: longer waits are not useful for 10 MB, and the
# operating system's timers refuse values much larger than this (OverflowError for inf).
_MAX_WAIT_SECONDS = 86400


def _check_seconds(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.number)) \
            or not 0 < value <= _MAX_WAIT_SECONDS:          # False for nan as well
        raise ValueError(f"{name} must be a positive number of seconds, at most {_MAX_WAIT_SECONDS} (a day), "
                         f"got {value!r}")
    return float(value)


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


class _Watchdog:
    """Ends one download at its deadline, wherever it is waiting: connecting, in the TLS
    handshake, for the response headers or for the body.

    A socket timeout bounds each single wait, not their sum: a server sending one header byte
    every 0.3 s never trips it. So the watchdog keeps a duplicate of every socket the download
    opens and, when the deadline passes, shuts the connection down from a timer thread; the
    waiting read then returns at once and the download reports the deadline. A duplicate (not
    the socket itself) because TLS takes the original over, and because the watchdog closes its
    own duplicates when the download ends, so it can never touch a socket it no longer owns."""

    def __init__(self, deadline):
        self.deadline, self.started, self.fired = deadline, time.monotonic(), False
        self._lock, self._sockets, self._closed = threading.Lock(), [], False
        self._timer = threading.Timer(deadline, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def elapsed(self):
        return time.monotonic() - self.started

    def bounded(self, timeout):
        """``timeout`` shortened to the time left (a connection attempt must not outlast it)."""
        left = self.deadline - self.elapsed()
        if left <= 0:
            raise _DeadlinePassed("the deadline passed before connecting")
        return left if timeout is None else min(timeout, left)

    def watch(self, sock):
        with self._lock:
            if self.fired or self._closed:
                sock.close()
                raise _DeadlinePassed("the deadline passed while connecting")
            self._sockets.append(sock.dup())

    def _fire(self):
        with self._lock:
            if self._closed:
                return
            self.fired = True
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass                                 # already closed by the server

    def close(self):
        self._timer.cancel()
        with self._lock:
            self._closed = True
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


def _watched_connection(http_class, watchdog):
    """``http_class`` (HTTPConnection or HTTPSConnection) with its sockets handed to ``watchdog``."""

    class WatchedConnection(http_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._create_connection = self._create_watched

        @staticmethod
        def _create_watched(address, timeout=None, *args, **kwargs):
            sock = socket.create_connection(address, watchdog.bounded(timeout), *args, **kwargs)
            watchdog.watch(sock)
            return sock

    return WatchedConnection


def _watched_opener(watchdog):
    """A urllib opener (proxies and redirects as usual) whose connections ``watchdog`` can end."""

    class HTTPHandler(urllib.request.HTTPHandler):
        def do_open(self, http_class, request, **kwargs):
            return super().do_open(_watched_connection(http_class, watchdog), request, **kwargs)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def do_open(self, http_class, request, **kwargs):
            return super().do_open(_watched_connection(http_class, watchdog), request, **kwargs)

    return urllib.request.build_opener(HTTPHandler, HTTPSHandler)


def _temporary_file(destination):
    """A new, empty temporary file beside ``destination`` that belongs to this download alone.

    Like tempfile.mkstemp (a random name created with O_EXCL, so no two downloads share one) but
    with mode 0o666, which the umask turns into the permissions of any new file (0644 for the usual
    022), so others sharing the folder can read the result; mkstemp would give 0600."""
    for _ in range(100):
        temporary = destination.parent / f".{destination.name}.{os.getpid()}-{os.urandom(6).hex()}.part"
        try:
            return temporary, os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                                      0o666)
        except FileExistsError:
            continue
    raise FileExistsError(f"could not create a temporary file beside {destination}")


def _download_verified(url, destination, expected_sha256, timeout, deadline, progress):
    """Fetch ``url`` into a temporary file of its own beside ``destination``; rename it there
    only once its sha256 matches. Any failure removes that temporary file (and no other) and
    raises; so does taking longer than ``deadline`` seconds in all, headers included."""
    temporary, handle = _temporary_file(destination)
    watchdog = _Watchdog(deadline)
    received, total, headers_read = 0, None, False

    def too_slow():
        expected = f" of {total}" if total is not None else ""
        waiting = (f"with {received}{expected} bytes received" if headers_read
                   else "waiting for the response headers")
        return _DeadlinePassed(f"gave up after {watchdog.elapsed():.1f} s (deadline={deadline:g} s) "
                               f"{waiting}; the mirror is too slow")

    try:
        with os.fdopen(handle, "wb") as out, _watched_opener(watchdog).open(url, timeout=timeout) as response:
            # A connection shut down mid-headers looks like headers that ended early: not read.
            headers_read = not watchdog.fired
            total = response.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            sha = hashlib.sha256()
            with progress_bar(total, f"{destination.name} <- {url}", unit="B", show=progress) as bar:
                # read1 returns whatever one socket read brings, so each loop is one bounded wait.
                for chunk in iter(lambda: response.read1(1 << 16), b""):
                    received += len(chunk)
                    if received > _MAX_DOWNLOAD_BYTES:
                        raise ValueError(f"{url} sent more than {_MAX_DOWNLOAD_BYTES} bytes")
                    sha.update(chunk)
                    out.write(chunk)
                    bar.update(len(chunk))
                    if watchdog.elapsed() > deadline:
                        raise too_slow()
            if watchdog.fired:                          # the watchdog ended the body early
                raise too_slow()
            if total is not None and received != total:
                raise ValueError(f"{url}: download ended after {received} of {total} bytes")
            out.flush()
            os.fsync(out.fileno())
        if sha.hexdigest() != expected_sha256:
            raise ValueError(f"{url}: sha256 {sha.hexdigest()} does not match the published {expected_sha256}")
        os.replace(temporary, destination)
    except Exception as err:
        if (watchdog.fired or watchdog.elapsed() > deadline) and not isinstance(err, _DeadlinePassed):
            # The connection was shut down at the deadline; whatever broke next is the deadline's doing.
            raise too_slow() from err
        raise
    finally:
        watchdog.close()
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


def _report(progress, message):
    if progress:
        print(message, file=sys.stderr)
