"""The Typer application, its shared options and the one place errors become exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console

from creditcity.config import get_settings
from creditcity.errors import CreditCityError, exit_code_for

app = typer.Typer(
    name="creditcity",
    help="A city credit bureau, its deposit-free services and the rights of the person.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """creditcity: a city credit bureau, its deposit-free services and the rights of the person."""


console = Console(stderr=False, highlight=False, soft_wrap=True)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy URL; default: env CREDITCITY_DATABASE_URL, else sqlite:///./creditcity.db",
        show_default=False,
    ),
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def database_url(option: str | None) -> str:
    return option or get_settings().database_url


def emit(as_json: bool, payload: Any, human: Callable[[], None]) -> None:
    """Print ``payload`` as JSON for machines or call ``human`` for people."""
    if as_json:
        sys.stdout.write(json.dumps(payload, default=str, ensure_ascii=False, indent=2) + "\n")
    else:
        human()


@contextmanager
def reported_errors(as_json: bool = False) -> Iterator[None]:
    """Turn a :class:`CreditCityError` into its report and exit code, never a traceback."""
    try:
        yield
    except CreditCityError as error:
        if as_json:
            body = {
                "error": type(error).__name__,
                "message": error.message,
                "problems": [
                    {
                        "where": p.where,
                        "field": p.field,
                        "message": p.message,
                        "expected": p.expected,
                    }
                    for p in error.problems
                ],
            }
            sys.stdout.write(json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        else:
            err_console.print(f"[bold red]error:[/] {error}", markup=True, highlight=False)
        raise typer.Exit(exit_code_for(error)) from None
