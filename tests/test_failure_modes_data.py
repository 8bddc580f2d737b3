"""Hostile and mistaken files: decompression bombs in IDX and .npz files, weights files saved
under one name and loaded under another, of the wrong type, damaged, NaN, or not files at all;
downloads from slow mirrors and two downloads into one folder; an oversized shipped data file.
Each case must end in a quick, clear error, without inflating the data it describes and without
leaving anything half changed."""
import gzip
import hashlib
import http.server
import os
import pickle
import re
import struct
import threading
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

import cnnlib.data as data
import cnnlib.data.mnist as mnist_module
import cnnlib.data.samples as samples_module
from cnnlib.data import load_mnist, read_idx
from cnnlib.nn import Dense, ReLU, Sequential, load_weights, save_weights
from memory import Measured

MiB = 2**20


def gzip_of_zeros(header, n_zeros):
    """A gzip stream of ``header`` then ``n_zeros`` zero bytes, compressed 1 MiB at a time
    (so the test never holds the inflated data: ~1 KB of output per MiB of zeros)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)   # wbits 31: gzip container
    pieces = [packer.compress(header)]
    chunk = bytes(MiB)
    for start in range(0, n_zeros, MiB):
        pieces.append(packer.compress(chunk[:min(MiB, n_zeros - start)]))
    pieces.append(packer.flush())
    return b"".join(pieces)


def idx_header(type_code, shape):
    return bytes([0, 0, type_code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)




@pytest.mark.slow
def test_a_254_kb_gzip_declaring_256_mib_is_refused_before_inflating(tmp_path):
    # The bomb: every byte of the 256 MiB is really there, compressed to ~254 KB.
    content = gzip_of_zeros(idx_header(0x08, (256, 1024, 1024)), 256 * MiB)
    assert len(content) < 300_000
    path = tmp_path / "bomb-idx3-ubyte.gz"
    path.write_bytes(content)
    with Measured() as measured, pytest.raises(ValueError) as err:
        read_idx(path)
    message = str(err.value)
    assert "bomb-idx3-ubyte.gz" in message and "256 x 1024 x 1024 uint8 values (256.0 MiB)" in message
    assert "more than the limit of 128.0 MiB" in message and "max_bytes" in message
    assert measured.peak < MiB


def test_a_header_declaring_2_to_the_31_values_reads_nothing_of_the_body(tmp_path):
    path = tmp_path / "claims-2gib.gz"
    path.write_bytes(gzip_of_zeros(idx_header(0x08, (2**31,)), 8 * MiB))
    with Measured() as measured, pytest.raises(ValueError, match=r"2147483648 uint8 values \(2\.0 GiB\)"):
        read_idx(path)
    assert measured.peak < MiB        # reading the 8 MiB of zeros would show here


def test_the_limit_is_a_keyword_a_user_can_raise(tmp_path):
    array = np.arange(2 * MiB, dtype=np.uint8)
    path = tmp_path / "two-mib.gz"
    path.write_bytes(gzip.compress(idx_header(0x08, array.shape) + array.tobytes(), compresslevel=1))
    with pytest.raises(ValueError, match=r"2\.0 MiB\), more than the limit of 1\.0 MiB"):
        read_idx(path, max_bytes=MiB)
    np.testing.assert_array_equal(read_idx(path, max_bytes=2 * MiB), array)
    with pytest.raises(ValueError, match="max_bytes must be at least 1"):
        read_idx(path, max_bytes=0)
    with pytest.raises(TypeError, match="max_bytes must be an integer"):
        read_idx(path, max_bytes=1e9)


def test_reading_stops_at_the_declared_size_and_trailing_bytes_are_an_error(tmp_path):
    # Ten declared bytes followed by 64 MiB of zeros: one byte past the data is enough to refuse.
    path = tmp_path / "tail.gz"
    path.write_bytes(gzip_of_zeros(idx_header(0x08, (10,)), 10 + 64 * MiB))
    with Measured() as measured, pytest.raises(ValueError, match="trailing bytes after the 10 bytes"):
        read_idx(path)
    assert measured.peak < MiB


def test_load_mnist_checks_the_header_against_mnist_before_inflating(tmp_path):
    # Ten times MNIST's training images declared; the first 8 MiB of zeros present.
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip_of_zeros(idx_header(0x08, (600000, 28, 28)), 8 * MiB))
    for name in data.MNIST_FILES[1:]:
        (tmp_path / f"{name}.gz").write_bytes(b"not yet read")
    with Measured() as measured, pytest.raises(ValueError) as err:
        load_mnist(tmp_path)
    assert "header says 600000 x 28 x 28 uint8 values, but this MNIST file holds 60000 x 28 x 28" in str(err.value)
    assert measured.peak < MiB


def test_load_mnist_never_inflates_more_than_mnist_itself(tmp_path):
    # A bomb with MNIST's own header: inflated (47 MB, the size of the real file) but then rejected.
    header = idx_header(0x08, (60000, 28, 28))
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip_of_zeros(header, 60000 * 784 + 1))
    for name in data.MNIST_FILES[1:]:
        (tmp_path / f"{name}.gz").write_bytes(b"not yet read")
    with pytest.raises(ValueError, match="trailing bytes after the 47040000 bytes"):
        load_mnist(tmp_path)


def small_model():
    return Sequential(Dense(4, 3), ReLU(), Dense(3, 2))


def write_npz_member(archive, name, shape, dtype="<f4", n_bytes=None):
    """An .npy member of ``shape`` whose data is zeros, streamed in (so a bomb costs the test nothing)."""
    with archive.open(name, "w", force_zip64=True) as member:
        np.lib.format.write_array_header_1_0(member, {"descr": dtype, "fortran_order": False, "shape": shape})
        remaining = int(np.prod(shape)) * np.dtype(dtype).itemsize if n_bytes is None else n_bytes
        chunk = bytes(MiB)
        while remaining > 0:
            member.write(chunk[:min(MiB, remaining)])
            remaining -= MiB


def model_npz(path, model, extra=()):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, param in model.named_parameters():
            write_npz_member(archive, f"{name}.npy", param.shape)
        for name, shape in extra:
            write_npz_member(archive, name, shape)


def test_load_weights_checks_member_names_before_unpacking_any(tmp_path):
    path = tmp_path / "extra.npz"
    model_npz(path, small_model(), extra=[("evil.npy", (8 * MiB,))])   # 64 MiB of float64 zeros, ~64 KB on disk
    assert path.stat().st_size < MiB
    with Measured() as measured, pytest.raises(ValueError, match="does not fit this model: unexpected evil"):
        load_weights(small_model(), path)
    assert measured.peak < MiB


def test_load_weights_checks_shapes_before_unpacking_any(tmp_path):
    model = small_model()
    path = tmp_path / "huge-weight.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, param in model.named_parameters():
            write_npz_member(archive, f"{name}.npy", (4096, 4096) if name == "0.weight" else param.shape)
    wrong_shape = r"wrong shape 0\.weight: file \(4096, 4096\), model \(3, 4\)"
    with Measured() as measured, pytest.raises(ValueError, match=wrong_shape):
        load_weights(model, path)
    assert measured.peak < MiB


def test_load_weights_refuses_a_member_that_is_not_numbers(tmp_path):
    model = small_model()
    path = tmp_path / "objects.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for name, param in model.named_parameters():
            write_npz_member(archive, f"{name}.npy", param.shape, dtype="|O" if name == "2.bias" else "<f4",
                             n_bytes=0 if name == "2.bias" else None)
    with pytest.raises(ValueError, match=r"not numbers 2\.bias \(object\)"):
        load_weights(model, path)


def test_save_and_load_agree_on_a_name_without_npz(tmp_path, monkeypatch):
    trained, fresh = small_model(), small_model()
    for _, param in trained.named_parameters():
        param[...] = np.random.default_rng(1).normal(size=param.shape)
    written = save_weights(trained, tmp_path / "w")
    assert written == str(tmp_path / "w.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.npz"]
    load_weights(fresh, tmp_path / "w")
    for (_, a), (_, b) in zip(trained.named_parameters(), fresh.named_parameters()):
        np.testing.assert_array_equal(a, b)
    monkeypatch.chdir(tmp_path)
    load_weights(small_model(), "w.npz")                 # with the suffix too, and as a str
    save_weights(trained, "v1.weights")                  # a name with another suffix gets .npz added
    assert (tmp_path / "v1.weights.npz").is_file()
    load_weights(small_model(), "v1.weights")


@pytest.mark.parametrize("content, kind", [
    (b"0.weight 0.1 0.2 0.3\n", "it is a text file beginning '0.weight 0.1 0.2 0.3"),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "it is a PNG image"),
    (pickle.dumps({"0.weight": [1.0]}), "it is a Python pickle"),
    (b"", "it is empty"),
    (gzip.compress(b"abc", mtime=0), "it is gzip-compressed"),      # mtime=0: one test id everywhere
    (bytes(range(200, 216)), "it begins with the bytes c8 c9"),
])
def test_a_file_of_the_wrong_type_is_named_for_what_it_is(tmp_path, content, kind):
    path = tmp_path / "weights.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError) as err:
        load_weights(small_model(), path)
    message = str(err.value)
    assert "weights.npz is not a weights file" in message and "the .npz archive save_weights writes" in message
    assert kind in message


def test_a_single_npy_array_and_a_damaged_archive(tmp_path):
    np.save(tmp_path / "one.npy", np.zeros(3))
    (tmp_path / "one.npz").write_bytes((tmp_path / "one.npy").read_bytes())
    with pytest.raises(ValueError, match=r"a single \.npy array \(np\.save writes those\)"):
        load_weights(small_model(), tmp_path / "one.npz")
    save_weights(small_model(), tmp_path / "cut.npz")
    content = (tmp_path / "cut.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(content[: len(content) // 2])
    with pytest.raises(ValueError, match=r"cut\.npz is a damaged \.npz archive"):
        load_weights(small_model(), tmp_path / "cut.npz")


def test_weights_path_must_be_a_file_name(tmp_path):
    with pytest.raises(TypeError, match="path must be a file name"):
        save_weights(small_model(), 42)
    with pytest.raises(TypeError, match="path must be a file name"):
        load_weights(small_model(), None)


# --- issue 21, item 4: load_weights is all or nothing; save_weights names a real file and a model ---

def npz_with_short_last_array(path, model, fill=7.0):
    """Every array of ``model`` present and filled with ``fill``, except the last, whose header is
    right but whose data is 8 bytes short: only reading that last array can notice."""
    names = [name for name, _ in model.named_parameters()]
    with zipfile.ZipFile(path, "w") as archive:
        for name, param in model.named_parameters():
            with archive.open(f"{name}.npy", "w") as member:
                data_bytes = np.full(param.shape, fill, dtype="<f4").tobytes()
                np.lib.format.write_array_header_1_0(member, {"descr": "<f4", "fortran_order": False,
                                                              "shape": param.shape})
                member.write(data_bytes[:-8] if name == names[-1] else data_bytes)


def test_load_weights_that_fail_on_the_last_array_leave_the_model_untouched(tmp_path):
    model = small_model()
    before = [p.copy() for _, p in model.named_parameters()]
    npz_with_short_last_array(tmp_path / "short.npz", model)
    with pytest.raises(ValueError, match=r"short\.npz is a damaged \.npz archive"):
        load_weights(model, tmp_path / "short.npz")
    for (name, p), old in zip(model.named_parameters(), before):
        np.testing.assert_array_equal(p, old, err_msg=f"{name} was overwritten by a load that failed")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_load_weights_refuses_nan_and_inf_naming_the_array(tmp_path, bad):
    model = small_model()
    before = [p.copy() for _, p in model.named_parameters()]
    arrays = {name: np.full(p.shape, bad, dtype=p.dtype) if name == "2.weight" else np.zeros_like(p)
              for name, p in model.named_parameters()}
    np.savez(tmp_path / "diverged.npz", **arrays)
    with pytest.raises(ValueError, match=r"diverged\.npz: 2\.weight holds NaN or infinite values \(6 of 6\)"):
        load_weights(model, tmp_path / "diverged.npz")
    for (name, p), old in zip(model.named_parameters(), before):
        np.testing.assert_array_equal(p, old, err_msg=name)


def test_load_weights_refuses_a_value_that_overflows_the_models_dtype(tmp_path):
    model = small_model()                                        # float32 weights
    arrays = {name: np.zeros(p.shape) for name, p in model.named_parameters()}
    arrays["0.bias"] = np.full(3, 1e300)                         # finite in float64, inf in float32
    np.savez(tmp_path / "huge.npz", **arrays)
    with pytest.raises(ValueError, match=r"0\.bias holds NaN or infinite values \(3 of 3\) as float32"):
        load_weights(model, tmp_path / "huge.npz")


def load_in_a_thread(model, path):
    """load_weights(model, path) in a daemon thread: what it raised, and whether it is still blocked."""
    outcome = {}

    def run():
        try:
            load_weights(model, path)
            outcome["error"] = None
        except BaseException as err:                      # noqa: B902 (reported to the test)
            outcome["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)                                      # a hang guard: the assertion is about the error
    return thread, outcome


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
def test_load_weights_refuses_a_named_pipe_instead_of_blocking_on_it(tmp_path):
    fifo = tmp_path / "w.npz"
    os.mkfifo(fifo)
    thread, outcome = load_in_a_thread(small_model(), fifo)
    try:
        assert not thread.is_alive(), "load_weights blocked on a named pipe"
        assert isinstance(outcome["error"], ValueError)
        message = str(outcome["error"])
        assert "w.npz is a named pipe (FIFO), not a weights file" in message
    finally:
        if thread.is_alive():                            # release the blocked open: a writer, then EOF
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            thread.join(10)


def test_load_weights_refuses_a_folder_and_a_device(tmp_path):
    (tmp_path / "folder.npz").mkdir()
    with pytest.raises(ValueError, match=r"folder\.npz is a folder, not a weights file"):
        load_weights(small_model(), tmp_path / "folder")
    if os.path.exists("/dev/zero"):
        (tmp_path / "zeros.npz").symlink_to("/dev/zero")
        with pytest.raises(ValueError, match=r"zeros\.npz is a device, not a weights file"):
            load_weights(small_model(), tmp_path / "zeros.npz")


@pytest.mark.parametrize("path", ["", ".npz", "sub/", "sub/.npz", "."])
def test_save_weights_refuses_a_name_that_names_no_file(tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    with pytest.raises(ValueError, match=r"path must name a file, e\.g\. 'lenet5' or 'weights/lenet5\.npz', got"):
        save_weights(small_model(), path)
    with pytest.raises(ValueError, match="path must name a file"):
        load_weights(small_model(), path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["sub"]      # no hidden .npz written anywhere


@pytest.mark.parametrize("model, found", [
    (None, "got NoneType"),
    ("w.npz", "got str; the order is save_weights(model, path)"),
    (Dense, "got the class Dense: create a model first, e.g. Dense(...)"),
    (np.zeros(3), "got ndarray"),
])
def test_save_and_load_weights_refuse_what_is_not_a_model(tmp_path, model, found):
    with pytest.raises(TypeError) as err:
        save_weights(model, tmp_path / "w")
    assert "model must be a cnnlib.nn layer or model" in str(err.value) and found in str(err.value)
    assert list(tmp_path.iterdir()) == []
    save_weights(small_model(), tmp_path / "w")
    with pytest.raises(TypeError, match="model must be a cnnlib.nn layer or model"):
        load_weights(model, tmp_path / "w")


def test_save_weights_never_leaves_a_half_written_file(tmp_path, monkeypatch):
    good = small_model()
    save_weights(good, tmp_path / "w")
    saved = (tmp_path / "w.npz").read_bytes()

    def fails_halfway(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", fails_halfway)
    with pytest.raises(KeyboardInterrupt):
        save_weights(small_model(), tmp_path / "w")
    assert (tmp_path / "w.npz").read_bytes() == saved              # the old file, whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.npz"]  # and no temporary file left


# --- issue 21, item 5: downloads are bounded end to end and leave each other's files alone -------

class SlowMirror(http.server.BaseHTTPRequestHandler):
    """/headers/...: a status line, then one header byte every 0.3 s (for at most 20 s);
    /half/...: half of the served file, then the rest once the test sets ``proceed``;
    anything else: the served file."""

    def do_GET(self):
        server = self.server
        name = self.path.rsplit("/", 1)[-1]
        if self.path.startswith("/headers/"):
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for byte in b"X-Slow: " + b"a" * 200:
                if server.release.wait(0.3):
                    return
                try:
                    self.wfile.write(bytes([byte]))
                except OSError:
                    return
            return
        content = server.files.get(name)
        if content is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.path.startswith("/half/"):
            self.wfile.write(content[: len(content) // 2])
            self.wfile.flush()
            server.half_sent.set()
            server.proceed.wait(20)
            self.wfile.write(content[len(content) // 2:])
        else:
            self.wfile.write(content)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_mirror():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowMirror)
    server.daemon_threads = True
    server.files = {}
    server.release, server.half_sent, server.proceed = threading.Event(), threading.Event(), threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server, f"http://127.0.0.1:{server.server_address[1]}"
    server.release.set()
    server.proceed.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def small_mnist(monkeypatch):
    """Four tiny .gz files standing in for MNIST, with cnnlib's expected hashes pointed at them."""
    rng = np.random.default_rng(0)
    shapes = {"train-images-idx3-ubyte": (3, 28, 28), "train-labels-idx1-ubyte": (3,),
              "t10k-images-idx3-ubyte": (2, 28, 28), "t10k-labels-idx1-ubyte": (2,)}
    raw = {name: idx_header(0x08, shape) + rng.integers(0, 10, size=shape, dtype=np.uint8).tobytes()
           for name, shape in shapes.items()}
    packed = {f"{name}.gz": gzip.compress(content, mtime=0) for name, content in raw.items()}
    monkeypatch.setattr(mnist_module, "_MNIST_SHAPES", shapes)
    monkeypatch.setattr(mnist_module, "_MNIST_IDX_SHA256", {n: hashlib.sha256(c).hexdigest() for n, c in raw.items()})
    monkeypatch.setattr(mnist_module, "_MNIST_GZIP_SHA256",
                        {n[:-3]: hashlib.sha256(c).hexdigest() for n, c in packed.items()})
    return packed


