"""Baking cost: bake + unbake a 512×512 PNG, Chemins against the reference bakery.

Chemins walks the PNG chunks on the raw bytes and splices one ``iTXt`` chunk after
``IHDR``; ``openbadges-bakery`` (the baseline, used by badgr-server) reads and rewrites
every chunk through ``pypng``, by default into a temporary file. Both bake the recorded
Moodle 4.3 badge image (512×512 RGBA) and read the badge back, with two payloads: the
recorded Moodle Assertion (30 KB: it embeds the BadgeClass image as a data URI) and a
signed Assertion of the size Chemins issues (a JWS of about 1 KB). The baseline runs
twice: as documented (temporary file) and at its best (in-memory output).

Both sides compute the PNG CRC-32 of the badge chunk when writing it and check it when
reading it back; for the 30 KB payload those two passes are most of Chemins' time.
Each figure is the best of five timed runs. Target: at least 10x the baseline. Prints,
never asserts.

    .venv/bin/python bench/bake.py [COUNT]
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from openbadges_bakery import bake as reference_bake
from openbadges_bakery import unbake as reference_unbake

from badges.openbadges import jws, ob2
from badges.openbadges.baking import bake, unbake
from badges.openbadges.keys import generate_key

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "moodle-4.3"
RoundTrip = Callable[[bytes, str], str]


def chemins(image: bytes, text: str) -> str:
    baked = unbake(bake(image, text))
    assert baked is not None
    return baked.data


def bakery_documented(image: bytes, text: str) -> str:
    baked = reference_bake(io.BytesIO(image), text)  # a NamedTemporaryFile by default
    try:
        return reference_unbake(baked)
    finally:
        baked.close()


def bakery_in_memory(image: bytes, text: str) -> str:
    baked = reference_bake(io.BytesIO(image), text, io.BytesIO())
    baked.seek(0)
    return reference_unbake(baked)


def signed_assertion() -> str:
    """A JWS of the size Chemins issues: BadgeClass linked by URL, RS256 signature."""
    origin = "https://chemins.example"
    document = ob2.assertion(
        id="urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
        recipient=ob2.recipient_identity(identity="nathan@example.org"),
        badge=f"{origin}/ob/v2/badges/3",
        verification=ob2.signed_verification(creator=f"{origin}/ob/v2/keys/1"),
        issued_on=datetime(2026, 11, 28, 20, 0, tzinfo=UTC),
        evidence=[ob2.evidence(id=f"{origin}/evidence/12", narrative="Ran the stand")],
    )
    return jws.sign(document, generate_key("RS256"))


def rate(round_trip: RoundTrip, image: bytes, text: str, count: int) -> float:
    """Round trips per second, best of five runs (the machine may be busy)."""
    if round_trip(image, text) != text:
        raise SystemExit(f"{round_trip.__name__} does not round-trip the badge")
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(count):
            round_trip(image, text)
        best = min(best, time.perf_counter() - start)
    return count / best


def main(count: int = 300) -> None:
    image = (FIXTURES / "badgeimage.png").read_bytes()
    payloads = {
        "Moodle assertion": (FIXTURES / "assertion_obv2.json").read_text(encoding="utf-8"),
        "Chemins signed JWS": signed_assertion(),
    }
    print(f"bake + unbake of a 512x512 PNG ({len(image)} bytes), best of 5 x {count}")
    for name, text in payloads.items():
        ours = rate(chemins, image, text, count)
        documented = rate(bakery_documented, image, text, count)
        in_memory = rate(bakery_in_memory, image, text, count)
        print(f"\n{name} ({len(text)} bytes)")
        for label, speed in (
            ("chemins", ours),
            ("openbadges-bakery (temp file)", documented),
            ("openbadges-bakery (in memory)", in_memory),
        ):
            ratio = "" if speed is ours else f"   chemins is {ours / speed:5.1f}x"
            print(f"  {label:30} {speed:9.0f}/s{ratio}")
    print("\ntarget: >= 10x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
