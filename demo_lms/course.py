"""The demo course page of ``make run``: a French course that embeds Chemins in an iframe.

A newcomer opens one page and sees the tool work from an LMS, as Moodle shows it with
its default "embed" container: buttons launch Chemins as the trainer or as one of the
learners of the demo (Nathan, 19; Sylvie, 47; Inès), into an iframe of the course page,
with an "open in a new window" link next to each. Two more buttons try LTI Advantage:
adding an activity by Deep Linking (the items placed come back to this page as new
activities) and reading the roster (NRPS, the participants listed below the iframe).

Grades work as in Moodle: every launch carries the AGS claim (the course's line items
and Moodle's three scopes), the Deep Linking return URL names the course and the tool
type so that a badge placed with a grade gets its line item (its grade column), the
launches of that activity carry its ``lineitem``, and the "Carnet de notes" of the page
shows the scores the tool sent.

The page is served from another site than the tool (``localhost`` against
``127.0.0.1``), so the tool really is a third party in the iframe: its cookies are not
sent back, and the launch works through LTI platform storage, which this page offers
the way Canvas does (``lti_storage_target=_parent``; ``static/course.js`` answers the
tool's ``lti.put_data`` / ``lti.get_data`` messages).

``create_course_app(..., moodle_4_3=True)`` makes the course behave as a real Moodle
4.3 does instead: no platform storage, no ``accept_lineitem`` in Deep Linking; then the
tool must be on HTTPS (partitioned cookies) or be opened in a new window. Moodle's
``/mod/lti/launch.php?id=<cmid>`` (``demo_lms/launch.py``) starts an activity again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, request, url_for

from demo_lms import services
from demo_lms.app import create_demo_app, platform_of
from demo_lms.launch import autopost
from demo_lms.platform import INSTRUCTOR, LEARNER, MOODLE, LaunchSpec

bp = Blueprint(
    "demo_course",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static/course",
)

EXTENSION = "demo_lms.course"
CLIENT_ID = "chemins-demo"
DEPLOYMENT_ID = "1"
COURSE_ID = "garantie-jeunes-tilleuls"
COURSE_TITLE = "Parcours Garantie Jeunes — Centre social Les Tilleuls"
COURSE_LABEL = "GJ-TILLEULS"
ACTIVITY_ID = "chemins-reconnaissance"
ACTIVITY_TITLE = "Chemins — reconnaître ce que je sais faire"
#: The iframe's name: launch links target it, as Moodle's embedded activities do.
FRAME = "chemins"
STORAGE_TARGET = "_parent"
#: The tool's page listing the course's people from the platform's NRPS service.
ROSTER_PATH = "/trainer/roster"
#: The id Moodle gives the tool's type; its AGS URLs carry it as ``?type_id=``.
TYPE_ID = "3"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
#: What Moodle grants a tool whose "grades" setting is on (AGS claim ``scope``).
AGS_SCOPES = (services.AGS + "lineitem", services.AGS + "result.readonly", services.AGS + "score")


@dataclass(frozen=True)
class Persona:
    """Someone of the demo course the visitor can launch Chemins as."""

    slug: str
    name: str
    email: str
    role: str
    button: str
    about: str

    @property
    def user_id(self) -> str:
        return f"demo-{self.slug}"

    @property
    def is_trainer(self) -> bool:
        return self.role == INSTRUCTOR

    def member(self) -> dict[str, Any]:
        """This person as the NRPS roster lists them."""
        return {
            "status": "Active",
            "user_id": self.user_id,
            "name": self.name,
            "email": self.email,
            "roles": [self.role],
        }


PERSONAS: tuple[Persona, ...] = (
    Persona(
        "formatrice",
        "Camille Roux",
        "camille.demo@example.org",
        INSTRUCTOR,
        "Ouvrir en tant que formatrice (Camille)",
        "Conseillère Garantie Jeunes : crée des badges, examine les demandes, décerne.",
    ),
    Persona(
        "nathan",
        "Nathan",
        "nathan.demo@example.org",
        LEARNER,
        "Ouvrir en tant que Nathan",
        "19 ans, sans diplôme, souvent sur son téléphone.",
    ),
    Persona(
        "sylvie",
        "Sylvie",
        "sylvie.demo@example.org",
        LEARNER,
        "Ouvrir en tant que Sylvie",
        "47 ans, bénévole au centre social.",
    ),
    Persona(
        "ines",
        "Inès Haddad",
        "ines.demo@example.org",
        LEARNER,
        "Ouvrir en tant qu'Inès",
        "23 ans, en recherche d'un premier emploi.",
    ),
)
TRAINER = PERSONAS[0]


@dataclass(frozen=True)
class CourseSettings:
    """Which registration of the tool the course launches."""

    tool_origin: str
    client_id: str = CLIENT_ID
    deployment_id: str = DEPLOYMENT_ID
    #: Behave as Moodle 4.3 really does: no platform storage (no ``lti_storage_target``)
    #: and no ``accept_lineitem`` in Deep Linking (POST login and 60 s tokens are the
    #: Moodle style of every launch of this course).
    moodle_4_3: bool = False


def create_course_app(
    lms_origin: str,
    tool_origin: str,
    *,
    client_id: str = CLIENT_ID,
    deployment_id: str = DEPLOYMENT_ID,
    moodle_4_3: bool = False,
) -> Flask:
    """The demo LMS with the course page, the tool registered (Moodle style) and a roster.

    ``moodle_4_3``: without the platform storage and Deep Linking extras of the demo,
    as a real Moodle 4.3 launches (see :class:`CourseSettings`).
    """
    app = create_demo_app(lms_origin, blueprints=[bp])
    platform = platform_of(app)
    platform.add_tool(
        tool_origin=tool_origin.rstrip("/"),
        style=MOODLE,
        client_id=client_id,
        deployment_id=deployment_id,
    )
    platform.state.add_context(COURSE_ID, COURSE_TITLE, [p.member() for p in PERSONAS])
    app.extensions[EXTENSION] = CourseSettings(
        tool_origin.rstrip("/"), client_id, deployment_id, moodle_4_3
    )
    return app


def _settings() -> CourseSettings:
    return current_app.extensions[EXTENSION]


def _persona(slug: str) -> Persona | None:
    return next((p for p in PERSONAS if p.slug == slug), None)


@dataclass(frozen=True)
class Grade:
    """A learner's last score for a graded activity, as the gradebook shows it."""

    given: float
    maximum: float
    completed: bool