@pytest.mark.slow
def test_a_mirror_that_trickles_its_headers_is_abandoned_at_the_deadline(tmp_path, slow_mirror):
    _, base = slow_mirror
    outcome = {}

    def run():
        try:
            data.download_mnist(tmp_path / "mnist", mirrors=[f"{base}/headers/"], progress=False,
                                timeout=1, deadline=2)
        except BaseException as err:                      # noqa: B902 (reported to the test)
            outcome["error"] = err

    started = time.monotonic()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(10)                 # a hang guard (the headers alone would take 60 s); the assertions follow
    assert not thread.is_alive(), "download_mnist(timeout=1, deadline=2) was still waiting for headers after 10 s"
    assert time.monotonic() - started < 10
    error = outcome.get("error")
    assert isinstance(error, RuntimeError), repr(error)          # a slow mirror, not "offline"
    message = str(error)
    assert re.search(r"gave up after 2\.\d s \(deadline=2 s\) waiting for the response headers", message), message
    assert "offline" not in message
    assert list((tmp_path / "mnist").iterdir()) == []


def test_two_downloads_into_one_folder_leave_each_others_files_alone(tmp_path, slow_mirror, small_mnist):
    server, base = slow_mirror
    server.files.update(small_mnist)
    root = tmp_path / "mnist"
    outcome = {}

    def first_download():
        try:
            data.download_mnist(root, mirrors=[f"{base}/half/"], progress=False, timeout=20, deadline=30)
            outcome["error"] = None
        except BaseException as err:                      # noqa: B902 (reported to the test)
            outcome["error"] = err

    thread = threading.Thread(target=first_download, daemon=True)
    thread.start()
    assert server.half_sent.wait(10), "the first download never started"
    own_part = [p.name for p in root.iterdir() if p.name.endswith(".part")]
    assert len(own_part) == 1                                    # the first download's file, half written

    data.download_mnist(root, mirrors=[f"{base}/full/"], progress=False)     # a second run, meanwhile
    assert (root / own_part[0]).exists(), "the second download deleted the first one's temporary file"

    server.proceed.set()
    thread.join(20)
    assert not thread.is_alive()
    assert outcome["error"] is None, f"the first download failed: {outcome['error']!r}"
    assert sorted(p.name for p in root.iterdir()) == sorted(small_mnist)     # no temporary file left
    for name, content in small_mnist.items():
        assert (root / name).read_bytes() == content


