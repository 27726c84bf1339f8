"""nimop.controllers."""
