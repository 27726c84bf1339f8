"""nimop.render."""
