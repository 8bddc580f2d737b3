"""Data that works offline: IDX files, MNIST (bundled subset or the full files), sample images.

- :mod:`cnnlib.data.idx`: ``read_idx`` reads the IDX format MNIST is distributed in, raw or
  gzip-compressed, and rejects anything malformed with a ``ValueError`` that names the file.
- :mod:`cnnlib.data.mnist`: ``load_mnist`` (the shipped subset, or the full files from a folder)
  and ``download_mnist`` (fetches the full files from public mirrors).
- :mod:`cnnlib.data.samples`: ``sample_image`` gives a photograph and drawn test patterns for the
  kernel notebooks.

Only numpy and the standard library are imported, and nothing touches the network unless
``download_mnist`` is called. ``$CNNLIB_DATA_DIR`` moves the shipped files (:func:`data_dir`).
"""
from ._files import data_dir
from .idx import MAX_IDX_BYTES, read_idx
from .mnist import MNIST_FILES, MNIST_MIRRORS, SUBSET_FILE, download_mnist, load_mnist
from .samples import HOPPER_FILE, SAMPLE_IMAGES, sample_image

__all__ = ["read_idx", "load_mnist", "download_mnist", "sample_image", "SAMPLE_IMAGES", "data_dir",
           "MAX_IDX_BYTES", "MNIST_FILES", "MNIST_MIRRORS", "SUBSET_FILE", "HOPPER_FILE"]
