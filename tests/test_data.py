"""Tests for cnnlib.data: IDX reading, MNIST (bundled subset, full files, download), sample images."""
import gzip
import hashlib
import http.server
import os
import re
import shutil
import socket
import struct
import stat
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import background

import cnnlib.data as data
import cnnlib.data.mnist as mnist_module
import cnnlib.data.samples as samples_module
from cnnlib.data import SAMPLE_IMAGES, download_mnist, load_mnist, read_idx, sample_image

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
SHARED_MNIST = REPO.parent / "shared" / "data" / "mnist"

# Class counts of full MNIST, as listed in ../shared/data/mnist/README.md.
FULL_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
FULL_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

IDX_TYPE_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(array):
    """The IDX encoding of ``array``, written from the format description (independent of cnnlib)."""
    array = np.asarray(array)
    header = bytes([0, 0, IDX_TYPE_CODES[array.dtype.type], array.ndim])
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path, content):
    path.write_bytes(content)
    return path


def _full_mnist_or_skip(folder):
    """The full MNIST files beside the checkout (../shared/data/mnist): a developer resource, not part
    of the repository. Where it is absent (a fresh clone, a user's CI, even with CI=true) the tests
    that need it are skipped, saying so; the shipped subset is tested without it."""
    if not folder.is_dir():
        pytest.skip(f"full MNIST folder {folder} is absent: it sits beside the checkout only on the "
                    f"project's development machines")
    return folder


@pytest.fixture
def shared_mnist():
    return _full_mnist_or_skip(SHARED_MNIST)


def test_without_the_full_mnist_folder_its_tests_skip_with_the_reason_even_on_ci(tmp_path, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.skip.Exception, match="full MNIST folder .*absent is absent"):
        _full_mnist_or_skip(tmp_path / "absent")
    assert _full_mnist_or_skip(tmp_path) == tmp_path


@pytest.mark.parametrize("dtype", list(IDX_TYPE_CODES))
@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_round_trips_every_type(tmp_path, dtype, compress):
    rng = np.random.default_rng(1)
    array = (rng.normal(size=(3, 4, 5)) * 100).astype(dtype)
    content = idx_bytes(array)
    path = write(tmp_path / "a.idx", gzip.compress(content) if compress else content)
    result = read_idx(path)
    assert result.shape == (3, 4, 5)
    assert result.dtype == np.dtype(dtype) and result.dtype.isnative
    np.testing.assert_array_equal(result, array)


def test_read_idx_reads_one_dimension_and_returns_a_writable_array(tmp_path):
    labels = np.arange(10, dtype=np.uint8)
    result = read_idx(write(tmp_path / "labels", idx_bytes(labels)))
    np.testing.assert_array_equal(result, labels)
    result[0] = 7
    assert result[0] == 7


def test_read_idx_detects_gzip_by_content_not_by_name(tmp_path):
    array = np.arange(12, dtype=np.int16).reshape(3, 4)
    raw_named_gz = write(tmp_path / "raw.gz", idx_bytes(array))
    gzip_named_raw = write(tmp_path / "packed-idx2-ubyte", gzip.compress(idx_bytes(array)))
    np.testing.assert_array_equal(read_idx(raw_named_gz), array)
    np.testing.assert_array_equal(read_idx(gzip_named_raw), array)


def test_read_idx_accepts_an_empty_dimension(tmp_path):
    result = read_idx(write(tmp_path / "empty", idx_bytes(np.zeros((0, 28, 28), dtype=np.uint8))))
    assert result.shape == (0, 28, 28)


VALID = idx_bytes(np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4))


