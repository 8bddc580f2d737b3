"""IDX, the file format MNIST is distributed in: reading it safely (notebook 10).

The format: two zero bytes, a type code, the number of dimensions d, then d big-endian uint32
sizes, then the values in C order, big-endian; often gzip-compressed. :func:`read_idx` checks
every size against the bytes really present and against ``MAX_IDX_BYTES`` before allocating.
"""
import gzip
import hashlib
import os
import zlib
from pathlib import Path

import numpy as np

from .._checks import as_positive_int, format_bytes

__all__ = ["read_idx", "MAX_IDX_BYTES"]

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

    Inputs:   path       an IDX file.
              max_bytes  the most data (bytes) a header may declare; None for ``MAX_IDX_BYTES``
    Returns:  an array of the shape its header declares.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "three-labels-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 0x08, 1,  0, 0, 0, 3,  7, 8, 9]))   # uint8, 1 dim of 3
    >>> read_idx(path)
    array([7, 8, 9], dtype=uint8)
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
