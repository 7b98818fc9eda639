"""User-facing transforms, one family per module."""