@dataclass(frozen=True)
class GradedActivity:
    """A placed activity with a grade column, and the scores the tool sent for it."""

    title: str
    grades: dict[str, Grade]  # by user id


def _placed() -> list[tuple[str, dict[str, Any]]]:
    """Resource links placed by Deep Linking (link id, item), in the order they came back."""
    return platform_of(current_app).state.placed_links()


def _gradebook() -> list[GradedActivity]:
    """The course's grade columns (one per graded activity), with the scores received."""
    state = platform_of(current_app).state
    activities = []
    for link_id, item in _placed():
        line = state.lineitem_of_link(COURSE_ID, link_id)
        if line is None:
            continue
        grades = {
            user_id: Grade(
                float(score.body.get("scoreGiven", 0)),
                float(score.body.get("scoreMaximum", line.score_maximum)),
                score.body.get("activityProgress") == "Completed",
            )
            for user_id, score in state.latest_scores(line.id).items()
            if "scoreGiven" in score.body
        }
        activities.append(GradedActivity(item.get("title") or line.label, grades))
    return activities


def _ags_claim(link_id: str | None) -> dict[str, Any]:
    """The AGS claim of a launch in the course, with the link's line item when graded."""
    claim: dict[str, Any] = {
        "scope": list(AGS_SCOPES),
        "lineitems": url_for(
            "demo_services.lineitems", context_id=COURSE_ID, type_id=TYPE_ID, _external=True
        ),
    }
    line = platform_of(current_app).state.lineitem_of_link(COURSE_ID, link_id) if link_id else None
    if line is not None:
        claim["lineitem"] = services.lineitem_url(line)
    return claim


