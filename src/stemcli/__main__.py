"""``python -m stemcli``."""

from stemcli.cli import main

main()
