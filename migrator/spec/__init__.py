"""The migration spec: loading YAML with positions, the spec models, and validation."""
