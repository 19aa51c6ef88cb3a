"""Evidence photo cost: a 12-megapixel phone JPEG through ``process_photo`` against Pillow bare.

Chemins checks the upload, asks libjpeg to decode at reduced scale (DCT scaling), turns
the picture upright, shrinks it to 1600 px, strips every piece of metadata and re-encodes
it (JPEG quality 82, optimised, progressive). The baseline is the least any service that
keeps uploads as JPEG must do: ``Image.open`` and ``save`` of the same file at the same
quality, full size, no resize, no orientation (and it keeps nothing it is not given, so
it strips EXIF too, by accident rather than by design).

The photo is made here: 4000×3000, gradients plus sensor-like noise (so it does not
compress to nothing: about 4-6 MB, like a real phone photo), with EXIF orientation 6 and
GPS coordinates.

Time: best of ``ROUNDS`` runs of ``COUNT`` photos, in this process. Peak memory: each
variant runs once in a fresh subprocess which, once Python, Pillow and the photo's bytes
are loaded, resets the kernel's peak resident set size (``/proc/self/clear_refs``) and
reports the peak after processing (``VmHWM``) minus the resident size before (``VmRSS``).
Linux only. Not ``tracemalloc``: Pillow allocates image memory in C, out of its sight;
not ``getrusage``'s ``ru_maxrss``: Linux carries it across ``exec`` from the parent, so
a child started by this (large) process would report the parent's peak. Prints, never
asserts.

    .venv/bin/python bench/photo.py [COUNT]
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import ExifTags, Image, ImageChops

from badges.images.photos import JPEG_QUALITY, process_photo

ROUNDS = 3
Variant = Callable[[bytes], bytes]


def phone_photo() -> bytes:
    """A 4000×3000 JPEG as a phone writes it: noisy gradients, orientation, GPS."""
    width, height = 4000, 3000
    horizontal = Image.linear_gradient("L").rotate(90).resize((width, height))
    vertical = Image.linear_gradient("L").resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 24)
    picture = Image.merge(
        "RGB",
        (
            ImageChops.add(horizontal, noise, scale=1.3, offset=-40),
            ImageChops.add(vertical, noise, scale=1.3, offset=-30),
            ImageChops.add(radial, noise, scale=1.3, offset=-20),
        ),
    )
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}
    )
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=92, exif=exif)
    return out.getvalue()


def chemins(data: bytes) -> bytes:
    return process_photo(data).data


def plain_pillow(data: bytes) -> bytes:
    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.save(out, format="JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


VARIANTS: dict[str, Variant] = {
    "chemins process_photo": chemins,
    "Pillow open + save": plain_pillow,
}


def milliseconds_per_photo(variant: Variant, data: bytes, count: int) -> float:
    variant(data)  # warm up: imports, plugin registration
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(count):
            variant(data)
        best = min(best, time.perf_counter() - start)
    return best / count * 1000


def peak_megabytes(name: str, path: Path) -> float:
    """Run ``name`` once in a fresh interpreter; its peak RSS growth in MB."""
    result = subprocess.run(
        [sys.executable, __file__, "--child", name, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)["peak_mb"]


def child(name: str, path: str) -> None:
    data = Path(path).read_bytes()
    Path("/proc/self/clear_refs").write_text("5")  # peak RSS := current RSS
    before = _status_kilobytes("VmRSS")
    VARIANTS[name](data)
    print(json.dumps({"peak_mb": (_status_kilobytes("VmHWM") - before) / 1024}))


def _status_kilobytes(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def main(count: int = 10) -> None:
    data = phone_photo()
    photo = process_photo(data)
    print(
        f"12-megapixel phone JPEG: 4000x3000, {len(data) / 1e6:.1f} MB; "
        f"chemins makes {photo.width}x{photo.height}, {len(photo.data) / 1e3:.0f} KB; "
        f"plain Pillow makes 4000x3000, {len(plain_pillow(data)) / 1e6:.1f} MB"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "phone.jpg"
        path.write_bytes(data)
        figures = {
            name: (milliseconds_per_photo(variant, data, count), peak_megabytes(name, path))
            for name, variant in VARIANTS.items()
        }
    base_ms, base_mb = figures["Pillow open + save"]
    print(f"best of {ROUNDS} x {count} photos; peak = RSS growth in a fresh subprocess\n")
    print(f"  {'variant':24} {'ms/photo':>9} {'vs base':>8} {'peak MB':>8} {'vs base':>8}")
    for name, (ms, mb) in figures.items():
        print(f"  {name:24} {ms:9.0f} {ms / base_ms:7.2f}x {mb:8.0f} {mb / base_mb:7.2f}x")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
