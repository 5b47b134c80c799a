"""`python -m coalition` runs the command line."""

from coalition.entrypoints.cli.app import main

main()
