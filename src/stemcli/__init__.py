"""stemcli: explore, compare and check the numeric claims of stem cell therapy marketing."""

__version__ = "0.1.0"