@pytest.mark.parametrize("content, problem", [
    (b"", "only 0 bytes"),
    (b"\x00\x00\x08", "only 3 bytes"),
    (b"\x01\x00\x08\x01" + b"\x00" * 8, "not an IDX file"),
    (b"hello, this is plain text\n", "not an IDX file"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not an IDX file"),
    (b"\x00\x00\x0a\x01\x00\x00\x00\x01\x00", "unknown IDX type code 0x0A"),
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00", "truncated header"),
    (VALID[:-1], "truncated"),
    (VALID[:16], "truncated"),
    (VALID + b"\x00", "trailing bytes"),
])
@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_rejects_malformed_content(tmp_path, content, problem, compress):
    path = write(tmp_path / "bad-file.idx", gzip.compress(content) if compress else content)
    with pytest.raises(ValueError, match=re.escape(problem)) as err:
        read_idx(path)
    assert "bad-file.idx" in str(err.value)


def test_read_idx_rejects_a_text_file_named_gz(tmp_path):
    path = write(tmp_path / "train-images-idx3-ubyte.gz", b"<html>404 Not Found</html>")
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz: not an IDX file"):
        read_idx(path)


def test_read_idx_rejects_a_truncated_gzip_stream(tmp_path):
    packed = gzip.compress(VALID)
    path = write(tmp_path / "cut.gz", packed[: len(packed) // 2])
    with pytest.raises(ValueError, match="cut.gz: corrupt gzip data"):
        read_idx(path)


def test_read_idx_rejects_a_gzip_with_a_wrong_checksum(tmp_path):
    packed = bytearray(gzip.compress(VALID))
    packed[-8] ^= 0xFF  # the CRC32 of the content
    path = write(tmp_path / "crc.gz", bytes(packed))
    with pytest.raises(ValueError, match="crc.gz: corrupt gzip data"):
        read_idx(path)


def test_read_idx_rejects_corrupt_deflate_data(tmp_path):
    packed = bytearray(gzip.compress(np.random.default_rng(0).bytes(4000)))
    packed[20:40] = b"\xff" * 20
    path = write(tmp_path / "garbled.gz", bytes(packed))
    with pytest.raises(ValueError, match="garbled.gz"):
        read_idx(path)


# A raw file's size shows at once that it is truncated; a gzip file's size says nothing about
# its content, so there the header is refused for declaring more than read_idx's limit.
@pytest.mark.parametrize("compress, problem", [(False, "truncated"), (True, "more than the limit of 128.0 MiB")])
@pytest.mark.parametrize("content", [
    b"\x00\x00\x0e\x03" + b"\xee\x6b\x28\x00" * 3 + b"\x01" * 100,   # 4e9 x 4e9 x 4e9 float64
    b"\x00\x00\x08\x03" + b"\xff" * 12 + b"\x00" * 10,
])
def test_read_idx_rejects_huge_dimensions_without_allocating_them(tmp_path, compress, problem, content):
    path = write(tmp_path / "huge", gzip.compress(content) if compress else content)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=problem):
            read_idx(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20


def test_read_idx_leaves_a_missing_file_to_the_os(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope")


def test_read_idx_fuzz_gives_arrays_or_value_errors_only(tmp_path):
    """Random and mutated byte strings: read_idx returns an array that re-encodes to exactly the
    (decompressed) input, or raises ValueError. Nothing else, and no hang."""
    rng = np.random.default_rng(2024)
    base_arrays = [np.arange(60, dtype=np.uint8).reshape(3, 4, 5),
                   np.linspace(-1, 1, 6, dtype=np.float32),
                   np.arange(-8, 8, dtype=np.int16).reshape(4, 4)]
    cases = []
    for _ in range(250):
        cases.append(rng.bytes(int(rng.integers(0, 80))))
    for _ in range(150):
        header = bytes([0, 0, int(rng.choice([8, 9, 11, 12, 13, 14, 7, 255])), int(rng.integers(0, 5))])
        cases.append(header + rng.bytes(int(rng.integers(0, 60))))
    for _ in range(400):
        content = bytearray(idx_bytes(base_arrays[int(rng.integers(len(base_arrays)))]))
        if rng.random() < 0.3:
            content = bytearray(gzip.compress(bytes(content), mtime=0))
        kind = rng.integers(4)
        position = int(rng.integers(len(content)))
        if kind == 0:
            content[position] ^= 1 << int(rng.integers(8))
        elif kind == 1:
            del content[position:position + int(rng.integers(1, 5))]
        elif kind == 2:
            content[position:position] = rng.bytes(int(rng.integers(1, 5)))
        else:
            content = content[:position]
        cases.append(bytes(content))

    outcomes = {"array": 0, "ValueError": 0}
    path = tmp_path / "fuzz"
    for content in cases:
        path.write_bytes(content)
        try:
            result = read_idx(path)
        except ValueError as err:
            assert str(path) in str(err)
            outcomes["ValueError"] += 1
            continue
        decompressed = gzip.decompress(content) if content[:2] == b"\x1f\x8b" else content
        assert idx_bytes(result) == decompressed
        outcomes["array"] += 1
    assert outcomes["ValueError"] > 500 and outcomes["array"] > 20


@pytest.fixture(scope="module")
def subset_npz():
    with np.load(DATA / "mnist_subset.npz", allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def test_subset_file_has_the_documented_arrays(subset_npz):
    assert sorted(subset_npz) == sorted(["x_train", "y_train", "x_test", "y_test", "train_indices", "test_indices"])
    assert subset_npz["x_train"].shape == (10000, 28, 28) and subset_npz["x_train"].dtype == np.uint8
    assert subset_npz["x_test"].shape == (2000, 28, 28) and subset_npz["x_test"].dtype == np.uint8
    assert subset_npz["y_train"].shape == (10000,) and subset_npz["y_train"].dtype == np.uint8
    assert subset_npz["y_test"].shape == (2000,) and subset_npz["y_test"].dtype == np.uint8
    assert DATA.joinpath("mnist_subset.npz").stat().st_size < 5 * 2**20


def test_subset_is_balanced(subset_npz):
    assert np.bincount(subset_npz["y_train"], minlength=10).tolist() == [1000] * 10
    assert np.bincount(subset_npz["y_test"], minlength=10).tolist() == [200] * 10


def test_subset_indices_are_distinct_sorted_and_in_range(subset_npz):
    train, test = subset_npz["train_indices"], subset_npz["test_indices"]
    assert np.all(np.diff(train) > 0) and train.min() >= 0 and train.max() < 60000
    assert np.all(np.diff(test) > 0) and test.min() >= 0 and test.max() < 10000


def test_subset_train_and_test_share_no_image(subset_npz):
    train_images = {image.tobytes() for image in subset_npz["x_train"]}
    assert len(train_images) == 10000
    assert not any(image.tobytes() in train_images for image in subset_npz["x_test"])


def test_load_mnist_default_is_the_subset_as_float_nchw(subset_npz):
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (10000, 1, 28, 28) and x_train.dtype == np.float32
    assert x_test.shape == (2000, 1, 28, 28) and x_test.dtype == np.float32
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    np.testing.assert_array_equal(x_train[:, 0] * 255, subset_npz["x_train"])
    np.testing.assert_array_equal(y_test, subset_npz["y_test"])


def test_load_mnist_unnormalized_is_uint8(subset_npz):
    (x_train, _), (x_test, _) = load_mnist(normalize=False)
    assert x_train.dtype == np.uint8 and x_train.shape == (10000, 1, 28, 28)
    np.testing.assert_array_equal(x_test[:, 0], subset_npz["x_test"])


@pytest.mark.parametrize("pad_to, top, left", [(32, 2, 2), (28, 0, 0), (31, 1, 1)])
def test_load_mnist_pads_with_zeros_around_the_centre(subset_npz, pad_to, top, left):
    (x_train, _), _ = load_mnist(normalize=False, pad_to=pad_to)
    assert x_train.shape == (10000, 1, pad_to, pad_to)
    np.testing.assert_array_equal(x_train[:, 0, top:top + 28, left:left + 28], subset_npz["x_train"])
    border = x_train.copy()
    border[:, :, top:top + 28, left:left + 28] = 0
    assert not border.any()


@pytest.mark.parametrize("pad_to, error", [(27, ValueError), (0, ValueError), (32.0, TypeError),
                                           (True, TypeError), ("32", TypeError)])
def test_load_mnist_rejects_bad_pad_to(pad_to, error):
    with pytest.raises(error, match="pad_to"):
        load_mnist(pad_to=pad_to)


def test_load_mnist_rejects_bad_normalize():
    with pytest.raises(TypeError, match="normalize"):
        load_mnist(normalize="yes")


def test_load_mnist_detects_a_corrupted_subset(tmp_path, monkeypatch):
    content = bytearray((DATA / "mnist_subset.npz").read_bytes())
    content[len(content) // 2] ^= 0x01
    (tmp_path / "mnist_subset.npz").write_bytes(bytes(content))
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="mnist_subset.npz: sha256"):
        load_mnist()


def test_load_mnist_reports_a_missing_subset(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="CNNLIB_DATA_DIR"):
        load_mnist()


def test_data_dir_override_loads_a_copy(tmp_path, monkeypatch):
    shutil.copy(DATA / "mnist_subset.npz", tmp_path)
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path))
    (_, y_train), _ = load_mnist()
    assert len(y_train) == 10000


def readme_checksums():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*`([^`|]+)`\s*\|\s*(\d+)\s*\|\s*([0-9a-f]{64})\s*\|\s*$", text, flags=re.MULTILINE)
    return {name: (int(size), sha) for name, size, sha in rows}


def test_data_readme_lists_every_file_with_its_size_and_sha256():
    listed = readme_checksums()
    present = sorted(p.name for p in DATA.iterdir() if p.is_file() and p.name != "README.md")
    assert sorted(listed) == present
    for name, (size, sha) in listed.items():
        assert (DATA / name).stat().st_size == size, name
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == sha, name


def test_shipped_checksums_in_the_code_match_the_readme():
    listed = readme_checksums()
    assert listed[data.SUBSET_FILE][1] == mnist_module._SUBSET_SHA256
    assert listed[data.HOPPER_FILE][1] == samples_module._HOPPER_SHA256


def test_data_readme_gives_licences_and_citation():
    text = " ".join((DATA / "README.md").read_text(encoding="utf-8").split())
    for phrase in ["CC BY-SA 3.0", "Gradient-based learning applied to document recognition",
                   "86(11)", "2278", "public domain", "U.S. Navy", "scripts/build_mnist_subset.py"]:
        assert phrase in text, phrase


@pytest.mark.slow
def test_load_mnist_reads_the_full_files(shared_mnist):
    (x_train, y_train), (x_test, y_test) = load_mnist(shared_mnist, normalize=False)
    assert x_train.shape == (60000, 1, 28, 28) and x_test.shape == (10000, 1, 28, 28)
    assert np.bincount(y_train, minlength=10).tolist() == FULL_TRAIN_COUNTS
    assert np.bincount(y_test, minlength=10).tolist() == FULL_TEST_COUNTS
    # The folder's README gives the training pixel mean and std (pixels / 255): 0.1307 / 0.3081.
    pixels = x_train.astype(np.float64) / 255
    assert round(pixels.mean(), 4) == 0.1307 and round(pixels.std(), 4) == 0.3081


def test_subset_is_the_full_data_at_its_recorded_indices(shared_mnist, subset_npz):
    (x_train, y_train), (x_test, y_test) = load_mnist(shared_mnist, normalize=False)
    np.testing.assert_array_equal(x_train[subset_npz["train_indices"], 0], subset_npz["x_train"])
    np.testing.assert_array_equal(y_train[subset_npz["train_indices"]], subset_npz["y_train"])
    np.testing.assert_array_equal(x_test[subset_npz["test_indices"], 0], subset_npz["x_test"])
    np.testing.assert_array_equal(y_test[subset_npz["test_indices"]], subset_npz["y_test"])


def test_build_script_reproduces_the_shipped_subset(shared_mnist, subset_npz, tmp_path):
    script = background.load_script("scripts/build_mnist_subset.py")
    rebuilt = script.build_subset(shared_mnist, seed=0)
    for key, shipped in subset_npz.items():
        assert rebuilt[key].dtype == shipped.dtype, key
        np.testing.assert_array_equal(rebuilt[key], shipped, err_msg=key)


@pytest.fixture
def fake_mnist(monkeypatch):
    """Four small IDX files in MNIST's layout, with cnnlib's expected hashes pointed at them."""
    rng = np.random.default_rng(5)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, size=(30, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, size=30, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, size=(12, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, size=12, dtype=np.uint8),
    }
    raw = {name: idx_bytes(array) for name, array in arrays.items()}
    packed = {name: gzip.compress(content, mtime=0) for name, content in raw.items()}
    monkeypatch.setattr(mnist_module, "_MNIST_IDX_SHA256", {n: hashlib.sha256(c).hexdigest() for n, c in raw.items()})
    monkeypatch.setattr(mnist_module, "_MNIST_GZIP_SHA256",
                        {n: hashlib.sha256(c).hexdigest() for n, c in packed.items()})
    monkeypatch.setattr(mnist_module, "_MNIST_SHAPES", {n: array.shape for n, array in arrays.items()})
    return arrays, raw, packed


def test_load_mnist_folder_accepts_raw_and_gz_names(tmp_path, fake_mnist):
    arrays, raw, packed = fake_mnist
    for i, name in enumerate(data.MNIST_FILES):
        if i % 2:
            write(tmp_path / name, raw[name])
        else:
            write(tmp_path / f"{name}.gz", packed[name])
    (x_train, y_train), (x_test, y_test) = load_mnist(str(tmp_path), pad_to=32)
    assert x_train.shape == (30, 1, 32, 32) and x_test.shape == (12, 1, 32, 32)
    np.testing.assert_array_equal(x_train[:, 0, 2:30, 2:30], arrays["train-images-idx3-ubyte"] / np.float32(255))
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])


def test_load_mnist_folder_rejects_content_that_is_not_mnist(tmp_path, fake_mnist):
    _, raw, packed = fake_mnist
    for name in data.MNIST_FILES:
        write(tmp_path / f"{name}.gz", packed[name])
    labels = bytearray(raw["t10k-labels-idx1-ubyte"])
    labels[-1] = (labels[-1] + 1) % 10
    write(tmp_path / "t10k-labels-idx1-ubyte.gz", gzip.compress(bytes(labels)))
    with pytest.raises(ValueError, match=r"t10k-labels-idx1-ubyte\.gz: content sha256 .* does not match"):
        load_mnist(tmp_path)


def test_load_mnist_folder_rejects_the_real_hash_check_on_fake_files(tmp_path):
    for name, shape in mnist_module._MNIST_SHAPES.items():
        write(tmp_path / name, idx_bytes(np.zeros(shape, dtype=np.uint8)))
    with pytest.raises(ValueError, match="train-images-idx3-ubyte: content sha256"):
        load_mnist(tmp_path)


def test_load_mnist_folder_refuses_a_header_that_is_not_mnist_before_reading_on(tmp_path):
    for name in data.MNIST_FILES:
        write(tmp_path / name, idx_bytes(np.zeros((2, 28, 28) if "images" in name else 2, dtype=np.uint8)))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte: header says 2 x 28 x 28 uint8 values, "
                                         r"but this MNIST file holds 60000 x 28 x 28"):
        load_mnist(tmp_path)


def test_load_mnist_folder_names_the_missing_files(tmp_path, fake_mnist):
    _, _, packed = fake_mnist
    write(tmp_path / "train-images-idx3-ubyte.gz", packed["train-images-idx3-ubyte"])
    with pytest.raises(FileNotFoundError) as err:
        load_mnist(tmp_path)
    message = str(err.value)
    assert "train-labels-idx1-ubyte or train-labels-idx1-ubyte.gz" in message
    assert "t10k-images-idx3-ubyte.gz" in message and "download_mnist" in message
    assert "train-images-idx3-ubyte or" not in message


class MirrorHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files from the server's folder; /truncated/... promises more bytes than it sends,
    /stall/... answers only after the test ends, /trickle/... sends a byte every 50 ms."""

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path.startswith("/truncated/"):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"\x1f\x8b" + b"\x00" * 100)
            return
        if self.path.startswith("/stall/"):
            self.server.release.wait(10)
            return
        if self.path.startswith("/trickle/"):
            # One byte every 50 ms: each read returns well within any timeout, the file never ends.
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            while not self.server.release.wait(0.05):
                try:
                    self.wfile.write(b"\x1f")
                    self.wfile.flush()
                except OSError:
                    return
            return
        super().do_GET()

    def log_message(self, *args):
        pass


@pytest.fixture
def mirror_server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/served; yields (base_url, served_folder, requests)."""
    served = tmp_path / "served"
    served.mkdir()

    def handler(*args, **kwargs):
        return MirrorHandler(*args, directory=str(served), **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.requests = []
    server.release = threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", served, server.requests
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def serve(folder, packed, corrupt=()):
    folder.mkdir()
    for name, content in packed.items():
        if name in corrupt:
            content = content[:-20] + bytes(20)
        write(folder / f"{name}.gz", content)


def test_download_rejects_a_corrupted_file_and_falls_back_to_the_next_mirror(tmp_path, fake_mnist, mirror_server):
    arrays, _, packed = fake_mnist
    base, served, requests = mirror_server
    serve(served / "bad", packed, corrupt={"train-labels-idx1-ubyte"})
    serve(served / "good", packed)
    root = tmp_path / "mnist"

    assert download_mnist(root, mirrors=[f"{base}/bad", f"{base}/good/"], progress=False) == root

    assert sorted(p.name for p in root.iterdir()) == sorted(f"{n}.gz" for n in data.MNIST_FILES)
    for name in data.MNIST_FILES:
        assert (root / f"{name}.gz").read_bytes() == packed[name]
    assert requests == ["/bad/train-images-idx3-ubyte.gz", "/bad/train-labels-idx1-ubyte.gz",
                        "/good/train-labels-idx1-ubyte.gz", "/bad/t10k-images-idx3-ubyte.gz",
                        "/bad/t10k-labels-idx1-ubyte.gz"]
    (x_train, _), (_, y_test) = load_mnist(root, normalize=False)
    np.testing.assert_array_equal(x_train[:, 0], arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])


def test_download_leaves_no_trace_of_a_file_no_mirror_sent_correctly(tmp_path, fake_mnist, mirror_server):
    _, _, packed = fake_mnist
    base, served, _ = mirror_server
    serve(served / "bad", packed, corrupt={"train-labels-idx1-ubyte"})
    root = tmp_path / "mnist"
    with pytest.raises(RuntimeError, match="No mirror sent a valid copy of train-labels-idx1-ubyte.gz") as err:
        download_mnist(root, mirrors=[f"{base}/bad/"], progress=False)
    assert "by hand" in str(err.value) and "sha256" in str(err.value)
    assert [p.name for p in root.iterdir()] == ["train-images-idx3-ubyte.gz"]


@pytest.mark.slow
def test_download_survives_truncated_missing_and_stalled_mirrors(tmp_path, fake_mnist, mirror_server):
    _, _, packed = fake_mnist
    base, served, requests = mirror_server
    serve(served / "good", packed)
    (served / "empty").mkdir()
    root = tmp_path / "mnist"
    mirrors = [f"{base}/truncated/", f"{base}/empty/", f"{base}/stall/", f"{base}/good/"]
    download_mnist(root, mirrors=mirrors, progress=False, timeout=0.5)
    assert sorted(p.name for p in root.iterdir()) == sorted(f"{n}.gz" for n in data.MNIST_FILES)
    assert requests[:4] == [f"/{m}/train-images-idx3-ubyte.gz" for m in ("truncated", "empty", "stall", "good")]


@pytest.mark.slow
def test_download_gives_up_on_a_trickling_mirror_at_the_deadline(tmp_path, fake_mnist, mirror_server):
    _, _, packed = fake_mnist
    base, served, requests = mirror_server
    serve(served / "good", packed)
    root = tmp_path / "mnist"
    started = time.monotonic()
    download_mnist(root, mirrors=[f"{base}/trickle/", f"{base}/good/"], progress=False, timeout=0.3, deadline=0.4)
    assert time.monotonic() - started < 6    # four files, each abandoned by the trickle after ~0.4 s
    assert sorted(p.name for p in root.iterdir()) == sorted(f"{n}.gz" for n in data.MNIST_FILES)
    assert requests[:2] == ["/trickle/train-images-idx3-ubyte.gz", "/good/train-images-idx3-ubyte.gz"]

    started = time.monotonic()
    with pytest.raises(RuntimeError) as err:
        download_mnist(tmp_path / "slow", mirrors=[f"{base}/trickle/"], progress=False, timeout=0.5, deadline=1.0)
    assert time.monotonic() - started < 3
    message = str(err.value)
    assert re.search(r"gave up after 1\.\d s \(deadline=1 s\) with \d+ of 100000 bytes received", message)
    assert "offline" not in message
    assert list((tmp_path / "slow").iterdir()) == []


@pytest.mark.parametrize("deadline", [0, -1, "60", True])
def test_download_rejects_a_bad_deadline(tmp_path, deadline):
    with pytest.raises(ValueError, match="deadline must be a positive number of seconds"):
        download_mnist(tmp_path, mirrors=["http://127.0.0.1/"], deadline=deadline)


def test_downloaded_files_get_the_permissions_of_the_umask(tmp_path, fake_mnist, mirror_server):
    _, _, packed = fake_mnist
    base, served, _ = mirror_server
    serve(served / "good", packed)
    previous = os.umask(0o022)
    try:
        download_mnist(tmp_path / "shared", mirrors=[f"{base}/good/"], progress=False)
    finally:
        os.umask(previous)
    for name in data.MNIST_FILES:
        assert stat.S_IMODE((tmp_path / "shared" / f"{name}.gz").stat().st_mode) == 0o644, name


def test_download_leaves_part_files_it_did_not_make_alone(tmp_path, fake_mnist, mirror_server):
    # A .part file may be a killed run's or a running download's (another notebook writing into the
    # same folder): only the download that made it may remove it, so they stay, and are never read.
    arrays, _, packed = fake_mnist
    base, served, _ = mirror_server
    serve(served / "good", packed)
    root = tmp_path / "mnist"
    root.mkdir()
    half = packed["train-images-idx3-ubyte"][: len(packed["train-images-idx3-ubyte"]) // 2]
    others = {".train-images-idx3-ubyte.gz.x1y2z3ab.part": half,
              ".t10k-labels-idx1-ubyte.gz.4321-deadbeef.part": b"\x1f\x8b junk"}
    for name, content in others.items():
        write(root / name, content)
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte or train-images-idx3-ubyte.gz"):
        load_mnist(root)                                      # a .part file is never taken for data
    download_mnist(root, mirrors=[f"{base}/good/"], progress=False)
    assert sorted(p.name for p in root.iterdir()) == sorted([f"{n}.gz" for n in data.MNIST_FILES] + list(others))
    for name, content in others.items():
        assert (root / name).read_bytes() == content
    (x_train, _), _ = load_mnist(root, normalize=False)
    np.testing.assert_array_equal(x_train[:, 0], arrays["train-images-idx3-ubyte"])


def test_download_says_offline_when_no_mirror_answers(tmp_path, fake_mnist, closed_port_url):
    root = tmp_path / "mnist"
    with pytest.raises(ConnectionError, match="appears to be offline") as err:
        download_mnist(root, mirrors=[closed_port_url], progress=False, timeout=2)
    message = str(err.value)
    assert closed_port_url in message and "by hand" in message and "train-images-idx3-ubyte.gz" in message
    assert list(root.iterdir()) == []


def test_download_skips_files_already_present_and_valid(tmp_path, fake_mnist, closed_port_url):
    arrays, raw, packed = fake_mnist
    root = tmp_path / "mnist"
    root.mkdir()
    for name in data.MNIST_FILES[:2]:
        write(root / f"{name}.gz", packed[name])
    for name in data.MNIST_FILES[2:]:
        write(root / name, raw[name])
    write(root / "t10k-labels-idx1-ubyte.gz", gzip.compress(raw["t10k-labels-idx1-ubyte"], mtime=123))
    before = {path.name: path.read_bytes() for path in root.iterdir()}
    # The only mirror refuses connections: any download would raise ConnectionError.
    assert download_mnist(root, mirrors=[closed_port_url], progress=False, timeout=2) == root
    assert {path.name: path.read_bytes() for path in root.iterdir()} == before    # nothing added, nothing rewritten
    (x_train, y_train), (x_test, y_test) = load_mnist(root, normalize=False)
    np.testing.assert_array_equal(x_train[:, 0], arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])


def test_download_replaces_an_invalid_existing_file(tmp_path, fake_mnist, mirror_server):
    _, _, packed = fake_mnist
    base, served, requests = mirror_server
    serve(served / "good", packed)
    root = tmp_path / "mnist"
    root.mkdir()
    for name in data.MNIST_FILES:
        write(root / f"{name}.gz", packed[name])
    write(root / "t10k-images-idx3-ubyte.gz", b"not mnist")
    download_mnist(root, mirrors=[f"{base}/good/"], progress=False)
    assert requests == ["/good/t10k-images-idx3-ubyte.gz"]
    assert (root / "t10k-images-idx3-ubyte.gz").read_bytes() == packed["t10k-images-idx3-ubyte"]


def test_download_shows_progress_with_tqdm_or_plain_text(tmp_path, fake_mnist, mirror_server, monkeypatch, capsys):
    _, _, packed = fake_mnist
    base, served, _ = mirror_server
    serve(served / "good", packed)
    download_mnist(tmp_path / "with_tqdm", mirrors=[f"{base}/good/"])
    assert "train-images-idx3-ubyte.gz" in capsys.readouterr().err

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    download_mnist(tmp_path / "plain", mirrors=[f"{base}/good/"])
    err = capsys.readouterr().err
    assert "t10k-labels-idx1-ubyte.gz" in err and "100%" in err
    download_mnist(tmp_path / "plain", mirrors=[f"{base}/good/"])
    assert "already present and valid" in capsys.readouterr().err


@pytest.mark.parametrize("kwargs, error, match", [
    ({"mirrors": "http://127.0.0.1/"}, TypeError, "mirrors must be a list"),
    ({"mirrors": []}, ValueError, "at least one"),
    ({"mirrors": ["ftp://example.org/"]}, ValueError, "http"),
    ({"mirrors": ["http://127.0.0.1/"], "timeout": 0}, ValueError, "timeout"),
])
def test_download_rejects_bad_arguments(tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        download_mnist(tmp_path, **kwargs)


def test_sample_image_names():
    assert set(SAMPLE_IMAGES) >= {"hopper", "checkerboard", "shapes", "step_edge", "gradient_ramp"}


@pytest.mark.parametrize("name", SAMPLE_IMAGES)
def test_sample_image_shapes_types_and_range(name):
    native = (600, 512) if name == "hopper" else (128, 128)
    gray = sample_image(name)
    rgb = sample_image(name, gray=False)
    assert gray.shape == native and rgb.shape == native + (3,)
    for image in (gray, rgb):
        assert image.dtype == np.float32 and image.min() >= 0 and image.max() <= 1
        assert image.max() > image.min()
    luminance = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    np.testing.assert_allclose(gray, luminance, atol=1e-6)
    assert sample_image(name, size=40).shape == (40, 40)
    assert sample_image(name, size=(30, 50), gray=False).shape == (30, 50, 3)


def test_hopper_is_the_shipped_photograph():
    rgb = sample_image("hopper", gray=False)
    with np.load(DATA / "grace_hopper.npz", allow_pickle=False) as npz:
        np.testing.assert_array_equal(rgb * 255, npz["image"])


def test_drawn_images_have_the_structure_their_demos_rely_on():
    step = sample_image("step_edge")
    assert np.all(step[:, :64] == 0.25) and np.all(step[:, 64:] == 0.75)
    ramp = sample_image("gradient_ramp", size=(10, 11))
    np.testing.assert_allclose(ramp, np.tile(np.linspace(0, 1, 11), (10, 1)), atol=1e-6)
    board = sample_image("checkerboard")
    assert board[0, 0] != board[0, 16] and board[0, 0] != board[16, 0] and board[0, 0] == board[16, 16]
    assert board.mean() == 0.5
    colours = np.unique(sample_image("shapes", gray=False).reshape(-1, 3), axis=0)
    assert len(colours) == 4
    np.testing.assert_array_equal(sample_image("noisy_square"), sample_image("noisy_square"))


def naive_resize_area(image, out_h, out_w):
    """Each output pixel = mean of the source area it covers, computed cell by cell."""
    height, width = image.shape
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            r0, r1 = i * height / out_h, (i + 1) * height / out_h
            c0, c1 = j * width / out_w, (j + 1) * width / out_w
            total = 0.0
            for r in range(int(r0), min(height, int(np.ceil(r1)))):
                for c in range(int(c0), min(width, int(np.ceil(c1)))):
                    total += (min(r1, r + 1) - max(r0, r)) * (min(c1, c + 1) - max(c0, c)) * image[r, c]
            out[i, j] = total / ((r1 - r0) * (c1 - c0))
    return out


@pytest.mark.parametrize("source, target", [((12, 12), (5, 5)), ((7, 7), (16, 16)), ((9, 9), (4, 9)),
                                            ((10, 6), (3, 3)), ((5, 5), (5, 5))])
def test_area_resampling_agrees_with_the_loop_version(source, target):
    image = np.random.default_rng(3).random(source).astype(np.float32)
    result = samples_module._resize_area(image, target)
    height, width = image.shape
    if height * target[1] > width * target[0]:
        crop_h, crop_w = round(width * target[0] / target[1]), width
    else:
        crop_h, crop_w = height, round(height * target[1] / target[0])
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    expected = naive_resize_area(image[top:top + crop_h, left:left + crop_w], *target)
    np.testing.assert_allclose(result, expected, atol=1e-5)


def test_hopper_downscale_is_block_means_of_the_centre_square():
    rgb = sample_image("hopper", gray=False)
    square = rgb[44:556]  # 600 rows cropped to the central 512
    expected = square.reshape(256, 2, 256, 2, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(sample_image("hopper", size=256, gray=False), expected, atol=1e-5)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"name": "lena"}, ValueError, "hopper, checkerboard"),
    ({"name": "hopper", "size": 0}, ValueError, "size"),
    ({"name": "hopper", "size": (10, 20, 30)}, ValueError, "size"),
    ({"name": "hopper", "size": "big"}, TypeError, "size"),
    ({"name": "hopper", "size": 5000}, ValueError, "size"),
    ({"name": "hopper", "gray": "no"}, TypeError, "gray"),
])
def test_sample_image_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        sample_image(**kwargs)


def test_sample_image_detects_a_corrupted_photograph(tmp_path, monkeypatch):
    content = bytearray((DATA / "grace_hopper.npz").read_bytes())
    content[1000] ^= 0x01
    (tmp_path / "grace_hopper.npz").write_bytes(bytes(content))
    monkeypatch.setenv("CNNLIB_DATA_DIR", str(tmp_path))
    samples_module._hopper_rgb.cache_clear()
    try:
        with pytest.raises(ValueError, match="grace_hopper.npz: sha256"):
            sample_image("hopper")
    finally:
        samples_module._hopper_rgb.cache_clear()
