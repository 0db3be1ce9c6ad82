"""OplaCRM → Twenty end to end (issue #12): one test per guide row, plus history and gotchas."""
