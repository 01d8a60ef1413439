"""The `lsq-import` command line: a thin layer over the library (sqlite-utils' habit).

main      the group, lazy loading of each command, errors -> one line and an exit code
options   the options several commands share, defined once
commands  validate and run
draft     mapping-from-account
history   the runs of an account's ledger
undo      take back what a run created
console   what the commands print
progress  the progress bar or periodic lines
signals   Ctrl-C: finish what is in flight, then stop
"""

from importer.cli.main import cli, main

__all__ = ["cli", "main"]
