"""The demo LMS's launch routes: start a launch, the OIDC auth endpoint, its JWKS.

- ``GET /launch/start?client_id=…&user=…&roles=…``: what clicking an activity does; the
  login initiation is a form POST (Moodle style) or a redirect (Open edX style).
- ``GET /mod/lti/launch.php?id=<cmid>``: Moodle's launch page of an activity, which
  starts the same launch again (at top level when opened in a new window).
- ``GET|POST /lti/auth``: the authentication endpoint; answers with the auto-submitted
  id_token form, an OIDC error form to the registered redirect URI, or a 400 page.
- ``GET /lti/certs``: the platform keyset (requests are counted for the tests).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, redirect, render_template, request

from demo_lms.platform import DemoPlatform, LaunchSpec

bp = Blueprint("demo_launch", __name__, template_folder="templates")

EXTENSION = "demo_lms.platform"


def demo_platform() -> DemoPlatform:
    return current_app.extensions[EXTENSION]


def autopost(action: str, fields: dict[str, str], title: str) -> str:
    """A page whose form submits itself, as LMSs do between launch steps."""
    return render_template("autopost.html", action=action, fields=fields, title=title)


def _spec(args: Any) -> LaunchSpec:
    roles = [r for r in args.get("roles", "").split(",") if r]
    context = None
    if args.get("context_id"):
        context = {
            "id": args["context_id"],
            "title": args.get("context_title") or args["context_id"],
            "label": args.get("context_label") or args["context_id"],
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        }
    link_id = args.get("link_id") or "demo-link"
    return LaunchSpec(
        user_id=args["user"],
        roles=roles or ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
        name=args.get("name") or None,
        email=args.get("email") or None,
        context=context,
        resource_link={"id": link_id, "title": args.get("link_title") or link_id},
        custom={"target": args["target"]} if args.get("target") else None,
        locale=args.get("locale") or None,
    )


@bp.get("/launch/start")
def start() -> Any:
    """Open a tool as the given user (the demo's "click on the activity")."""
    if not request.args.get("client_id") or not request.args.get("user"):
        return "client_id and user are required", 400
    try:
        login = demo_platform().start(request.args["client_id"], _spec(request.args))
    except KeyError:
        return "unknown client_id", 404
    if login.method == "GET":
        return redirect(login.url, code=302)
    return autopost(login.url, login.params, "Opening the tool")


@bp.get("/mod/lti/launch.php")
def moodle_activity() -> Any:
    """Moodle's own launch page of an activity (course module ``id``), at top level.

    What Moodle's "New window" launch container opens: a fresh login initiation (with a
    new, single-use launch id) for the same activity.
    """
    pending = demo_platform().activities.get(request.args.get("id", type=int) or 0)
    if pending is None:
        return "unknown course module", 404
    login = demo_platform().start(pending.client_id, pending.spec)
    if login.method == "GET":
        return redirect(login.url, code=302)
    return autopost(login.url, login.params, "Opening the tool")


@bp.route("/lti/auth", methods=["GET", "POST"])
def auth() -> Any:
    """The OIDC authentication endpoint the tool redirects the browser to."""
    params = request.form if request.method == "POST" else request.args
    answer = demo_platform().authorize(params.to_dict())
    if answer.action is None:
        return f"Authentication request refused: {answer.error}", 400
    return autopost(answer.action, answer.fields, "Launching")


@bp.get("/lti/certs")
def certs() -> Any:
    """The platform's public keys, as Moodle's ``certs.php`` serves them."""
    response = jsonify(demo_platform().jwks())
    response.headers["Cache-Control"] = "max-age=300"
    return response
