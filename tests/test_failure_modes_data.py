"""Hostile and mistaken files: decompression bombs in IDX and .npz files, and weights files
saved under one name and loaded under another or of the wrong type. Each case must end in a
quick, clear error, without inflating the data it describes."""
import gzip
import pickle
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest

import cnnlib.data as data
from cnnlib.data import load_mnist, read_idx
from cnnlib.nn import Dense, ReLU, Sequential, load_weights, save_weights

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


class Measured:
    """Peak Python/numpy memory of the block (what a bomb would inflate; speed is not asserted here)."""

    def __enter__(self):
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


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
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip_of_zeros(idx_header(0x08, (60000, 28, 28)), 60000 * 784 + 1))
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
    with Measured() as measured, pytest.raises(ValueError, match=r"wrong shape 0\.weight: file \(4096, 4096\), model \(3, 4\)"):
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
    (gzip.compress(b"abc"), "it is gzip-compressed"),
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
