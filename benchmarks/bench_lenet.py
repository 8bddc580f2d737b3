"""Speed and accuracy of cnnlib's numpy LeNet-5, against the same network in PyTorch.

Run:  python benchmarks/bench_lenet.py [--threads N] [--mnist DIR]
      python benchmarks/bench_lenet.py --mnist DIR --augment [--record FILE]

Prints (issue 4):
  [1] training throughput (images/s, batch 64, float32) and inference throughput (batch 256) of
      cnnlib, and, when torch is importable, of the same LeNet-5 (same weights, same optimiser) in
      PyTorch on the CPU with the same number of threads, and the ratio. Target: >= 0.3x.
  [2] the bundled 10,000-image MNIST subset: test accuracy on its 2,000 test images and the
      training time. Targets: >= 97.5% in <= 60 s.
  [3] with --mnist DIR (the four IDX files, e.g. ../shared/data/mnist): training on all 60,000
      images, test accuracy on all 10,000 (target >= 99.0%; LeCun et al. 1998 report 0.95% error),
      epochs, wall time and the run's peak memory (target < 1.5 GB). This part runs in a child
      process so its peak memory is its own.
  [4] with --mnist DIR --augment (issue 13; only this part runs): training on all 60,000 images
      with every batch randomly distorted (cnnlib.augment: rotation, scaling, shear, shift and an
      elastic field, drawn afresh each time), test error on all 10,000. Target <= 0.80%, the
      figure LeCun et al. (1998) report for LeNet-5 trained with distortions. Prints epochs, wall
      time and peak memory; --record FILE writes them as JSON (benchmarks/results/
      lenet_full_mnist_augmented.json is the one notebook 11 quotes).

Training recipe (the defaults the notebook uses): Adam(lr=3e-3), batch 64, learning rate x 0.7
after every epoch, 8 epochs on the subset (10 on full MNIST). With --augment: AUGMENT_RECIPE below
(more epochs and a slower decay: distorted digits are harder, so learning takes longer).

Threads: --threads N sets OPENBLAS_NUM_THREADS (and OMP/MKL) before numpy is imported, and torch
uses the same N. Small matrix products like LeNet's gain little from a second thread, and when
other processes keep the cores busy, multi-threaded BLAS (and torch's OpenMP) can run several
times slower than one thread; the load average is printed so the figures can be read in context.
"""
import argparse
import os
import sys


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS/torch threads (default: numpy's own default)")
    parser.add_argument("--mnist", metavar="DIR", help="folder with the full MNIST IDX files")
    parser.add_argument("--epochs", type=int, default=8, help="epochs on the bundled subset (default 8)")
    parser.add_argument("--full-epochs", type=int, default=10, help="epochs on full MNIST (default 10)")
    parser.add_argument("--augment", action="store_true",
                        help="train on full MNIST (needs --mnist) with random distortions; only this part runs")
    parser.add_argument("--augment-epochs", type=int, default=None,
                        help="epochs of the augmented run (default: AUGMENT_RECIPE's)")
    parser.add_argument("--record", metavar="FILE", help="with --augment: write the figures to FILE as JSON")
    parser.add_argument("--full-only", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


ARGS = parse_args()
if ARGS.threads is not None:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import ctypes          # noqa: E402  (numpy must be imported after the thread variables are set)
import datetime        # noqa: E402
import json            # noqa: E402
import platform        # noqa: E402
import resource        # noqa: E402
import subprocess      # noqa: E402
import time            # noqa: E402

import numpy as np     # noqa: E402

from cnnlib.augment import augmenter                                           # noqa: E402
from cnnlib.data import load_mnist                                             # noqa: E402
from cnnlib.nn import lenet5                                                   # noqa: E402
from cnnlib.optim import Adam                                                  # noqa: E402
from cnnlib.train import decay_learning_rate, evaluate, fit, predict          # noqa: E402

LR, LR_DECAY, BATCH, INFER_BATCH = 3e-3, 0.7, 64, 256
AUGMENT_RECIPE = dict(epochs=20, lr=3e-3, lr_decay=0.8, batch_size=64, seed=0,
                      distortions=dict(rotation=8.0, scale=0.08, shear=0.15, shift=2.0, alpha=12.0, sigma=4.0))
"""The --augment run: Adam(lr) x lr_decay after every epoch; every batch distorted by
cnnlib.augment.random_distortion with these largest distortions (degrees, fractions, pixels)."""


def numpy_blas_threads():
    """Threads numpy's OpenBLAS uses: asked from the loaded library, else from the environment."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
        for path in paths:
            lib = ctypes.CDLL(path)
            for symbol in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                           "openblas_get_num_threads"):
                if hasattr(lib, symbol):
                    return int(getattr(lib, symbol)())
    except OSError:
        pass
    return int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count()))


def load():
    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"


def best_rate(run, images, repeat=3):
    """Images per second of the fastest of ``repeat`` runs (the one least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return images / best


def train_recipe(model, x, y, epochs):
    optimizer = Adam(LR)
    start = time.perf_counter()
    fit(model, x, y, epochs=epochs, batch_size=BATCH, optimizer=optimizer, progress=False,
        callbacks=[decay_learning_rate(optimizer, LR_DECAY)])
    return time.perf_counter() - start


def torch_lenet5(model):
    """The same LeNet-5 in PyTorch, with cnnlib's weights copied in (same parameter layouts)."""
    import torch
    from torch import nn
    net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84),
                        nn.ReLU(), nn.Linear(84, 10))
    with torch.no_grad():
        for (name, ours), theirs in zip(model.named_parameters(), net.parameters()):
            theirs.copy_(torch.from_numpy(ours))
    return net


def throughput(x, y, x_test, threads):
    print(f"\n[1] throughput, float32 ({load()})")
    n_train = 50 * BATCH
    model = lenet5(rng=0)
    optimizer = Adam(LR)
    train = lambda: fit(model, x[:n_train], y[:n_train], epochs=1, batch_size=BATCH,  # noqa: E731
                        optimizer=optimizer, progress=False)
    train()                                                                           # warm-up
    ours_train = best_rate(train, n_train)
    ours_infer = best_rate(lambda: predict(model, x_test, batch_size=INFER_BATCH), len(x_test))
    print(f"    cnnlib  ({threads} BLAS thread(s)):  train {ours_train:7,.0f} images/s (batch {BATCH}) | "
          f"inference {ours_infer:7,.0f} images/s (batch {INFER_BATCH})")
    try:
        import torch
    except ImportError:
        print("    PyTorch not installed: no comparison (pip install torch==2.13.0 gives a CPU build)")
        return
    torch.set_num_threads(threads)
    net = torch_lenet5(model)
    xt = torch.from_numpy(x[:n_train]), torch.from_numpy(y[:n_train])
    with torch.no_grad():
        same = np.allclose(net(torch.from_numpy(x_test[:256])).numpy(), model.forward(x_test[:256]), atol=1e-4)
    torch_optimizer = torch.optim.Adam(net.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(0)

    def torch_train():
        order = torch.randperm(n_train, generator=generator)
        for start in range(0, n_train, BATCH):
            batch = order[start:start + BATCH]
            torch_optimizer.zero_grad()
            loss_fn(net(xt[0][batch]), xt[1][batch]).backward()
            torch_optimizer.step()

    def torch_infer():
        with torch.no_grad():
            test = torch.from_numpy(x_test)
            for start in range(0, len(test), INFER_BATCH):
                torch.softmax(net(test[start:start + INFER_BATCH]), dim=1)

    torch_train()
    torch_train_rate = best_rate(torch_train, n_train)
    torch_infer_rate = best_rate(torch_infer, len(x_test))
    print(f"    PyTorch {torch.__version__} ({torch.get_num_threads()} thread(s)): train {torch_train_rate:7,.0f} "
          f"images/s | inference {torch_infer_rate:7,.0f} images/s   (same outputs from the same weights: {same})")
    ratio = ours_train / torch_train_rate
    print(f"    cnnlib / PyTorch: training {ratio:.2f}x (target >= 0.3x: {'met' if ratio >= 0.3 else 'NOT met'}), "
          f"inference {ours_infer / torch_infer_rate:.2f}x")


def subset_accuracy(x, y, x_test, y_test, epochs):
    print(f"\n[2] bundled MNIST subset: {len(x):,} training / {len(x_test):,} test images ({load()})")
    model = lenet5(rng=0)
    seconds = train_recipe(model, x, y, epochs)
    _, accuracy = evaluate(model, x_test, y_test)
    print(f"    {epochs} epochs, Adam lr {LR:g} x {LR_DECAY} per epoch, batch {BATCH}: training {seconds:.1f} s "
          f"(target <= 60 s: {'met' if seconds <= 60 else 'NOT met'})")
    print(f"    test accuracy {accuracy:.2%} (target >= 97.5%: {'met' if accuracy >= 0.975 else 'NOT met'})")


def full_mnist(folder, epochs):
    """Runs in its own process (--full-only) so that ru_maxrss is this run's peak alone."""
    start = time.perf_counter()
    (x, y), (x_test, y_test) = load_mnist(folder, pad_to=32)
    print(f"\n[3] full MNIST from {folder}: {len(x):,} training / {len(x_test):,} test images ({load()})")
    model = lenet5(rng=0)
    seconds = train_recipe(model, x, y, epochs)
    _, accuracy = evaluate(model, x_test, y_test)
    wall = time.perf_counter() - start
    peak_mb = peak_memory_mb()
    print(f"    {epochs} epochs: training {seconds:.1f} s, wall time with loading and evaluation {wall:.1f} s")
    print(f"    test accuracy {accuracy:.2%}, error {1 - accuracy:.2%} (target >= 99.0%: "
          f"{'met' if accuracy >= 0.99 else 'NOT met'}; LeCun et al. 1998: 0.95% error)")
    verdict = "met" if peak_mb < 1536 else "NOT met"
    print(f"    peak memory (ru_maxrss) {peak_mb:,.0f} MB (target < 1,536 MB: {verdict})")


def peak_memory_mb():
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2 ** 20 if sys.platform == "darwin" else peak / 2 ** 10    # bytes on macOS, KiB on Linux


def augmented_full_mnist(folder, epochs, record, threads):
    """[4]: LeNet-5 on full MNIST with distorted training batches; optionally recorded as JSON."""
    recipe = dict(AUGMENT_RECIPE, epochs=epochs or AUGMENT_RECIPE["epochs"])
    start = time.perf_counter()
    (x, y), (x_test, y_test) = load_mnist(folder, pad_to=32)
    print(f"\n[4] full MNIST with distortions, from {folder}: {len(x):,} training / {len(x_test):,} test images "
          f"({load()}, {threads} BLAS thread(s))")
    print(f"    recipe: {recipe}")
    model = lenet5(rng=recipe["seed"])
    optimizer = Adam(recipe["lr"])
    history = fit(model, x, y, epochs=recipe["epochs"], batch_size=recipe["batch_size"], optimizer=optimizer,
                  progress=False, rng=recipe["seed"], augment=augmenter(**recipe["distortions"]),
                  callbacks=[decay_learning_rate(optimizer, recipe["lr_decay"]), print_epoch])
    predicted = predict(model, x_test, batch_size=INFER_BATCH).argmax(axis=1)
    errors = int(np.sum(predicted != y_test))
    wall = time.perf_counter() - start
    peak_mb = peak_memory_mb()
    error = errors / len(x_test)
    print(f"    {recipe['epochs']} epochs: training {history.train_time:.1f} s, wall time with loading and "
          f"evaluation {wall:.1f} s")
    print(f"    test error {error:.2%} ({errors} of {len(x_test):,} wrong; target <= 0.80%: "
          f"{'met' if error <= 0.008 else 'NOT met'}; LeCun et al. 1998: 0.80% with distortions)")
    print(f"    peak memory (ru_maxrss) {peak_mb:,.0f} MB")
    if record:
        figures = dict(test_errors=errors, test_images=len(x_test), test_error_percent=round(100 * error, 2),
                       epochs=recipe["epochs"], train_seconds=round(history.train_time, 1),
                       wall_seconds=round(wall, 1), peak_mb=round(peak_mb), blas_threads=threads,
                       recipe=recipe, date=datetime.date.today().isoformat(), numpy=np.__version__,
                       python=platform.python_version(), machine=platform.machine(),
                       load_average=round(os.getloadavg()[0], 2))
        os.makedirs(os.path.dirname(os.path.abspath(record)), exist_ok=True)
        with open(record, "w") as out:
            json.dump(figures, out, indent=2)
            out.write("\n")
        print(f"    recorded in {record}")


def print_epoch(event, history):
    if event == "epoch_end":
        print(f"    epoch {history.epoch + 1:2d}: loss {history.loss[-1]:.4f}, accuracy {history.accuracy[-1]:.2%} "
              f"(distorted training images), {history.epoch_time[-1]:.0f} s", flush=True)


def main():
    threads = numpy_blas_threads()
    if ARGS.augment:
        if not ARGS.mnist:
            sys.exit("--augment trains on full MNIST: give the folder of its IDX files with --mnist DIR")
        print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
              f"numpy BLAS threads: {threads}")
        augmented_full_mnist(ARGS.mnist, ARGS.augment_epochs, ARGS.record, threads)
        return
    if ARGS.record:
        sys.exit("--record writes the figures of the --augment run; add --augment")
    if ARGS.full_only:
        full_mnist(ARGS.mnist, ARGS.full_epochs)
        return
    print(f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"numpy BLAS threads: {threads}")
    (x, y), (x_test, y_test) = load_mnist(pad_to=32)
    throughput(x, y, x_test, threads)
    subset_accuracy(x, y, x_test, y_test, ARGS.epochs)
    if ARGS.mnist:
        sys.stdout.flush()
        command = [sys.executable, __file__, "--full-only", "--mnist", ARGS.mnist,
                   "--full-epochs", str(ARGS.full_epochs)]
        if ARGS.threads is not None:
            command += ["--threads", str(ARGS.threads)]
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
