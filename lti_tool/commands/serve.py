"""``chemins serve``: run the tool with gunicorn, or Flask's server with ``--dev``."""

from __future__ import annotations

import click

from lti_tool.cli_runtime import RuntimeHolder, pass_runtime


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
@pass_runtime
def serve(holder: RuntimeHolder, host: str, port: int, workers: int, threads: int) -> None:
    """Serve the tool over HTTP and print its URL.

    Threaded workers (gthread): a browser keeps idle connections open (preconnect,
    keep-alive), which pins a sync worker; and while one request waits on the platform
    (a service token), the platform may call back the tool's JWKS and needs a free one.
    """
    from gunicorn.app.base import BaseApplication

    from lti_tool.app import create_app

    runtime = holder.runtime
    app = create_app(runtime=runtime)

    class _Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")

        def load(self):  # type: ignore[no-untyped-def]
            return app

    click.echo(
        f"Chemins is running at http://{host}:{port}/ (public base URL: {runtime.instance.origin})"
    )
    _Server().run()


COMMANDS = [serve]
