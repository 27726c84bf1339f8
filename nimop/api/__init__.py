"""nimop.api."""
