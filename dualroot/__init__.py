"""dualroot: OCF resource agents and HA tooling for DRBD dual-primary under OCFS2."""

__version__ = "0.1.0"
