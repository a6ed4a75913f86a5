"""Failover drills: scenarios, writers, measurements, report (table and timeline PNG)."""
