"""People search: an index of search keys per record, kept current by resolution, and
governed queries over it by name (fuzzy, nickname and transliteration aware), date of birth,
identifier, address and phone (docs/search.md)."""
