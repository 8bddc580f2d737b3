"""Argument checks shared by cnnlib's functions, so every error names the argument and the rule."""
import numbers

import numpy as np


def as_positive_int(value, name):
    """Return ``value`` as an int >= 1, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}")
    return int(value)


def as_nonnegative_int(value, name):
    """Return ``value`` as an int >= 0, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")
    return int(value)


def as_pair(value, name, convert):
    """An int or a pair of ints -> a (rows, cols) tuple checked by ``convert``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (rows, cols), got {value!r}")
        return convert(value[0], name), convert(value[1], name)
    v = convert(value, name)
    return v, v


def as_float_array(x, name):
    """``x`` as a floating numpy array (float64 unless it already is float32/float64).

    Complex numbers are refused rather than cast: the cast would drop the imaginary part with
    only a warning, and every function here works on real numbers.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}")
    arr = np.asarray(x)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"{name} must be an array of numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got complex numbers (dtype {arr.dtype}); "
                        f"pass the real part (x.real) or the magnitude (abs(x)) if that is what you mean")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    return arr


def check_ndim(arr, name, allowed, meaning):
    """Raise unless ``arr.ndim`` is in ``allowed``; ``meaning`` describes the accepted layouts."""
    if arr.ndim not in allowed:
        raise ValueError(f"{name} must be {meaning}; got an array with {arr.ndim} dimensions, shape {arr.shape}")


def as_rng(rng):
    """A numpy Generator from ``rng``: None (fresh, unpredictable), an int seed, or a Generator
    (returned as it is, so several calls can share one stream). Every random function in cnnlib
    takes its randomness this way, as an argument named ``rng``.

    >>> bool(as_rng(0).integers(10) == as_rng(0).integers(10))
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {type(rng).__name__}")


def format_bytes(n_bytes):
    """1536 -> '1.5 KiB', 7.8e9 -> '7.3 GiB': sizes in the binary units memory is sold in."""
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n_bytes >= scale:
            value = n_bytes / scale
            return f"{value:.1f} {unit}" if value < 10**5 else f"{value:.3g} {unit}"
    return f"{int(n_bytes)} bytes"


def check_allocation(what, parts, max_bytes=None):
    """Refuse, before anything is allocated, a call whose arrays would need more than the limit.

    ``parts`` maps a description of each array to its size in bytes (Python ints, so sizes far
    beyond memory do not overflow); the ValueError names the total, each part, the limit and how
    to raise it. The limit is ``max_bytes`` when given (the caller's ``max_bytes=`` argument),
    otherwise ``cnnlib.conv.MAX_BYTES`` (1 GiB), the one default for every function of cnnlib
    that allocates in proportion to its arguments. Without this, numpy would try to allocate many
    GiB and the machine would swap, or the kernel would end the process. Returns the total; the
    error reads "demo would allocate 2.0 GiB (output 2.0 GiB), more than the limit of 1.0 GiB. Use
    a smaller input, or raise the limit for this call with max_bytes=<bytes> (default: ...)".

    >>> check_allocation("demo", {"padded input": 2048, "output": 1024}, max_bytes=2**20)
    3072
    """
    if max_bytes is None:
        from . import conv       # the limit lives where the README documents it; read it at call time
        limit = conv.MAX_BYTES
    else:
        limit = as_positive_int(max_bytes, "max_bytes")
    total = sum(parts.values())
    if total > limit:
        detail = ", ".join(f"{name} {format_bytes(size)}" for name, size in parts.items())
        raise ValueError(f"{what} would allocate {format_bytes(total)} ({detail}), more than the limit of "
                         f"{format_bytes(limit)}. Use a smaller input, or raise the limit for this call with "
                         f"max_bytes=<bytes> (default: cnnlib.conv.MAX_BYTES)")
    return total