@pytest.mark.parametrize("argument", ["timeout", "deadline"])
@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e12, np.inf])
def test_download_refuses_an_infinite_or_absurd_timeout_and_deadline(tmp_path, argument, value):
    with pytest.raises(ValueError, match=rf"{argument} must be a positive number of seconds, at most 86400"):
        data.download_mnist(tmp_path / "mnist", mirrors=["http://127.0.0.1:9/"], progress=False, **{argument: value})
    assert not (tmp_path / "mnist").exists()                     # refused before anything was created


def test_download_accepts_numpy_numbers_for_timeout_and_deadline(tmp_path, slow_mirror, small_mnist):
    server, base = slow_mirror
    server.files.update(small_mnist)
    data.download_mnist(tmp_path / "mnist", mirrors=[f"{base}/full/"], progress=False,
                        timeout=np.float32(5), deadline=np.int64(30))
    assert sorted(p.name for p in (tmp_path / "mnist").iterdir()) == sorted(small_mnist)


# --- issue 21, item 9b: the shipped files are checked by size before anything is read ------------

def test_an_oversized_shipped_file_is_refused_by_its_size_before_it_is_read(tmp_path, monkeypatch):
    readme = (Path(data.__file__).resolve().parents[2] / "data" / "README.md").read_text(encoding="utf-8")
    for name, size in ((data.SUBSET_FILE, mnist_module._SUBSET_SIZE), (data.HOPPER_FILE, samples_module._HOPPER_SIZE)):
        assert re.search(rf"^\| `{re.escape(name)}` \| {size} \|", readme, re.MULTILINE), name
    with open(tmp_path / data.SUBSET_FILE, "wb") as f:       # 64 MiB, sparse: costs no disk
        f.truncate(64 * MiB)
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path))
    with Measured() as measured, pytest.raises(ValueError) as err:
        load_mnist()
    assert f"mnist_subset.npz is 67108864 bytes, but the shipped file is {mnist_module._SUBSET_SIZE}" in str(err.value)
    assert measured.peak < MiB

