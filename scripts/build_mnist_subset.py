"""Build data/mnist_subset.npz: a class-balanced MNIST subset small enough to ship.

Picks 1,000 training images per digit from MNIST's training set and 200 test images per digit
from its test set (t10k), at random with a fixed seed, and saves them as uint8 arrays with the
source indices they came from:

    x_train (10000, 28, 28) uint8    y_train (10000,) uint8    train_indices (10000,) int64
    x_test  (2000, 28, 28)  uint8    y_test  (2000,)  uint8    test_indices  (2000,)  int64

Within each split the images keep MNIST's own order (indices ascending). The choice uses
numpy's legacy RandomState, whose stream numpy keeps fixed across versions, so the same seed
picks the same images on any numpy; the recorded indices make the subset reproducible anyway.

Usage (from the repository root):
    python scripts/build_mnist_subset.py [MNIST_FOLDER] [--out data/mnist_subset.npz] [--seed 0]
MNIST_FOLDER defaults to ../shared/data/mnist beside the repository. After a rebuild that
changes the file, update _SUBSET_SHA256 in cnnlib/data/mnist.py and the table in data/README.md.
"""
import argparse
import hashlib
from pathlib import Path

import numpy as np

from cnnlib.data import MNIST_FILES, load_mnist

REPO = Path(__file__).resolve().parent.parent
TRAIN_PER_CLASS = 1000
TEST_PER_CLASS = 200


def stratified_indices(labels, per_class, rng):
    """Indices of ``per_class`` samples of each digit 0..9, drawn without replacement, sorted."""
    chosen = []
    for digit in range(10):
        of_digit = np.flatnonzero(labels == digit)
        if len(of_digit) < per_class:
            raise ValueError(f"only {len(of_digit)} images of digit {digit}, need {per_class}")
        chosen.append(rng.choice(of_digit, size=per_class, replace=False))
    return np.sort(np.concatenate(chosen)).astype(np.int64)


def build_subset(mnist_folder, seed):
    """The subset's arrays, from the full MNIST files in ``mnist_folder`` (checked by sha256)."""
    (x_train, y_train), (x_test, y_test) = load_mnist(mnist_folder, normalize=False)
    x_train, x_test = x_train[:, 0], x_test[:, 0]
    rng = np.random.RandomState(seed)
    train_indices = stratified_indices(y_train, TRAIN_PER_CLASS, rng)
    test_indices = stratified_indices(y_test, TEST_PER_CLASS, rng)
    return {
        "x_train": x_train[train_indices],
        "y_train": y_train[train_indices].astype(np.uint8),
        "x_test": x_test[test_indices],
        "y_test": y_test[test_indices].astype(np.uint8),
        "train_indices": train_indices,
        "test_indices": test_indices,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mnist_folder", nargs="?", default=str(REPO.parent / "shared" / "data" / "mnist"),
                        help=f"folder holding {', '.join(MNIST_FILES)} (raw or .gz)")
    parser.add_argument("--out", default=str(REPO / "data" / "mnist_subset.npz"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    arrays = build_subset(args.mnist_folder, args.seed)
    np.savez_compressed(args.out, **arrays)
    digest = hashlib.sha256(Path(args.out).read_bytes()).hexdigest()
    print(f"wrote {args.out}: {len(arrays['x_train'])} train + {len(arrays['x_test'])} test images, "
          f"{Path(args.out).stat().st_size} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
