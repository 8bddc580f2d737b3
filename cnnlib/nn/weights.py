"""Weights on disk: save_weights and load_weights, one .npz archive of named arrays, no pickle."""
import os
import zipfile
import zlib

import numpy as np

from ..data._files import open_regular_file
from .base import Layer

__all__ = ["save_weights", "load_weights"]


def _weights_path(path):
    """``path`` as a file name ending in .npz: np.savez adds the suffix to a name without it,
    so save_weights and load_weights both do, and the same name works for both. A name with
    nothing before the suffix ("", "weights/", ".npz") would make a hidden file called ".npz"."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name (str or pathlib.Path), got {type(path).__name__}")
    path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    name = os.path.basename(path)
    if name.endswith(".npz"):
        name = name[:-len(".npz")]
    if name in ("", ".", ".."):
        raise ValueError(f"path must name a file, e.g. 'lenet5' or 'weights/lenet5.npz', got {path!r}")
    return path if path.endswith(".npz") else path + ".npz"


def _check_model(model, function):
    """Refuse, with a hint, what is not a model: None, a class or function not yet called, or the
    arguments the wrong way round (``save_weights("w", model)``)."""
    if isinstance(model, type):
        raise TypeError(f"model must be a cnnlib.nn layer or model, got the class {model.__name__}: create a "
                        f"model first, e.g. {model.__name__}(...)")
    if callable(model) and not isinstance(model, Layer) and hasattr(model, "__name__"):
        raise TypeError(f"model must be a cnnlib.nn layer or model, got the function {model.__name__}: call it, "
                        f"e.g. {model.__name__}()")
    if not isinstance(model, Layer) and not (callable(getattr(model, "named_parameters", None))
                                             and callable(getattr(model, "named_buffers", None))):
        hint = f"; the order is {function}(model, path)" if isinstance(model, (str, bytes)) else ""
        raise TypeError(f"model must be a cnnlib.nn layer or model (e.g. lenet5()), got {type(model).__name__}{hint}")


def _non_finite(name, array, dtype=None):
    """A sentence saying that ``array`` holds NaN or inf (as ``dtype``), or None when it does not."""
    with np.errstate(over="ignore", invalid="ignore"):
        bad = ~np.isfinite(array if dtype is None else array.astype(dtype))
    if not bad.any():
        return None
    where = np.unravel_index(int(np.argmax(bad)), array.shape) if array.ndim else ()
    as_type = f" as {np.dtype(dtype)}" if dtype is not None and np.dtype(dtype) != array.dtype else ""
    return (f"{name} holds NaN or infinite values ({int(bad.sum())} of {array.size}){as_type}, the first at "
            f"index {tuple(int(i) for i in where)}")


def save_weights(model, path):
    """Save every parameter under its name ("0.weight", ...) with ``np.savez`` (no pickle), and
    batch norm's running statistics ("1.running_mean", ...), which inference needs.

    ``.npz`` is added to ``path`` unless it already ends so; returns the name written, which
    :func:`load_weights` accepts with or without the suffix. The file is written under a
    temporary name and renamed into place when complete, so an interrupted save leaves the
    previous file whole. A model with NaN or infinite weights (a diverged run) is refused, as
    load_weights would refuse the file.

    Inputs:   model  a cnnlib.nn layer or model
              path   a file name (str or pathlib.Path), with or without ``.npz``
    Returns:  the file name written (a str ending in ``.npz``), one array per parameter.

    >>> import os, tempfile
    >>> from cnnlib.nn import lenet5
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = save_weights(lenet5(), os.path.join(folder.name, "lenet5"))
    >>> os.path.basename(path)
    'lenet5.npz'
    >>> with np.load(path) as saved:                      # 5 layers with weights: 10 arrays
    ...     print(len(saved.files), saved["0.weight"].shape, saved["11.bias"].shape)
    10 (6, 1, 5, 5) (10,)
    >>> save_weights(lenet5(), "")
    Traceback (most recent call last):
    ...
    ValueError: path must name a file, e.g. 'lenet5' or 'weights/lenet5.npz', got ''
    >>> folder.cleanup()
    """
    _check_model(model, "save_weights")
    path = _weights_path(path)
    arrays = _saved_arrays(model)
    broken = [problem for name, array in arrays.items() if (problem := _non_finite(name, array))]
    if broken:
        raise ValueError(f"the model's {broken[0]}{' (and more)' if len(broken) > 1 else ''}: it comes from a "
                         "diverged run, and load_weights refuses such files; train again (with a smaller "
                         "learning rate) and save then")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot save {path}: the folder {folder} does not exist (create it with "
                                "os.makedirs first)")
    # A fresh name of this save's own (O_EXCL), with mode 0o666 so the umask gives the file the usual
    # permissions; renamed over ``path`` only when np.savez has finished.
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}-{os.urandom(6).hex()}.part")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def _saved_arrays(model):
    """Everything save_weights stores: the parameters and the buffers (batch norm's running
    statistics, without which a trained batch-norm network predicts wrongly after loading)."""
    return {**dict(model.named_parameters()), **dict(model.named_buffers())}


def _not_an_npz(path, start):
    """Why the file that begins with the bytes ``start`` is not a weights file."""
    if not start:
        found = "it is empty"
    elif start.startswith(b"\x89PNG"):
        found = "it is a PNG image"
    elif start.startswith(b"\x93NUMPY"):
        found = "it is a single .npy array (np.save writes those); save the model with save_weights"
    elif start[0] == 0x80:
        found = "it is a Python pickle (pickle.dump or torch.save), which cnnlib never loads: unpickling can run code"
    elif start.startswith(b"\x1f\x8b"):
        found = "it is gzip-compressed"
    elif all(32 <= byte < 127 or byte in b"\t\r\n" for byte in start):
        found = f"it is a text file beginning {start[:24].decode('ascii')!r}"
    else:
        found = f"it begins with the bytes {start[:8].hex(' ')}"
    return ValueError(f"{path} is not a weights file: load_weights expects the .npz archive save_weights "
                      f"writes (a zip of .npy arrays, beginning 'PK'), but {found}")


def load_weights(model, path):
    """Load weights saved by :func:`save_weights` into ``model`` (in place; returns the model).

    ``path`` as given to save_weights (``.npz`` is added unless it ends so). The file must hold
    exactly the model's parameter names, each with the model's shape, and nothing else;
    otherwise a ValueError lists what is missing, unexpected or of the wrong shape. Names and
    shapes are read from the archive's directory and the arrays' headers before any array is
    loaded, so a hostile file cannot make it unpack more than the model's own size. A file
    that is not an .npz archive gets a ValueError saying what it is instead, and so does a path
    that is not a regular file (a folder, a named pipe, a device), before it is opened.

    All or nothing: every array is read and checked (finite in the model's dtype) into a
    temporary copy first, and the model is changed only when all of them are good, so a damaged
    file, or one with NaN or inf (saved from a diverged run), leaves the model as it was.

    Inputs:   model  a cnnlib.nn layer or model with the saved parameters' names and shapes
              path   the name given to (or returned by) save_weights, str or pathlib.Path
    Returns:  ``model`` itself, its parameter arrays overwritten in place.

    >>> import os, tempfile
    >>> from cnnlib.nn import lenet5
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = save_weights(lenet5(rng=0), os.path.join(folder.name, "lenet5"))
    >>> model = load_weights(lenet5(rng=1), path)         # other initial weights, then seed 0's
    >>> all(np.array_equal(p, q) for (_, p), (_, q) in zip(model.named_parameters(),
    ...                                                    lenet5(rng=0).named_parameters()))
    True
    >>> load_weights(lenet5(num_classes=2), path)
    Traceback (most recent call last):
    ...
    ValueError: ...lenet5.npz does not fit this model: wrong shape 11.weight: file (10, 84), model (2, 84); ...
    >>> folder.cleanup()
    """
    _check_model(model, "load_weights")
    path = _weights_path(path)
    params = _saved_arrays(model)
    # What a damaged archive can raise while it is read: zipfile's and numpy's own errors, zlib's
    # for corrupt deflate data, NotImplementedError for an unknown compression, RuntimeError for
    # an encrypted member, EOFError for a member cut short.
    damaged = (zipfile.BadZipFile, ValueError, EOFError, zlib.error, NotImplementedError, RuntimeError)
    with open_regular_file(path, "a weights file") as file:
        start = file.read(64)
        if not start.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            raise _not_an_npz(path, start)
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                stored = _check_archive(path, archive, params)
                loaded = {}
                for name, param in params.items():
                    with archive.open(stored[name]) as member:
                        array = np.lib.format.read_array(member, allow_pickle=False)
                    if array.shape != param.shape:
                        raise ValueError(f"{name} holds {array.shape}, its header said {param.shape}")
                    loaded[name] = array
        except _DoesNotFit as err:
            raise ValueError(str(err)) from None
        except damaged as err:
            raise ValueError(f"{path} is a damaged .npz archive ({err}); save the weights again") from None
    for name, param in params.items():
        problem = _non_finite(name, loaded[name], param.dtype)
        if problem:
            raise ValueError(f"{path}: {problem}. It was saved from a diverged run (or edited); the model was left "
                             "as it was. Train again with a smaller learning rate and save then")
        loaded[name] = loaded[name].astype(param.dtype)
    # Read at call time, not at the top: cnnlib.train imports cnnlib.nn (for the loss), so a
    # top-level import here would make each package wait for the other to finish loading.
    from ..train import _interrupts_deferred          # a Ctrl-C must not stop the copy half way
    with _interrupts_deferred():
        for name, param in params.items():
            param[...] = loaded[name]
    return model


def _check_archive(path, archive, params):
    """The archive's member for each of ``params``, after checking from its directory and the
    arrays' headers alone (nothing is unpacked) that it holds exactly the model's names and shapes."""
    members = archive.namelist()
    stored = {member[:-len(".npy")]: member for member in members if member.endswith(".npy")}
    missing = sorted(set(params) - set(stored))
    unexpected = sorted(set(stored) - set(params)) + sorted(m for m in members if not m.endswith(".npy"))
    wrong, not_numbers = [], []
    for name, param in params.items():
        if name not in stored:
            continue
        with archive.open(stored[name]) as member:
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(np.lib.format.read_magic(member))
            if read_header is None:
                raise ValueError(f"{stored[name]} has an .npy format version save_weights does not write")
            shape, _, dtype = read_header(member)
        if shape != param.shape:
            wrong.append(f"{name}: file {shape}, model {param.shape}")
        elif dtype.kind not in "biuf":
            not_numbers.append(f"{name} ({dtype})")
    if missing or unexpected or wrong or not_numbers:
        problems = ([f"missing {', '.join(missing)}"] if missing else []) + \
                   ([f"unexpected {', '.join(unexpected)}"] if unexpected else []) + \
                   ([f"wrong shape {'; '.join(wrong)}"] if wrong else []) + \
                   ([f"not numbers {', '.join(not_numbers)}"] if not_numbers else [])
        raise _DoesNotFit(f"{path} does not fit this model: " + " | ".join(problems))
    return stored


class _DoesNotFit(Exception):
    """Raised inside load_weights' reading block, where ValueError means a damaged archive."""
