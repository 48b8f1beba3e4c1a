"""``creditcity demo``: simulate + ingest + train + score + decide + show, then serve."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from creditcity.cli._app import JsonOut, app, console, emit, reported_errors
from creditcity.config import get_settings

if TYPE_CHECKING:
    from creditcity.services.demo import DemoSummary


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Where the demo city lives.")] = Path(
        ".demo"
    ),
    residents: Annotated[int, typer.Option("--residents", min=200)] = 20_000,
    seed: Annotated[int, typer.Option("--seed", min=0)] = 7,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve it afterwards.")] = True,
    port: Annotated[int, typer.Option("--port")] = 8000,
    as_json: JsonOut = False,
) -> None:
    """Run a synthetic city through the whole system with the embedded SQLite store."""
    from creditcity.services.demo import run_demo

    directory.mkdir(parents=True, exist_ok=True)
    with reported_errors(as_json):
        summary = run_demo(
            directory,
            residents=residents,
            seed=seed,
            settings=get_settings(),
            say=(lambda _: None) if as_json else _say,
        )
        emit(as_json, summary.__dict__, lambda: _print(summary))
    if serve:
        from creditcity.cli.serve import run_server

        keys = _demo_keys(directory, summary.database_url)
        console.print(
            f"\nportal and API on http://127.0.0.1:{port} (OpenAPI at /docs; one-tap demo "
            f"sign-in on the portal; the demo's API keys are in {keys}); Ctrl+C stops"
        )
        with reported_errors():
            run_server(
                summary.database_url, host="127.0.0.1", port=port, workers=1, keys=keys, demo=True
            )


def _demo_keys(directory: Path, database_url: str) -> Path:
    """A keys file for the demo city (a bank, providers, the office, five residents), private."""
    from creditcity.cli._wiring import open_engine
    from creditcity.services.demo_residents import demo_residents
    from creditcity.services.key_file import demo_keys_toml

    path = directory / "keys.toml"  # the city is made anew each run, and so are its keys
    text, _ = demo_keys_toml(demo_residents(open_engine(database_url)))
    path.unlink(missing_ok=True)
    path.touch(mode=0o600)
    path.write_text(text, encoding="utf-8")
    return path


def _say(message: str) -> None:
    console.print(f"[bold cyan]›[/] {message}")


def _print(s: DemoSummary) -> None:
    console.print(
        f"\n[bold]{s.records:,} records[/] in {s.database_url}; model {s.model_version} "
        f"(out-of-fold AUC {s.auc:.3f}); {s.scored:,} people scored\n"
    )
    people = Table("who", "pseudonym", "score", "tier", "percentile", "first reason", box=None)
    for p in s.people:
        reason = p["reasons"][0]["text"] if p["reasons"] else "—"
        people.add_row(
            p["who"], p["subject"], str(p["score"]), p["tier"], f"{p['percentile']:.0f}", reason
        )
    console.print(people)
    console.print("\n[bold]decisions[/]")
    for d in s.decisions:
        if "outcome" in d:
            o = d["outcome"]
            console.print(
                f"  outcome of {o['decision_id'][:12]}: {o['result']} -> ledger "
                f"record {o['kind']}; score {d['score_before']} -> "
                f"{d['score_after']}"
            )
            continue
        verdict = "[green]approved[/]" if d["approved"] else "[red]declined[/]"
        codes = ", ".join(r["code"] for r in d["reasons"][:2]) or "—"
        console.print(
            f"  {d['who']:>8} {d['service']:<17} {d['amount_requested']:>6}: {verdict}, "
            f"tier {d['tier']}, waived {d['waived_amount']} ({codes})"
        )
    st = s.stats
    console.print(
        f"\n[bold]operator figures[/]: deposits waived {st['deposits_waived']}; "
        f"restrictions {st['restrictions']}"
    )
    c = s.certificate
    console.print(
        f"\n[bold]certificate[/] for the median resident: tier {c.get('tier')}, "
        f"audience {c.get('audience')}, expires {c.get('expires_at')}"
    )
    console.print("\nnext: creditcity show <pseudonym> --database-url " + s.database_url)
