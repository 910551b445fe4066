"""`python -m storyline`: the `storyline` command, for a checkout that is not installed."""

from storyline.cli import app

app(prog_name="storyline")