@bp.get("/")
def course() -> str:
    """The course page: launch buttons, the iframe, the participants."""
    return render_template(
        "course/page.html",
        title=COURSE_TITLE,
        activity=ACTIVITY_TITLE,
        personas=PERSONAS,
        trainer=TRAINER,
        learners=[p for p in PERSONAS if not p.is_trainer],
        placed=[(index, item) for index, (_link, item) in enumerate(_placed())],
        gradebook=_gradebook(),
        frame=FRAME,
        tool_origin=_settings().tool_origin,
    )


@bp.get("/cours/cadre")
def empty_frame() -> str:
    """What the iframe shows before any launch."""
    return render_template("course/empty_frame.html")


def _spec(persona: Persona, action: str, placed: int | None) -> LaunchSpec | None:
    context = {
        "id": COURSE_ID,
        "title": COURSE_TITLE,
        "label": COURSE_LABEL,
        "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
    }
    spec = LaunchSpec(
        user_id=persona.user_id,
        roles=[persona.role],
        name=persona.name,
        email=persona.email,
        context=context,
        resource_link={"id": ACTIVITY_ID, "title": ACTIVITY_TITLE},
        locale="fr-FR",
        nrps=persona.is_trainer,
        storage_target=None if _settings().moodle_4_3 else STORAGE_TARGET,
    )
    link_id: str | None = ACTIVITY_ID
    if action == "deep-linking":
        if not persona.is_trainer:
            return None
        spec.message_type = "LtiDeepLinkingRequest"
        spec.resource_link = None
        spec.accept_lineitem = True
        # Moodle's return URL names the course and the tool type: the platform then
        # creates the grade column of each item placed with a line item.
        spec.deep_link_return_url = url_for(
            "demo_course.deep_linking_return", course=COURSE_ID, type_id=TYPE_ID, _external=True
        )
        link_id = None
    elif action == "roster":
        if not persona.is_trainer:
            return None
        # A link straight to the tool's roster page, as a placed activity would be.
        spec.target_link_uri = _settings().tool_origin + ROSTER_PATH
    elif placed is not None:
        items = _placed()
        if not 0 <= placed < len(items):
            return None
        link_id, item = items[placed]
        spec.resource_link = {"id": link_id, "title": item.get("title") or "Chemins"}
        custom = item.get("custom")
        if isinstance(custom, dict):
            spec.custom = {str(k): str(v) for k, v in custom.items()}
        spec.target_link_uri = item.get("url") or None
    if _settings().moodle_4_3:
        spec.accept_lineitem = False  # Moodle 4.3 sends no accept_lineitem key
    spec.extra_claims[AGS_CLAIM] = _ags_claim(link_id)
    return spec


@bp.get("/cours/lancer/<slug>")
def launch(slug: str) -> Any:
    """Open Chemins as ``slug`` (in the iframe, or in the window the link opened).

    ``?action=deep-linking`` or ``?action=roster`` (trainer only), ``?activite=N`` for
    an activity placed by Deep Linking.
    """
    persona = _persona(slug)
    placed = request.args.get("activite", type=int)
    spec = _spec(persona, request.args.get("action", ""), placed) if persona else None
    if spec is None:
        return render_template("course/not_found.html"), 404
    settings = _settings()
    login = platform_of(current_app).start(settings.client_id, spec)
    return autopost(login.url, login.params, "Ouverture de Chemins")


@bp.post("/cours/deep-linking/retour")
def deep_linking_return() -> Any:
    """Where the tool sends its Deep Linking response: checked, then shown in French."""
    answer = services.deep_linking_return()
    response, status = answer if isinstance(answer, tuple) else (answer, answer.status_code)
    body = response.get_json(silent=True) or {}
    if status != 200:
        page = render_template("course/deep_linking_return.html", error=body.get("error"))
        return page, status
    return render_template(
        "course/deep_linking_return.html", error=None, placed=int(body.get("placed", 0))
    )
