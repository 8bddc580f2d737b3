"""Speed of cnnlib.conv2d against its naive twin, scipy and (when installed) PyTorch.

Run: python benchmarks/bench_conv.py
Targets (issue 2): fast >= 100x naive; no slower than scipy.signal.correlate2d on 512x512
single-channel images; the ratio to torch.nn.functional.conv2d is reported.
"""
import os
import platform
import time

import numpy as np
from scipy import signal

from cnnlib import conv2d, conv2d_naive


def best_time(fn, repeat=5, number=1):
    """Best wall time of ``number`` calls over ``repeat`` tries (least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def main():
    rng = np.random.default_rng(0)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs")

    x = rng.normal(size=(100, 3, 31, 31))
    w = rng.normal(size=(25, 3, 3, 3))
    fast = best_time(lambda: conv2d(x, w, stride=2, padding=1), repeat=7)
    naive = best_time(lambda: conv2d_naive(x, w, stride=2, padding=1), repeat=1)
    assert np.allclose(conv2d(x, w, stride=2, padding=1), conv2d_naive(x, w, stride=2, padding=1))
    print(f"\n[1] x (100, 3, 31, 31), w (25, 3, 3, 3), stride 2, padding 1")
    print(f"    naive {naive * 1e3:9.1f} ms | fast {fast * 1e3:7.2f} ms | "
          f"fast is {naive / fast:,.0f}x faster (target >= 100x)")

    image = rng.normal(size=(512, 512))
    print("\n[2] single channel 512 x 512 against scipy.signal.correlate2d (mode='valid')")
    for k in (3, 5):
        kernel = rng.normal(size=(k, k))
        ours = best_time(lambda: conv2d(image, kernel), repeat=7)
        ref = best_time(lambda: signal.correlate2d(image, kernel, mode="valid"), repeat=7)
        assert np.allclose(conv2d(image, kernel), signal.correlate2d(image, kernel, mode="valid"))
        verdict = "no slower" if ours <= ref else "SLOWER"
        print(f"    {k}x{k}: scipy {ref * 1e3:6.2f} ms | cnnlib {ours * 1e3:6.2f} ms | "
              f"speed ratio cnnlib/scipy = {ref / ours:.2f}x ({verdict}; target >= 1.0x)")

    print("\n[3] batch (64, 6, 14, 14) with (16, 6, 5, 5) against torch.nn.functional.conv2d")
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        print("    PyTorch not installed: skipped (pip install torch==2.13.0 for a CPU build)")
        return
    xb = rng.normal(size=(64, 6, 14, 14)).astype(np.float32)
    wb = rng.normal(size=(16, 6, 5, 5)).astype(np.float32)
    xt, wt = torch.from_numpy(xb), torch.from_numpy(wb)
    with torch.no_grad():
        ref = best_time(lambda: F.conv2d(xt, wt), repeat=7, number=10)
        assert np.allclose(conv2d(xb, wb), F.conv2d(xt, wt).numpy(), atol=1e-3)
    ours = best_time(lambda: conv2d(xb, wb), repeat=7, number=10)
    print(f"    torch {torch.__version__} ({torch.get_num_threads()} threads) {ref * 1e3:6.2f} ms | "
          f"cnnlib {ours * 1e3:6.2f} ms | cnnlib runs at {ref / ours:.2f}x torch's speed")


if __name__ == "__main__":
    main()
