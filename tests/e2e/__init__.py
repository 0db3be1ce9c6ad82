"""End-to-end tests of the two examples: every guide row applied to the sandbox and read back."""
