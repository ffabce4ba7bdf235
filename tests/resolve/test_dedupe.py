"""`linkwise dedupe`: the DESIGN.md §6 contract, automatic mapping, and bad input."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkwise.cli.main import app
from linkwise.workspace.dedupe import DedupeError, auto_map, dedupe

GIVEN = [
    "james",
    "mary",
    "robert",
    "patricia",
    "john",
    "jennifer",
    "michael",
    "linda",
    "william",
    "elizabeth",
    "david",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
]
FAMILY = [
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "wojciechowska",
    "nguyen",
    "okafor",
    "haddad",
    "kowalski",
    "tanaka",
    "silva",
    "rossi",
]
NICK = {"william": "bill", "robert": "bob", "elizabeth": "liz", "james": "jim"}


def _people(n: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(
            {
                "person": f"P{i}",
                "first_name": rng.choice(GIVEN),
                "surname": rng.choice(FAMILY),
                "dob": f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}"
                f"-{rng.randint(1, 28):02d}",
                "zip": f"{rng.randint(10000, 99999)}",
                "phone": f"555{rng.randint(1000000, 9999999)}",
            }
        )
    return out


def _variant(p: dict[str, str], rng: random.Random) -> dict[str, str]:
    v = dict(p)
    roll = rng.random()
    if roll < 0.3 and v["first_name"] in NICK:
        v["first_name"] = NICK[v["first_name"]]
    elif roll < 0.5:
        s = v["surname"]
        i = rng.randrange(1, len(s))
        v["surname"] = s[:i] + s[i + 1 :]
    elif roll < 0.7:
        v["phone"] = ""
    else:
        v["zip"] = ""
    return v


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """Two files of 200 people; 120 of them appear in both with realistic variations."""
    rng = random.Random(7)
    people = _people(200, 3)
    folder = tmp_path_factory.mktemp("dedupe")
    a_rows = [dict(p, rid=f"a{i}") for i, p in enumerate(people)]
    b_rows = [dict(_variant(p, rng), rid=f"b{i}") for i, p in enumerate(people[:120])]
    truth = {("a.csv", r["rid"]): r["person"] for r in a_rows}
    truth.update({("b.csv", r["rid"]): r["person"] for r in b_rows})
    for name, rows in (("a.csv", a_rows), ("b.csv", b_rows)):
        with (folder / name).open("w", newline="") as fh:
            w = csv.DictWriter(fh, ["rid", "first_name", "surname", "dob", "zip", "phone"])
            w.writeheader()
            for r in rows:
                w.writerow({k: r[k] for k in w.fieldnames})
    return folder / "a.csv", folder / "b.csv", {f"{k[0]}|{k[1]}": v for k, v in truth.items()}


def test_contract_output_and_quality(
    files: tuple[Path, Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, truth = files
    monkeypatch.chdir(a.parent)
    result = CliRunner().invoke(
        app, ["dedupe", "a.csv", "b.csv", "-o", "out.csv", "--id-column", "rid"]
    )
    assert result.exit_code == 0, result.output
    with (a.parent / "out.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "record_id", "entity_id", "confidence"]
    body = rows[1:]
    assert len(body) == 320
    assert {r[0] for r in body} == {"a.csv", "b.csv"}
    assert all(0.0 <= float(r[3]) <= 1.0 for r in body)
    entity = {f"{r[0]}|{r[1]}": r[2] for r in body}
    # pairwise precision and recall against the truth
    same_pred = same_true = both = 0
    keys = sorted(entity)
    for i, x in enumerate(keys):
        for y in keys[i + 1 :]:
            p, t = entity[x] == entity[y], truth[x] == truth[y]
            same_pred += p
            same_true += t
            both += p and t
    precision, recall = both / same_pred, both / same_true
    assert precision > 0.95, precision
    assert recall > 0.85, recall
    singletons = [r for r in body if list(entity.values()).count(r[2]) == 1]
    assert all(float(r[3]) == 1.0 for r in singletons)


def test_row_numbers_when_no_id_column(
    files: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    a, _, _ = files
    lines = a.read_text().splitlines()
    src = tmp_path / "people.csv"  # the same rows without the id column, headers reworded
    src.write_text(
        "\n".join(
            ["First Name,Last Name,Date of Birth,ZIP,Phone"]
            + [line.split(",", 1)[1] for line in lines[1:]]
        )
        + "\n"
    )
    out = tmp_path / "o.csv"
    result = CliRunner().invoke(app, ["dedupe", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open()))
    assert [r["record_id"] for r in rows] == [str(i) for i in range(1, len(lines))]
    assert {r["file"] for r in rows} == {str(src)}
    assert "given_name=First Name" in " ".join(result.output.split())


def test_auto_map_and_overrides() -> None:
    fields = auto_map(
        [
            "given_name",
            "surname",
            "street_number",
            "address_1",
            "address_2",
            "suburb",
            "postcode",
            "state",
            "date_of_birth",
            "soc_sec_id",
            "rec_id",
        ],
        {},
        skip=["rec_id"],
    )
    assert fields["given_name"] == "given_name"
    assert fields["family_name"] == "surname"
    assert fields["address_line"] == {"columns": ["street_number", "address_1", "address_2"]}
    assert fields["city"] == "suburb"
    assert fields["dob"] == "date_of_birth"
    assert fields["ssn"] == "soc_sec_id"
    assert "rec_id" not in fields.values()
    mapped = auto_map(["nm", "born"], {"nm": "full_name"})
    assert mapped == {"full_name": "nm", "dob": "born"}
    # an extra attribute is compared but is no person field
    assert auto_map(["first_name", "town"], {"town": "attribute"}) == {"given_name": "first_name"}
    with pytest.raises(DedupeError, match="unknown field"):
        auto_map(["nm"], {"nm": "religion"})


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "no such file"),
        (["ok.csv", "--id-column", "nope"], "--id-column 'nope' is not in the header"),
        (["ok.csv", "--map", "zzz=given_name"], "not in the header"),
        (["ok.csv", "--map", "bad"], "expected COLUMN=FIELD"),
        (["junk.csv"], "no column could be mapped"),
    ],
)
def test_bad_input_is_refused_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.csv").write_text("first_name,surname\nAnn,Lee\nBo,Li\n")
    (tmp_path / "junk.csv").write_text("colour,size\nred,3\nblue,4\n")
    result = CliRunner().invoke(app, ["dedupe", *args, "-o", "out.csv"])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert not (tmp_path / "out.csv").exists()


def test_extra_attributes_are_compared(
    files: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    a, _, _ = files
    lines = a.read_text().splitlines()
    src = tmp_path / "with_attr.csv"
    src.write_text(
        "\n".join(
            [lines[0] + ",colour"]
            + [f"{line},{'red' if i % 2 else 'blue'}" for i, line in enumerate(lines[1:])]
        )
        + "\n"
    )
    out = tmp_path / "o.csv"
    summary = dedupe([src], out, id_column="rid", overrides={"colour": "attribute"})
    assert summary.resolution is not None
    assert "x_colour" in summary.resolution.linkage.comparisons
    assert summary.records == len(lines) - 1


def test_duplicate_free_file_never_has_two_rows_in_one_entity(
    files: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    a, b, _ = files
    # a.csv twice over: as two files, each holding one row per person
    copy = tmp_path / "a_copy.csv"
    copy.write_text(a.read_text())
    out = tmp_path / "o.csv"
    summary = dedupe([a, copy, b], out, id_column="rid", duplicate_free=[a, copy])
    rows = list(csv.DictReader(out.open()))
    per_entity: dict[str, list[str]] = {}
    for row in rows:
        per_entity.setdefault(row["entity_id"], []).append(row["file"])
    assert all(
        files.count(str(a)) <= 1 and files.count(str(copy)) <= 1 for files in per_entity.values()
    )
    # and the copies still find each other (one row of each per person)
    assert sum(1 for f in per_entity.values() if str(a) in f and str(copy) in f) > 150
    assert summary.records == len(rows)
    with pytest.raises(DedupeError, match="not among the input files"):
        dedupe([a], out, id_column="rid", duplicate_free=[b])
