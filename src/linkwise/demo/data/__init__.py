"""Invented-world reference data, written out by hand as Python text tables.

The tables are plain text (one entry a line, ``|``-separated) rather than nested literals so
that a reviewer can read and extend them like a word list; ``linkwise.demo.names`` and
``linkwise.demo.places`` parse them once at import. Order matters: entries are listed from
most to least frequent and sampling weights are derived from the rank.
"""
