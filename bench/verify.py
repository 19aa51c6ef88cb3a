"""Verification speed: 1,000 baked badges checked as ``chemins verify`` checks them.

Awards 1,000 badges in a SQLite instance, bakes each into a PNG file (OB 2.0 JWS) and
another 1,000 into PNG files carrying the OB 3.0 VC-JWT, then verifies every file
in-process through :func:`badges.openbadges.verify.verify_source` with the loader the
command uses for its own instance (documents read from the database, no network).
Prints badges per second; never asserts.

    .venv/bin/python bench/verify.py [COUNT]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from badges.openbadges.baking import bake
from badges.openbadges.verify import verify_source
from badges.publishing.hosted import OwnDocuments
from badges.publishing.public_urls import PublicUrls
from badges.recognition.awarding import Recipient, award_many
from badges.recognition.badge_classes import create_badge_class, publish
from badges.recognition.communities import create_community
from badges.storage.database import transaction
from badges.storage.instance import Instance
from badges.storage.migrate import upgrade
from badges.storage.runtime import Runtime


def main(count: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        url = f"sqlite:///{root / 'bench.db'}"
        upgrade(url)
        runtime = Runtime.open(Instance(root, url, "bench-secret" * 4, "https://bench.test"))
        files: dict[str, list[Path]] = {"2.0": [], "3.0": []}
        with transaction(runtime.sessions) as session:
            community = create_community(
                session, name="Bench", slug="bench", url="https://b.test", email="b@b.test"
            )
            badge = publish(
                create_badge_class(session, community, name="Bench", description="d", criteria="c")
            )
            group = [Recipient(email=f"learner{n}@b.test") for n in range(count)]
            for number, assertion in enumerate(award_many(session, runtime, badge, group)):
                for version, signed in (("2.0", assertion.ob2_jws), ("3.0", assertion.ob3_jwt)):
                    path = root / f"{version}-{number}.png"
                    path.write_bytes(bake(badge.image_png, signed, version=version))
                    files[version].append(path)

        urls = PublicUrls(runtime.instance.origin)
        for version, paths in files.items():
            valid = 0
            started = time.perf_counter()
            for path in paths:
                with runtime.sessions() as session:
                    report = verify_source(str(path), OwnDocuments(session, urls))
                valid += report.valid
            elapsed = time.perf_counter() - started
            print(
                f"OB {version} baked PNG: {len(paths)} verified in {elapsed:.2f} s = "
                f"{len(paths) / elapsed:.0f} badges/s ({valid} valid)"
            )
        runtime.engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
