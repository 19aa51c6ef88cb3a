"""Issuing cost: 1,000 awards through the awarding workflow against signing bare.

Each award builds the OB 2.0 Assertion and the OB 3.0 credential, signs both (JWS and
VC-JWT) and stores the row in SQLite. Two ways are measured: a trainer awarding a group
(``award_many``, one transaction) and one award per request (``award``, one transaction
each, so each pays a commit). The baseline signs the very same payloads with
``cryptography`` alone (RSA PKCS#1 v1.5 over SHA-256, base64url framing), so each ratio
is what the domain adds on top of the two signatures every award needs anyway.
Target: at most 2×. Prints, never asserts.

    .venv/bin/python bench/sign.py [COUNT]
"""

from __future__ import annotations

import base64
import json
import sys
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from badges.models import Assertion, BadgeClass, Community
from badges.recognition import signing_keys
from badges.recognition.awarding import Recipient, award, award_many
from badges.recognition.badge_classes import create_badge_class, publish
from badges.recognition.communities import create_community
from badges.storage.database import transaction
from badges.storage.instance import Instance
from badges.storage.migrate import upgrade
from badges.storage.runtime import Runtime


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _payload(token: str) -> bytes:
    segment = token.split(".")[1]
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def main(count: int = 1000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade(url)
        runtime = Runtime.open(
            Instance(Path(folder), url, "bench-secret" * 4, "https://bench.test")
        )
        with transaction(runtime.sessions) as session:
            community = create_community(
                session, name="Bench", slug="bench", url="https://b.test", email="b@b.test"
            )
            badge = publish(
                create_badge_class(session, community, name="Bench", description="d", criteria="c")
            )
            key = signing_keys.ensure_badge_key(session, runtime.sealer, community)
            badge_id, community_id, kid = badge.id, community.id, key.kid
        # Warm up (key unsealing, statement caches) outside the measurement.
        with transaction(runtime.sessions) as session:
            award(session, runtime, session.get(BadgeClass, badge_id), Recipient(email="w@b.test"))

        started = time.perf_counter()
        with transaction(runtime.sessions) as session:
            badge = session.get(BadgeClass, badge_id)
            group = [Recipient(email=f"learner{number}@b.test") for number in range(count)]
            award_many(session, runtime, badge, group)
        batch = time.perf_counter() - started

        started = time.perf_counter()
        for number in range(count):
            with transaction(runtime.sessions) as session:
                badge = session.get(BadgeClass, badge_id)
                award(session, runtime, badge, Recipient(email=f"single{number}@b.test"))
        single = time.perf_counter() - started

        with transaction(runtime.sessions) as session:
            rows = session.query(Assertion).all()
            payloads = [(_payload(a.ob2_jws), _payload(a.ob3_jwt)) for a in rows[1 : count + 1]]
            community = session.get(Community, community_id)
            private = signing_keys.private_key(runtime.sealer, signing_keys.find_key(session, kid))
        header = _b64(json.dumps({"alg": "RS256", "kid": kid}).encode())
        started = time.perf_counter()
        for ob2, ob3 in payloads:
            for payload in (ob2, ob3):
                signing_input = header + b"." + _b64(payload)
                signature = private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
                _ = signing_input + b"." + _b64(signature)
        bare = time.perf_counter() - started
        runtime.engine.dispose()

    print(f"bare signing (2 RS256 per award):        {count / bare:7.0f} awards/s")
    print(f"award_many, one transaction for {count}: {count / batch:7.0f} awards/s")
    print(f"award, one transaction per award:       {count / single:7.0f} awards/s")
    print(f"overhead ratio, group award:   {batch / bare:.2f}x (target <= 2x)")
    print(f"overhead ratio, single awards: {single / bare:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
