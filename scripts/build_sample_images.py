"""Build data/grace_hopper.npz: the Grace Hopper portrait as a uint8 RGB array.

The photograph is the public-domain U.S. Navy portrait that matplotlib ships as sample data
(mpl-data/sample_data/grace_hopper.jpg). It is decoded once here, with Pillow, and stored as
an array (key "image", 600 x 512 x 3 uint8) so that cnnlib reads it with numpy alone.

Usage (from the repository root):
    python scripts/build_sample_images.py [--jpeg PATH] [--out data/grace_hopper.npz]
JPEG decoders may differ in the last bit between libjpeg versions, so a rebuild elsewhere can
give a slightly different file: then update _HOPPER_SHA256 in cnnlib/data/samples.py and the table in
data/README.md, or keep the shipped file.
"""
import argparse
import hashlib
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def matplotlib_hopper_path():
    import matplotlib.cbook
    return Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jpeg", default=None, help="the portrait (default: matplotlib's sample data)")
    parser.add_argument("--out", default=str(REPO / "data" / "grace_hopper.npz"))
    args = parser.parse_args()

    from PIL import Image
    jpeg = Path(args.jpeg) if args.jpeg else matplotlib_hopper_path()
    with Image.open(jpeg) as photo:
        image = np.asarray(photo.convert("RGB"), dtype=np.uint8)
    np.savez_compressed(args.out, image=image)
    digest = hashlib.sha256(Path(args.out).read_bytes()).hexdigest()
    print(f"wrote {args.out}: {image.shape} {image.dtype} from {jpeg}, "
          f"{Path(args.out).stat().st_size} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
