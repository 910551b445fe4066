"""The story desk: a web UI and JSON API over the store, for reading stories as a journalist would."""

from __future__ import annotations

from storyline.desk.app import create_app


def serve(db_url: str, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the desk over the store at `db_url` until interrupted (loopback only unless `host` says so)."""
    import uvicorn

    uvicorn.run(create_app(db_url), host=host, port=port, log_level="info")


__all__ = ["create_app", "serve"]
