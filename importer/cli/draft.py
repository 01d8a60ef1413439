"""`lsq-import mapping-from-account`: draft a mapping from the account's own metadata."""

from __future__ import annotations

from pathlib import Path

import click

from importer.cli.options import config_option


@click.command("mapping-from-account")
@click.option(
    "--event-code",
    type=int,
    help="Code of the opportunity type to draft for [default: list the account's types].",
)
@click.option(
    "--search-by",
    default="EmailAddress",
    show_default=True,
    help="The unique lead field that finds each row's lead.",
)
@config_option
@click.option(
    "--out",
    "-o",
    default=Path("mappings/draft.yaml"),
    show_default=True,
    type=click.Path(path_type=Path),
    help="Mapping file to write.",
)
@click.option("--force", is_flag=True, help="Replace --out if it already exists.")
def mapping_from_account(
    event_code: int | None, search_by: str, config: Path | None, out: Path, force: bool
) -> int:
    """Draft a mapping file from the account's own field metadata (read once, online).

    The draft lists every field of the opportunity type and the lead fields with their
    types, options, mandatory flags, lengths and dependent dropdowns, so the dry run then
    enforces the account's rules offline. Rename its column keys to your sheet's headers.
    Without --event-code, lists the account's opportunity types and exits 2.
    """
    from importer.errors import UsageError
    from importer.mapping.draft import account_client, check_out, fetch_plan, listing, write_draft
    from importer.mapping.draft import opportunity_types as types_of
    from importer.settings import load_settings

    if event_code is not None:
        check_out(out, force)
    with account_client(load_settings(config)) as client:
        if event_code is None:
            click.echo(listing(types_of(client)))
            raise UsageError("Choose the opportunity type with --event-code CODE (codes above).")
        plan = fetch_plan(client, event_code, search_by)
    write_draft(plan, out, force)
    click.echo(
        f"Wrote {out}: {len(plan.columns)} columns, {len(plan.rules)} dependent dropdown(s). "
        f"Rename its column keys to your sheet's headers, then: "
        f"lsq-import validate FILE --mapping {out}"
    )
    return 0
