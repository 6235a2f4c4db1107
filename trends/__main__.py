"""`python -m trends` = the `trends` command."""

from trends.cli import main

main()
