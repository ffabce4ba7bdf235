"""Ground truth covers every record exactly once and agrees with the files."""

from __future__ import annotations

import csv
from collections import Counter

from .conftest import Source, World


def test_keys_are_unique_per_source(sources: dict[str, Source]) -> None:
    for name, source in sources.items():
        counts = Counter(source.keys)
        assert counts, name
        assert max(counts.values()) == 1, f"{name}: duplicate keys"


def test_truth_covers_every_record_exactly_once(
    world: World, sources: dict[str, Source], truth: list[dict[str, str]]
) -> None:
    assert list(truth[0]) == ["source", "source_key", "person_id"]
    pairs = Counter((t["source"], t["source_key"]) for t in truth)
    assert max(pairs.values()) == 1
    for name, source in sources.items():
        assert {k for s, k in pairs if s == name} == set(source.keys), name
    assert {s for s, _ in pairs} == set(sources)
    assert world.summary.record_counts == {n: len(s.rows) for n, s in sources.items()}


def test_truth_and_tags_name_the_same_records(
    truth: list[dict[str, str]], record_tags: list[dict[str, str]]
) -> None:
    assert [(t["source"], t["source_key"]) for t in truth] == [
        (t["source"], t["source_key"]) for t in record_tags
    ]


def test_truth_people_exist(truth: list[dict[str, str]], people: dict[str, dict[str, str]]) -> None:
    assert {t["person_id"] for t in truth} <= set(people)
    assert len(people) == 4000
    assert min(people) == "P0000001"


def test_within_source_duplicates_exist(truth: list[dict[str, str]]) -> None:
    per_person = Counter((t["source"], t["person_id"]) for t in truth)
    repeated = {s for (s, _), n in per_person.items() if n > 1}
    assert {"court_dispositions", "jail_bookings", "public_records"} <= repeated


def test_summary_counts_match_record_tags(world: World, record_tags: list[dict[str, str]]) -> None:
    counted = Counter(tag for row in record_tags for tag in row["tags"].split(";") if tag)
    assert dict(counted) == dict(world.summary.difficulties)


def test_people_file_describes_the_population(people: dict[str, dict[str, str]]) -> None:
    row = next(iter(people.values()))
    for column in ("origin", "common_surname", "household_id", "twin_of", "father_of", "dob"):
        assert column in row
    origins = Counter(p["origin"] for p in people.values())
    assert set(origins) == {
        "anglo",
        "hispanic",
        "arabic",
        "chinese",
        "vietnamese",
        "russian",
        "south_asian",
        "other",
    }
    smiths = [p for p in people.values() if p["family_name"] == "Smith"]
    assert smiths
    assert all(p["common_surname"] == "True" for p in smiths)
    scripts = [p["name_original"] for p in people.values() if p["name_original"]]
    assert any("\u0600" <= ch <= "\u06ff" for s in scripts for ch in s)  # Arabic
    assert any("\u0400" <= ch <= "\u04ff" for s in scripts for ch in s)  # Cyrillic
    assert any("\u4e00" <= ch <= "\u9fff" for s in scripts for ch in s)  # CJK


def test_mentions_are_verbatim_in_their_reports(
    world: World, people: dict[str, dict[str, str]]
) -> None:
    with (world.path / "truth_mentions.csv").open(encoding="utf-8", newline="") as fh:
        mentions = list(csv.DictReader(fh))
    reports = sorted((world.path / "reports").glob("*.txt"))
    assert len(reports) == 4000 // 50
    assert {m["document"] for m in mentions} == {r.name for r in reports}
    texts = {r.name: r.read_text(encoding="utf-8") for r in reports}
    for m in mentions:
        assert m["mention"] in texts[m["document"]]
        assert m["person_id"] in people
