"""Draw notebooks/images/series_overview.png, the picture at the top of the README and the index.

    python scripts/make_overview_figure.py
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cnnlib import conv2d, kernels  # noqa: E402
from cnnlib.data import sample_image  # noqa: E402
from cnnlib.plots import IMAGE_CMAP, projector_style  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "notebooks" / "images" / "series_overview.png"


def main():
    projector_style()
    photo = sample_image("hopper", size=256)
    panels = [("original", photo, None),
              ("box blur 3x3", conv2d(photo, kernels.box_blur(), padding="same"), kernels.box_blur()),
              ("sharpen", np.clip(conv2d(photo, kernels.sharpen(), padding="same"), 0, 1), kernels.sharpen()),
              ("edge (notes' kernel)", np.abs(conv2d(photo, kernels.edge(), padding="same")), kernels.edge())]
    fig, axes = plt.subplots(1, 4, figsize=(16, 4.6))
    for ax, (title, image, kernel) in zip(axes, panels):
        if kernel is None:
            ax.imshow(image, cmap=IMAGE_CMAP, vmin=0, vmax=1)
        else:
            ax.imshow(image, cmap=IMAGE_CMAP, vmin=0, vmax=min(1.0, float(image.max())))
            text = "\n".join(" ".join(f"{v:g}" if v == int(v) else "1/9" for v in row) for row in kernel)
            ax.text(0.02, 0.02, text, transform=ax.transAxes, family="monospace", fontsize=11,
                    va="bottom", ha="left", color="black", bbox=dict(facecolor="white", alpha=0.85))
        ax.set_title(title)
        ax.axis("off")
    fig.suptitle("One operation, many effects: the same photo convolved with three 3x3 kernels")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=80)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
