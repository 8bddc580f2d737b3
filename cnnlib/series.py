"""The series' manifest: every notebook once, in order, with its number, slug, title and summary.

Everything that lists the notebooks reads it: the navigation builder (links, the contents of
00_index and README.md, each notebook's title heading), the structure tests, the browser tests,
the exercise and answer tests, the student-edition and course builders, the benchmarks, and
:func:`cnnlib.exercises.check_answer`, whose first argument is a notebook's slug and whose answer
table is ``cnnlib/answers/<slug>.py``.

Adding a notebook is its file, ``notebooks/NN_<slug>.ipynb``, and one entry below (plus
``cnnlib/answers/<slug>.py`` if it asks number questions); then ``python
scripts/build_navigation.py`` writes its links and contents. Renumbering is changing the numbers
here, renaming the files to match and running the same script: slugs, and so the answer keys
``check_answer("<slug>", ...)`` in the notebooks, stay as they are.

Nothing here imports more than the standard library: importing cnnlib stays cheap.
"""
import re
from dataclasses import dataclass
from pathlib import Path

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")      # a Python identifier too: cnnlib/answers/<slug>.py


@dataclass(frozen=True)
class Notebook:
    """One notebook of the series: ``number`` two digits ("06"), ``slug`` its name without the number
    ("nonlinearities_and_pooling"), ``title`` its title without the number, ``summary`` one line
    for the contents tables."""
    number: str
    slug: str
    title: str
    summary: str

    @property
    def stem(self):
        return f"{self.number}_{self.slug}"

    @property
    def file(self):
        return f"{self.stem}.ipynb"

    @property
    def heading(self):
        """The notebook's title as its first ``# `` heading shows it: "06 · Non-linearities and pooling"
        (the contents page, 00, carries the series' name alone)."""
        return self.title if self.number == "00" else f"{self.number} · {self.title}"


SERIES = (
    Notebook("00", "index", "CNNs from the Ground Up",
             "the learning path, how to use JupyterLab, the widgets and the checks"),
    Notebook("01", "convolution_1d", "Convolution in 1D: a weighted moving average",
             "a weighted moving average of a flight's readings; valid, same and full; flip or not"),
    Notebook("02", "convolution_2d", "Convolution in 2D: kernels that blur, sharpen and find edges",
             "the 5x5 worked example (114), blur, sharpen and edge kernels on a real photo"),
    Notebook("03", "volumes_and_filters", "Volumes and filters: convolution on colour images",
             "RGB volumes, filters that span the full depth, 6 filters giving 28x28x6"),
    Notebook("04", "padding_stride_output_size", "Padding, stride and the size of the output",
             "the output-size formula and its floor, dilation, AlexNet's and LeNet's shapes"),
    Notebook("05", "convolution_as_a_neural_network", "Convolution as a neural network",
             "sparse connectivity, weight sharing, the convolution matrix, receptive fields"),
    Notebook("06", "nonlinearities_and_pooling", "Non-linearities and pooling",
             "activations and vanishing gradients, max and average pooling, dropout"),
    Notebook("07", "entropy_and_cross_entropy", "Entropy, cross-entropy and the loss a CNN minimises",
             "entropy, cross-entropy, KL, softmax, the logistic gradient, gradient descent"),
    Notebook("08", "backpropagation", "Backpropagation through a CNN",
             "the chain rule through dense, pooling and convolution layers, by hand and as loops; "
             "a kernel learned by gradient descent"),
    Notebook("09", "optimisers", "Optimisers: mini-batches, momentum, Adam and learning-rate decay",
             "mini-batches, momentum, Adam with bias correction, learning-rate decay; a saddle point explored"),
    Notebook("10", "lenet_training", "Training LeNet-5 on MNIST",
             "LeNet-5 in numpy: gradient checks, training with live curves, 97% or more on MNIST"),
    Notebook("11", "data_augmentation", "Data augmentation: more digits from the ones you have",
             "random affine and elastic distortions, by hand and vectorised; measured gains on MNIST"),
    Notebook("12", "beyond_lenet", "Beyond LeNet-5: batch normalisation and the networks that followed",
             "batch norm by hand and in training; AlexNet, VGG-16 and ResNet-18 tables; residual blocks"),
)


def _series(series):
    return SERIES if series is None else tuple(series)


def notebook(slug, series=None):
    """The manifest's entry for a notebook, found by its slug.

    Inputs:   slug    a notebook's slug, a str such as "nonlinearities_and_pooling"
              series  the manifest to search (default: :data:`SERIES`)
    Returns:  the :class:`Notebook`; raises ``KeyError`` naming the slugs that exist.

    >>> notebook("nonlinearities_and_pooling").file
    '06_nonlinearities_and_pooling.ipynb'
    """
    entries = _series(series)
    for entry in entries:
        if entry.slug == slug:
            return entry
    raise KeyError(f"the series has no notebook {slug!r}; its slugs are {[e.slug for e in entries]}")


def problems(folder, series=None):
    """What does not match between a notebooks folder and the manifest (file names only).

    Inputs:   folder  a folder of notebooks (``NN_*.ipynb``), a path
              series  the manifest (default: :data:`SERIES`)
    Returns:  a list of str, one per problem (empty when they match): numbers that do not run
              00, 01, ... in order, repeated or malformed slugs, listed notebooks without a file,
              files the manifest does not list.

    >>> import tempfile
    >>> problems(tempfile.mkdtemp(), SERIES[:1])
    ['00_index.ipynb: listed in cnnlib/series.py but absent from the folder']
    """
    entries, folder = _series(series), Path(folder)
    found = []
    numbers = [e.number for e in entries]
    if numbers != [f"{i:02d}" for i in range(len(entries))]:
        found.append(f"the manifest's numbers must run 00, 01, ... in order: {numbers}")
    slugs = [e.slug for e in entries]
    found += [f"slug {s!r} is listed {slugs.count(s)} times" for s in sorted(set(slugs)) if slugs.count(s) > 1]
    found += [f"slug {s!r} is not lower-case letters, digits and _" for s in slugs if not SLUG.match(s)]
    found += [f"{e.file}: listed in cnnlib/series.py but absent from the folder"
              for e in entries if not (folder / e.file).is_file()]
    listed = {e.file for e in entries}
    found += [f"{p.name}: not listed in cnnlib/series.py (add one entry to SERIES)"
              for p in sorted(folder.glob("[0-9][0-9]_*.ipynb")) if p.name not in listed]
    return found


__all__ = ["Notebook", "SERIES", "notebook", "problems"]
