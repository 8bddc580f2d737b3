"""Write the navigation links of every notebook, the contents of 00_index and of README.md.

Cells are found by marker, never by position, so editing a notebook cannot break them:
- a markdown cell starting with ``<!-- NAV -->`` gets "< previous | contents | next >" links;
- the markdown cell starting with ``<!-- CONTENTS -->`` in 00_index gets the contents list;
- README.md's table between ``<!-- CONTENTS -->`` and ``<!-- /CONTENTS -->`` is rewritten.
Titles come from each notebook's first ``# `` heading; one-line summaries from SERIES below.

    python scripts/build_navigation.py           # rewrite in place
    python scripts/build_navigation.py --check   # exit 1 if anything is out of date
"""
import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NAV_MARKER = "<!-- NAV -->"
CONTENTS_MARKER = "<!-- CONTENTS -->"
README_END = "<!-- /CONTENTS -->"

SERIES = {
    "00_index.ipynb": "the learning path, how to use JupyterLab, the widgets and the checks",
    "01_convolution_1d.ipynb": "a weighted moving average of a flight's readings; valid, same and full; flip or not",
    "02_convolution_2d.ipynb": "the 5x5 worked example (114), blur, sharpen and edge kernels on a real photo",
    "03_volumes_and_filters.ipynb": "RGB volumes, filters that span the full depth, 6 filters giving 28x28x6",
    "04_padding_stride_output_size.ipynb": "the output-size formula and its floor, dilation, AlexNet's and LeNet's shapes",
    "05_convolution_as_a_neural_network.ipynb": "sparse connectivity, weight sharing, the convolution matrix, receptive fields",
    "06_nonlinearities_and_pooling.ipynb": "activations and vanishing gradients, max and average pooling, dropout",
    "07_entropy_and_cross_entropy.ipynb": "entropy, cross-entropy, KL, softmax, the logistic gradient, gradient descent",
    "08_backpropagation.ipynb": "the chain rule through dense, pooling and convolution layers, by hand and as loops; a kernel learned by gradient descent",
    "09_optimisers.ipynb": "mini-batches, momentum, Adam with bias correction, learning-rate decay; a saddle point explored",
    "10_lenet_training.ipynb": "LeNet-5 in numpy: gradient checks, training with live curves, 97% or more on MNIST",
    "11_data_augmentation.ipynb": "random affine and elastic distortions, by hand and vectorised; measured gains on MNIST",
    "12_beyond_lenet.ipynb": "batch norm by hand and in training; AlexNet, VGG-16 and ResNet-18 tables; residual blocks",
}


def notebook_files(folder=NOTEBOOKS):
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def title_of(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError(f"{path.name} has no '# ' title heading in a markdown cell")


def nav_line(files, i):
    parts = []
    if i > 0:
        parts.append(f"[< {title_of(files[i - 1])}]({files[i - 1].name})")
    if files[i].name != "00_index.ipynb":
        parts.append("[Contents](00_index.ipynb)")
    if i + 1 < len(files):
        parts.append(f"[{title_of(files[i + 1])} >]({files[i + 1].name})")
    return NAV_MARKER + "\n" + " | ".join(parts)


def contents_markdown(files):
    lines = [CONTENTS_MARKER, "| # | notebook | what you learn |", "|---|---|---|"]
    for path in files:
        lines.append(f"| {path.name[:2]} | [{title_of(path)}]({path.name}) | {SERIES.get(path.name, '')} |")
    return "\n".join(lines)


def readme_table(files):
    lines = ["| # | notebook | what you learn |", "|---|---|---|"]
    for path in files:
        lines.append(f"| {path.name[:2]} | [{title_of(path)}](notebooks/{path.name}) | {SERIES.get(path.name, '')} |")
    return "\n".join(lines)


def _set_source(cell, text):
    changed = cell.source != text
    cell.source = text
    return changed


def update(check, root=ROOT):
    """Bring navigation and contents up to date (or only report, with ``check``).

    Returns (stale, missing): what was (or would be) rewritten or is malformed, and the
    notebooks SERIES lists that do not exist.
    """
    files = notebook_files(root / "notebooks")
    stale = [f"{p.name}: not listed in SERIES (add its one-line summary)" for p in files if p.name not in SERIES]
    missing = [name for name in SERIES if not (root / "notebooks" / name).exists()]
    for i, path in enumerate(files):
        nb = nbformat.read(path, as_version=4)
        changed = False
        nav_cells = [c for c in nb.cells if c.cell_type == "markdown"
                     and c.source.startswith(NAV_MARKER)]
        if len(nav_cells) != 2:
            stale.append(f"{path.name}: expected 2 navigation cells (top and bottom), found {len(nav_cells)}")
        for cell in nav_cells:
            changed |= _set_source(cell, nav_line(files, i))
        if path.name == "00_index.ipynb":
            contents = [c for c in nb.cells if c.source.startswith(CONTENTS_MARKER)]
            if len(contents) != 1:
                stale.append(f"{path.name}: expected one {CONTENTS_MARKER} cell, found {len(contents)}")
            for cell in contents:
                changed |= _set_source(cell, contents_markdown(files))
        if changed:
            stale.append(f"{path.name}: navigation or contents out of date")
            if not check:
                nbformat.write(nb, path)
    readme = (root / "README.md").read_text()
    pattern = re.compile(re.escape(CONTENTS_MARKER) + r"\n.*?\n" + re.escape(README_END), re.S)
    if not pattern.search(readme):
        stale.append("README.md: no contents markers")
    else:
        new = pattern.sub(lambda _: f"{CONTENTS_MARKER}\n{readme_table(files)}\n{README_END}", readme)
        if new != readme:
            stale.append("README.md: contents table out of date")
            if not check:
                (root / "README.md").write_text(new)
    return stale, missing


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report what is out of date, change nothing")
    args = parser.parse_args()
    stale, missing = update(args.check)
    for name in missing:
        print(f"warning: {name} is listed in SERIES but does not exist")
    for line in stale:
        print(line)
    if args.check and (stale or missing):
        print("run: python scripts/build_navigation.py")
        sys.exit(1)


if __name__ == "__main__":
    main()
