"""Peak memory of a block of test code, for the tests that feed bombs and huge sizes to cnnlib."""
import tracemalloc


class Measured:
    """Peak Python/numpy memory of the ``with`` block, in bytes, as ``.peak`` (what a bomb would
    inflate); speed is never asserted with it."""

    def __enter__(self):
        tracemalloc.start()
        return self

    def __exit__(self, *exc):
        self.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
