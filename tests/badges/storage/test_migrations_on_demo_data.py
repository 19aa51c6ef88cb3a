"""Migration 0010 on a database that holds data, on SQLite and on PostgreSQL.

A database is brought to 0009 and filled, with plain Core statements shaped like 0009's
schema, with what the demo and a course held then: a community with its issuer and a
partner, badge classes, people of a platform with their memberships, awards to LTI
accounts and to e-mails, endorsements of a badge class, of an award and of a profile.
Then every migration runs up to the head, down to 0009 and up again, and each time the
rows must say the same thing in the shape of the schema they are in.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection, make_url

from badges.storage.database import make_engine
from badges.storage.migrate import alembic_config, upgrade

BEFORE = "0009"
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
MOODLE = "https://moodle.example.org"
_counter = itertools.count()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (not the migrated template), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'chemins.db'}"
        return
    base = os.environ.get("CHEMINS_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("no PostgreSQL cluster (run the suite with `make test`)")
    name = f"m_{os.getpid()}_{next(_counter)}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _type_of(value: Any) -> sa.types.TypeEngine[Any]:
    if isinstance(value, datetime):
        return sa.DateTime(timezone=True)
    if isinstance(value, bool):
        return sa.Boolean()
    if isinstance(value, bytes):
        return sa.LargeBinary()
    if isinstance(value, list):
        return sa.JSON()
    return sa.String()


def _insert(connection: Connection, table: str, **values: Any) -> None:
    """One row, by Core, into ``table`` as the schema of the moment has it."""
    columns = [sa.column(name, _type_of(value)) for name, value in values.items()]
    connection.execute(sa.insert(sa.table(table, *columns)).values(**values))


def _award(connection: Connection, id: str, badge: str, **recipient: Any) -> None:
    _insert(
        connection,
        "assertion",
        id=id,
        badge_class_id=badge,
        recipient_salt="salt",
        recipient_public=False,
        issued_on=NOW,
        created_at=NOW,
        updated_at=NOW,
        **recipient,
    )


def _fill_as_at_0009(url: str) -> None:
    """The demo community, a Moodle course of it, awards and endorsements, as 0009 held them."""
    engine = make_engine(url)
    with engine.begin() as c:
        _insert(
            c,
            "community",
            id="c",
            name="Les Tilleuls",
            slug="les-tilleuls",
            language="fr",
            created_at=NOW,
        )
        for profile, kind in (("issuer", "issuer"), ("mairie", "partner")):
            _insert(
                c,
                "profile",
                id=profile,
                community_id="c",
                kind=kind,
                name=profile,
                url=f"https://{profile}.example.org",
                verified=True,
                created_at=NOW,
            )
        for badge in ("supporter", "explorer", "actor"):
            _insert(
                c,
                "badge_class",
                id=badge,
                community_id="c",
                issuer_id="issuer",
                name=badge,
                description="d",
                criteria_narrative="c",
                image_png=b"\x89PNG",
                language="fr",
                tags=["jeunesse"],
                status="published",
                created_at=NOW,
                updated_at=NOW,
            )
        _insert(c, "lti_platform", id="moodle", issuer=MOODLE, created_at=NOW)
        _insert(
            c,
            "lti_registration",
            id="r",
            platform_id="moodle",
            client_id="x",
            auth_login_url=f"{MOODLE}/auth",
            auth_token_url=f"{MOODLE}/token",
            jwks_url=f"{MOODLE}/certs",
            created_at=NOW,
        )
        _insert(
            c,
            "lti_deployment",
            id="d",
            registration_id="r",
            deployment_id="1",
            community_id="c",
            created_at=NOW,
        )
        _insert(
            c,
            "lti_context",
            id="course",
            deployment_id="d",
            context_id="course-1",
            created_at=NOW,
            updated_at=NOW,
        )
        ags = "https://purl.imsglobal.org/spec/lti-ags/scope/"
        for link, scopes in LINK_SCOPES_AT_0009.items():
            _insert(
                c,
                "lti_resource_link",
                id=link,
                deployment_id="d",
                context_id="course",
                resource_link_id=link,
                ags_scopes=[ags + scope for scope in scopes],
                created_at=NOW,
                updated_at=NOW,
            )
        people = {
            "nathan": "nathan@example.org",
            "sylvie": None,  # the platform does not share her e-mail
            "ines": "Ines@Example.org",
            "twin-1": "twins@example.org",
            "twin-2": "twins@example.org",
        }
        for sub, email in people.items():
            _insert(
                c,
                "person",
                id=f"p-{sub}",
                platform_id="moodle",
                sub=sub,
                email=email,
                created_at=NOW,
                updated_at=NOW,
            )
            _insert(
                c,
                "membership",
                id=f"m-{sub}",
                person_id=f"p-{sub}",
                context_id="course",
                lti_roles=[],
                role="learner",
                created_at=NOW,
                updated_at=NOW,
            )
        # Awards given in the course, to LTI accounts (with the e-mail when shared).
        _award(
            c,
            "a-nathan",
            "supporter",
            recipient_email="nathan@example.org",
            recipient_lti_sub="nathan",
            recipient_lti_issuer=MOODLE,
        )
        _award(c, "a-sylvie", "explorer", recipient_lti_sub="sylvie", recipient_lti_issuer=MOODLE)
        _award(c, "a-gone", "explorer", recipient_lti_sub="left", recipient_lti_issuer=MOODLE)
        # Awards by e-mail only (``chemins demo``, the command line).
        _award(c, "a-outsider", "actor", recipient_email="sylvie.demo@example.org")
        _award(c, "a-ines", "actor", recipient_email="ines@example.org")
        _award(c, "a-twins", "actor", recipient_email="twins@example.org")
        _insert(
            c,
            "evidence",
            assertion_id="a-nathan",
            narrative="Atelier vélo",
            public=True,
            created_at=NOW,
        )
        for endorsement, kind, subject in (
            ("e-badge", "badge_class", "explorer"),
            ("e-award", "assertion", "a-nathan"),
            ("e-profile", "profile", "issuer"),
            ("e-dangling", "assertion", "no-such-award"),
        ):
            _insert(
                c,
                "endorsement",
                id=endorsement,
                community_id="c",
                subject_kind=kind,
                subject_id=subject,
                endorser_id="mairie",
                comment="Bravo",
                issued_on=NOW,
            )
    engine.dispose()


def _rows(url: str, query: str) -> dict[str, tuple[Any, ...]]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = {row[0]: tuple(row[1:]) for row in connection.execute(sa.text(query))}
    engine.dispose()
    return rows


def _columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    columns = {column["name"] for column in sa.inspect(engine).get_columns(table)}
    engine.dispose()
    return columns


#: The AGS scopes each link's latest launch granted, and what 0011 reads from them.
LINK_SCOPES_AT_0009 = {
    "l-graded": ("score", "lineitem", "result.readonly"),
    "l-score-only": ("score",),
    "l-ungraded": (),
}
LINK_RIGHTS_AT_HEAD = {
    "l-graded": (True, True),
    "l-score-only": (True, False),
    "l-ungraded": (False, False),
}
RECIPIENTS_AT_HEAD = {
    "a-nathan": ("p-nathan",),  # by LTI account
    "a-sylvie": ("p-sylvie",),  # by LTI account, no e-mail ever shared
    "a-gone": (None,),  # an LTI account no person has
    "a-outsider": (None,),  # by e-mail to someone outside every platform
    "a-ines": ("p-ines",),  # by e-mail, which her platform (alone in the community) vouches for
    "a-twins": (None,),  # by an e-mail two people have: ambiguous
}
SUBJECTS_AT_HEAD = {
    "e-badge": (None, "explorer", None),
    "e-award": ("a-nathan", None, None),
    "e-profile": (None, None, "issuer"),
}
SUBJECTS_AT_0009 = {
    "e-badge": ("badge_class", "explorer"),
    "e-award": ("assertion", "a-nathan"),
    "e-profile": ("profile", "issuer"),
}


def _check_head(url: str) -> None:
    assert _rows(url, "SELECT id, recipient_person_id FROM assertion") == RECIPIENTS_AT_HEAD
    assert (
        _rows(url, "SELECT id, assertion_id, badge_class_id, profile_id FROM endorsement")
        == SUBJECTS_AT_HEAD
    )
    assert {"subject_kind", "subject_id"}.isdisjoint(_columns(url, "endorsement"))
    assert _rows(url, "SELECT id, person_id FROM profile") == {
        "issuer": (None,),
        "mairie": (None,),
    }
    assert {
        link: tuple(bool(value) for value in rights)
        for link, rights in _rows(
            url, "SELECT id, may_score, may_create_columns FROM lti_resource_link"
        ).items()
    } == LINK_RIGHTS_AT_HEAD
    assert _rows(url, "SELECT assertion_id, narrative FROM evidence") == {
        "a-nathan": ("Atelier vélo",)
    }


def test_every_migration_moves_the_demo_data_up_and_down(database_url: str) -> None:
    upgrade(database_url, BEFORE)
    _fill_as_at_0009(database_url)

    upgrade(database_url)
    _check_head(database_url)

    command.downgrade(alembic_config(database_url), BEFORE)
    assert (
        _rows(database_url, "SELECT id, subject_kind, subject_id FROM endorsement")
        == SUBJECTS_AT_0009
    )
    assert "recipient_person_id" not in _columns(database_url, "assertion")
    assert "person_id" not in _columns(database_url, "profile")
    assert len(_rows(database_url, "SELECT id FROM assertion")) == len(RECIPIENTS_AT_HEAD)

    upgrade(database_url)
    _check_head(database_url)


def test_the_migrated_schema_is_the_one_the_models_declare(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from badges.storage.database import Base

    upgrade(database_url, BEFORE)
    _fill_as_at_0009(database_url)
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


@pytest.mark.parametrize(
    "subjects",
    [
        {"assertion_id": "a-nathan", "badge_class_id": "explorer"},
        {"badge_class_id": "explorer", "profile_id": "issuer"},
        {},
    ],
    ids=["award and badge", "badge and profile", "nothing"],
)
def test_an_endorsement_of_two_subjects_or_none_is_refused(
    database_url: str, subjects: dict[str, str]
) -> None:
    upgrade(database_url, BEFORE)
    _fill_as_at_0009(database_url)
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with pytest.raises(sa.exc.IntegrityError, match="one_subject"), engine.begin() as c:
            _insert(
                c,
                "endorsement",
                id="e-new",
                community_id="c",
                endorser_id="mairie",
                comment="Bravo",
                issued_on=NOW,
                **subjects,
            )
        with engine.begin() as c:  # one subject is what the constraint lets through
            _insert(
                c,
                "endorsement",
                id="e-new",
                community_id="c",
                endorser_id="mairie",
                comment="Bravo",
                issued_on=NOW,
                assertion_id="a-sylvie",
            )
    finally:
        engine.dispose()
