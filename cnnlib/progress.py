"""One progress bar for everything in cnnlib that makes you wait: training (``fit``) and
downloading MNIST (``download_mnist``).

:func:`progress_bar` gives tqdm's bar (a widget in Jupyter, a line of text in a terminal) when
``show`` is true; a plain-text stand-in when tqdm is not installed (it is a dependency, but an
environment put together by hand may lack it, and a download should not fail for a missing bar);
and a silent stand-in when ``show`` is false. All three answer the same few calls, the ones
tqdm names: ``update(n)``, ``set_description(text)``, ``set_postfix(name=value, ...)`` and
``close()``, and work in a ``with`` block, so the code that reports progress never asks which
one it has.
"""
import sys

__all__ = ["progress_bar"]


def progress_bar(total, label="", *, unit="it", show=True):
    """A progress bar counting up to ``total``: tqdm's, a plain-text one, or a silent one.

    ``unit="B"`` counts bytes and shows them as kB/MB. The plain-text bar (tqdm missing) prints
    to stderr, like tqdm, one line every 10% and a last line on ``close()``.

    Inputs:   total  the count at which the work is done (an int), or None when unknown
              label  text in front of the bar (``set_description`` changes it)
              unit   what is counted: "it", "batch", "B" (bytes), ...
              show   False for a bar that prints nothing (same methods, so callers need no if)
    Returns:  an object with update(n), set_description(text), set_postfix(**figures), close(),
              usable as ``with progress_bar(...) as bar:``; ``bar.n`` is the count so far.

    >>> with progress_bar(4, "epoch 1/1", unit="batch", show=False) as bar:   # silent
    ...     for batch in range(4):
    ...         bar.update(1)
    ...         bar.set_postfix(loss=f"{1 / (batch + 1):.2f}")
    >>> bar.n, bar.total
    (4, 4)
    """
    if not show:
        return _PlainBar(total, label, unit, quiet=True)
    try:
        from tqdm.auto import tqdm      # imported here: tqdm.auto looks for Jupyter on import
    except ImportError:
        return _PlainBar(total, label, unit, quiet=False)
    return tqdm(total=total, desc=label, unit=unit, unit_scale=unit == "B", leave=True)


class _PlainBar:
    """tqdm's calls, answered with a line of text every 10% on stderr, or (quiet) with nothing."""

    def __init__(self, total, label, unit, quiet):
        self.total, self.label, self.unit, self.quiet = total, label, unit, quiet
        self.n, self.postfix, self.shown, self.closed = 0, "", -1, False

    def update(self, n=1):
        self.n += n
        if self.total:
            percent = 100 * self.n // self.total
            if percent // 10 != self.shown // 10:          # a new tenth: say so, else stay quiet
                self.shown = percent
                self._print(f"\r{self.label}: {percent}%{self.postfix}", end="")

    def set_description(self, text, refresh=True):
        self.label = text

    def set_postfix(self, ordered_dict=None, refresh=True, **figures):
        figures = {**(ordered_dict or {}), **figures}
        self.postfix = "".join(f" {name}={value}" for name, value in figures.items())

    def close(self):
        if not self.closed:             # tqdm's close may be called twice; print the last line once
            self.closed = True
            self._print(f"\r{self.label}: {self.n} {self.unit}{self.postfix}")

    def _print(self, text, end="\n"):
        if not self.quiet:
            print(text, end=end, file=sys.stderr, flush=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
