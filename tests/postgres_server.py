"""A throwaway PostgreSQL cluster for the tests: `initdb` and `pg_ctl` in a temporary folder.

The cluster listens on a free loopback port, trusts local connections, and runs as an
unprivileged user (`postgres` when the tests run as root: the server refuses to run as root).
`scripts/ensure_postgres.sh` (run by `make test`) installs Debian's postgresql where it is
missing; where no server programs can be found or the cluster does not start, `start` says why
and the tests that need it skip with that reason.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "storyline"
_START_SECONDS = 60


class PostgresUnavailable(RuntimeError):
    """No throwaway cluster can be had here; the message says why."""


@dataclass
class PostgresServer:
    """A running throwaway cluster; `stop` removes it and its folder."""

    bin_dir: Path
    folder: Path
    port: int
    run_as: str | None  # the unprivileged user the server runs as, when the tests are root
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def start(cls) -> PostgresServer:
        """Initialise and start a cluster; raise PostgresUnavailable with the reason if it fails."""
        bin_dir = _server_bin_dir()
        run_as = _unprivileged_user() if os.geteuid() == 0 else None
        folder = Path(tempfile.mkdtemp(prefix="storyline-pg-"))
        folder.chmod(0o755)
        data = folder / "data"
        data.mkdir()
        if run_as:
            entry = pwd.getpwnam(run_as)
            for path in (folder, data):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        server = cls(bin_dir, folder, _free_port(), run_as)
        try:
            server._run(
                "initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "--no-sync",
                "--encoding=UTF8", "--locale=C.UTF-8",
            )
            options = (
                f"-c listen_addresses=127.0.0.1 -p {server.port} "
                f"-c unix_socket_directories={folder} -c fsync=off -c full_page_writes=off "
                "-c synchronous_commit=off -c max_connections=200"
            )
            server._run(
                "pg_ctl", "-D", str(data), "-o", options, "-l", str(folder / "server.log"),
                "-w", "-t", str(_START_SECONDS), "start",
            )
        except PostgresUnavailable:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return server

    def url(self, database: str = "postgres") -> str:
        """Return the SQLAlchemy URL of one database of the cluster."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """Create a new empty database and return its URL."""
        import psycopg

        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}" STRATEGY FILE_COPY')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by `create_database`, closing what is still connected to it."""
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres", autocommit=True
        ) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.bin_dir / program), *arguments]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=_START_SECONDS + 30, cwd=self.folder
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PostgresUnavailable(f"{program} could not run: {error}") from error
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{program} failed ({done.returncode}): {(done.stderr or done.stdout)[-800:]} {tail}"
            )


def _server_bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(os.path.realpath(initdb)).parent
    raise PostgresUnavailable(
        "no PostgreSQL server programs (initdb, pg_ctl) found; `make test` installs Debian's "
        "postgresql with scripts/ensure_postgres.sh where it may"
    )


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        if shutil.which("runuser"):
            return name
    raise PostgresUnavailable("running as root with no unprivileged user to run the server as")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
