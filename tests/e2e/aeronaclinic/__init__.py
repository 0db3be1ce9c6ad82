"""AeronaClinic → Twenty end to end (issue #13): one test per guide row, and no leaked data."""
