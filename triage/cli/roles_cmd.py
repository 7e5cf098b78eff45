"""`triage roles list | grant ACCOUNT ROLE | revoke ACCOUNT`: who may do what.

Changes are made as the OS account running the command (never `--reviewer`), need the
supervisor role, and are audited; so is a refusal. Anyone may list: the roles are in the
file every member of the group can read, and a reviewer should know who supervises.
"""

from __future__ import annotations

import pwd
from dataclasses import asdict
from typing import Annotated

import typer

from triage import identity, roles
from triage.cli.common import DEFAULT_DB, DbOption, JsonOption, open_db, out, print_json, safe
from triage.errors import UsageError

app = typer.Typer(
    help="Who may do what: list roles, grant reviewer or supervisor, revoke.",
    no_args_is_help=True,
)

AccountArg = Annotated[str, typer.Argument(help="An OS account name on this machine.")]


def _os_account(account: str) -> str:
    identity.check_name(account)
    try:
        pwd.getpwnam(account)
    except KeyError:
        raise UsageError(
            f"{account}: no OS account of that name on this machine (check the spelling: "
            f"getent passwd {account})"
        ) from None
    return account


@app.command("list")
def list_cmd(db_path: DbOption = DEFAULT_DB, as_json: JsonOption = False) -> None:
    """The owner of the database file (always a supervisor) and every role granted;
    accounts not listed are reviewers."""
    conn = open_db(db_path)
    try:
        entries = roles.listing(conn)
    finally:
        conn.close()
    if as_json:
        print_json([asdict(e) for e in entries])
        return
    for e in entries:
        how = (
            "owner of the database file"
            if e.source == "owner"
            else f"by {safe(e.changed_by)} at {e.changed_at}"
        )
        out.print(f"{safe(e.account):<20} {e.role:<10} {how}")
    out.print("(any other account of the group: reviewer)")


@app.command("grant")
def grant_cmd(
    account: AccountArg,
    role: Annotated[str, typer.Argument(help="reviewer or supervisor.")],
    db_path: DbOption = DEFAULT_DB,
    as_json: JsonOption = False,
) -> None:
    """Give ACCOUNT the role reviewer or supervisor (supervisors only; audited)."""
    _change(account, role, db_path, as_json)


@app.command("revoke")
def revoke_cmd(account: AccountArg, db_path: DbOption = DEFAULT_DB,
               as_json: JsonOption = False) -> None:  # fmt: skip
    """Take ACCOUNT's role away: it may still read, not change review work."""
    _change(account, None, db_path, as_json)


def _change(account: str, role: str | None, db_path: DbOption, as_json: bool) -> None:
    if role is not None and role not in roles.GRANTABLE:
        raise UsageError(f"ROLE: use {' or '.join(roles.GRANTABLE)} (revoke takes a role away)")
    _os_account(account)
    who = identity.os_account()
    conn = open_db(db_path)
    try:
        if role is None:
            change = roles.revoke(conn, who, account)
        else:
            change = roles.grant(conn, who, account, role)
    finally:
        conn.close()
    if as_json:
        print_json(asdict(change))
        return
    out.print(f"{safe(account)}: {change.role} (was {change.previous}), by {safe(who)}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="roles")
