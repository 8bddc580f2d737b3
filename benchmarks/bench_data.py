"""How long cnnlib.data takes to hand over its data.

Run: python benchmarks/bench_data.py
Target (issue 3): the bundled MNIST subset loads in well under a second. Also reported: the
full MNIST files (when ../shared/data/mnist sits beside the checkout) and the sample photograph.
The first load of each is timed separately, since it includes reading the file from disk.
"""
import os
import platform
import time
from pathlib import Path

import numpy as np

from cnnlib.data import _hopper_rgb, load_mnist, sample_image

SHARED_MNIST = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "mnist"


def first_and_best(fn, repeat=5):
    """Wall time of the first call and the best of ``repeat`` further calls, in seconds."""
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return first, best


def main():
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")

    first, best = first_and_best(load_mnist)
    verdict = "OK" if best < 0.5 else "SLOW"
    print(f"\n[1] load_mnist() bundled subset, 12,000 images as float32 N x 1 x 28 x 28 (sha256 checked)")
    print(f"    first {first * 1e3:7.1f} ms | best {best * 1e3:7.1f} ms  ({verdict}; target well under 1 s)")

    first, best = first_and_best(lambda: load_mnist(pad_to=32))
    print(f"    with pad_to=32: first {first * 1e3:7.1f} ms | best {best * 1e3:7.1f} ms")

    if SHARED_MNIST.is_dir():
        first, best = first_and_best(lambda: load_mnist(SHARED_MNIST), repeat=2)
        print(f"\n[2] load_mnist({SHARED_MNIST}) full MNIST, 70,000 images from gzip (sha256 checked)")
        print(f"    first {first * 1e3:7.1f} ms | best {best * 1e3:7.1f} ms")
    else:
        print(f"\n[2] full MNIST not timed: {SHARED_MNIST} is absent")

    _hopper_rgb.cache_clear()
    first, best = first_and_best(lambda: sample_image("hopper", size=256))
    print("\n[3] sample_image('hopper', size=256): area-resampled 600 x 512 photo to 256 x 256")
    print(f"    first (reads the file) {first * 1e3:6.1f} ms | best (cached) {best * 1e3:6.1f} ms")


if __name__ == "__main__":
    main()
