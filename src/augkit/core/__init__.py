"""Core engine: transform base classes, compositions, targets and randomness."""
