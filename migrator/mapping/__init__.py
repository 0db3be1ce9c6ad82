"""The mapper: source rows in, desired Twenty records (and the fate of every row) out."""
