"""nimop.watch."""
