"""Case work services (DESIGN.md §2 layer 2)."""
