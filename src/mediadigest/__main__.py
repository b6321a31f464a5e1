"""`python -m mediadigest` runs the CLI."""

from mediadigest.cli import main

main()
