"""``python -m creditcity`` is the same as the ``creditcity`` command."""

from creditcity.cli import app

app()
