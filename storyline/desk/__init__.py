"""The story desk: a web UI and JSON API over the store, for reading stories as a journalist would.

`storyline.desk.queries` and `storyline.desk.models` load without the web app, so the Python API
reuses them without loading FastAPI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storyline.desk.app import create_app


def serve(db_url: str, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the desk over the store at `db_url` until interrupted (loopback only unless `host` says so)."""
    import uvicorn

    from storyline.desk.app import create_app

    uvicorn.run(create_app(db_url), host=host, port=port, log_level="info")


def __getattr__(name: str) -> object:
    if name == "create_app":
        from storyline.desk.app import create_app

        return create_app
    raise AttributeError(f"module 'storyline.desk' has no attribute {name!r}")


__all__ = ["create_app", "serve"]
