"""``chemins serve``: run the tool with gunicorn, or Werkzeug's server with ``--dev``.

Both servers write their access log without the credentials some URLs carry
(:mod:`lti_tool.access_log`), in the lines every ``chemins`` command writes
(:mod:`lti_tool.logging_setup`): gunicorn's own logs are handed to that setup instead
of gunicorn's formats, so one collector reads one format. Behind a reverse proxy,
``--forwarded-allow-ips`` names the proxies whose ``X-Forwarded-*`` headers count
(:mod:`lti_tool.trusted_proxy`); nobody's count by default.
"""

from __future__ import annotations

import logging
from typing import Any

import click

from badges.storage.instance import remember_base_url
from lti_tool.access_log import redact_server_logs
from lti_tool.cli_runtime import RuntimeHolder, pass_runtime
from lti_tool.trusted_proxy import TrustedProxy, parse_allowed


def _allowed_proxies(
    _context: click.Context, _parameter: click.Parameter, value: str | None
) -> tuple[str, ...]:
    try:
        return parse_allowed(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
@click.option(
    "--forwarded-allow-ips",
    envvar="CHEMINS_FORWARDED_ALLOW_IPS",
    default="",
    callback=_allowed_proxies,
    help="Addresses or networks of the reverse proxies whose X-Forwarded-For/-Proto/-Host/"
    "-Port headers to believe (comma-separated, * for any). None by default.",
)
@click.option("--dev", is_flag=True, help="Werkzeug's single-process server instead of gunicorn.")
@pass_runtime
def serve(
    holder: RuntimeHolder,
    host: str,
    port: int,
    workers: int,
    threads: int,
    forwarded_allow_ips: tuple[str, ...],
    dev: bool,
) -> None:
    """Serve the tool over HTTP and print its URL.

    Threaded workers (gthread): a browser keeps idle connections open (preconnect,
    keep-alive), which pins a sync worker; and while one request waits on the platform
    (a service token), the platform may call back the tool's JWKS and needs a free one.
    """
    from lti_tool.app import create_app
    from lti_tool.blueprints.lti.registration import fetch_slots_for

    runtime = holder.runtime
    remember_base_url(runtime.instance)  # what later commands in other shells print
    app = create_app(runtime=runtime)
    app.config["REGISTRATION_FETCHES"] = fetch_slots_for(threads)  # half the threads at most
    if forwarded_allow_ips:
        app.wsgi_app = TrustedProxy(app.wsgi_app, forwarded_allow_ips)  # type: ignore[method-assign]
    redact_server_logs()
    click.echo(
        f"Chemins is running at http://{host}:{port}/ (public base URL: {runtime.instance.origin})"
    )
    if dev:
        from werkzeug.serving import run_simple

        run_simple(host, port, app, threaded=True)
        return
    _gunicorn(app, host, port, workers, threads, forwarded_allow_ips)


#: gunicorn's access line without its own timestamp (every line starts with one).
ACCESS_LOG_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'


def _gunicorn(
    app: Any, host: str, port: int, workers: int, threads: int, proxies: tuple[str, ...]
) -> None:
    from gunicorn.app.base import BaseApplication
    from gunicorn.glogging import Logger

    class _Logs(Logger):
        """gunicorn's loggers, written by Chemins' handler on the root logger.

        gunicorn gives ``gunicorn.error`` and ``gunicorn.access`` handlers and formats
        of its own; they are taken off again, and the records passed up, so the level
        and the format are ``CHEMINS_LOG_LEVEL`` and ``CHEMINS_LOG_FORMAT``'s.
        """

        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for logger in (self.error_log, self.access_log):
                for handler in list(logger.handlers):
                    logger.removeHandler(handler)
                logger.propagate = True
            self.error_log.setLevel(logging.NOTSET)

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("access_log_format", ACCESS_LOG_FORMAT)
            self.cfg.set("logger_class", _Logs)
            # gunicorn reads X-Forwarded-Proto itself (from 127.0.0.1 unless told):
            # the same proxies as the app's, or none.
            self.cfg.set("forwarded_allow_ips", ",".join(proxies))

        def load(self):  # type: ignore[no-untyped-def]
            return app

    _Server().run()


COMMANDS = [serve]
