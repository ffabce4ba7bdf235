"""Drafting legal documents from case packages (DESIGN.md §2 layer 2)."""
