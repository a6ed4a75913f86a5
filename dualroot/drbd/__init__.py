"""DRBD: status parsers (8.4 and 9), configuration checks, the drbd agent, the fence-peer handler."""
