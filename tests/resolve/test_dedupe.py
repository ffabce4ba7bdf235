"""`linkwise dedupe`: the DESIGN.md §6 contract, automatic mapping, and bad input."""

from __future__ import annotations

import csv
import random
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkwise.cli.main import app
from linkwise.workspace.dedupe import DedupeError, auto_map, date_order, dedupe

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
    # a whole name beside one part gives the other; beside both it is left out, unless the
    # user asked for it
    assert auto_map(["name", "first_name"], {}) == {"full_name": "name", "given_name": "first_name"}
    both = ["name", "first_name", "surname"]
    assert "full_name" not in auto_map(both, {})
    assert auto_map(both, {"name": "full_name"})["full_name"] == "name"
    # an extra attribute is compared but is no person field
    assert auto_map(["first_name", "town"], {"town": "attribute"}) == {"given_name": "first_name"}
    with pytest.raises(DedupeError, match="unknown field"):
        auto_map(["nm"], {"nm": "religion"})


@pytest.mark.parametrize(
    "column",
    [
        # another person's, a place that is not where the person lives, or not the value
        "parent_phone",
        "guardian_email",
        "emergency_contact_phone",
        "head_of_household_ssn",
        "victim_dob",
        "spouse_first_name",
        "mother_maiden_name",
        "family_member_name",
        "employer_address",
        "arrest_city",
        "birth_city",
        "birthplace_city",
        "mailing_city",
        "prev_address",
        "last_4_ssn",
        "ssn4",
        "ssn_flag",
        "zip4",
        "zip_code_plus4",
        "dob_estimated",
        "birthdate_flag",
        "phone_type",
        "phone_ext",
        "email_opt_in",
        "last_email_date",
        "address_type",
        "sex_offender_flag",
        "plate_state",
        "date_of_death",
        "birth_age",
        "first_name_soundex",
        "last_name_initial",
        "alias_first_name",
        "first_seen",
        "city_state_zip",
        "postcode_fake",
    ],
)
def test_a_header_with_a_word_of_its_own_is_left_alone(column: str) -> None:
    assert auto_map(["full_name", column], {}) == {"full_name": "full_name"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # a voter file's spellings, found by the words of each header
        (
            [
                "voter_id",
                "first_name",
                "last_name",
                "midl_name",
                "birth_age",
                "res_street_address",
                "res_city_desc",
                "zip_code",
                "phone_num",
                "gender_code",
            ],
            {
                "given_name": "first_name",
                "family_name": "last_name",
                "middle_name": "midl_name",
                "address_line": "res_street_address",
                "city": "res_city_desc",
                "postcode": "zip_code",
                "phone": "phone_num",
                "sex": "gender_code",
            },
        ),
        # a British form: two address lines joined, "Town/City", a National Insurance number
        (
            [
                "Ref",
                "First Name",
                "Surname",
                "Date of Birth",
                "Address Line 1",
                "Address Line 2",
                "Town/City",
                "County",
                "Postcode",
                "NI Number",
            ],
            {
                "given_name": "First Name",
                "family_name": "Surname",
                "dob": "Date of Birth",
                "address_line": {"columns": ["Address Line 1", "Address Line 2"]},
                "city": "Town/City",
                "postcode": "Postcode",
                "national_id": "NI Number",
            },
        ),
        # a registry's prefixed names; what names no person field, or two, is left alone
        (
            [
                "patient_first_name",
                "patient_last_name",
                "patient_dob",
                "email_address",
                "home_phone",
                "work_phone",
                "city_state_zip",
                "mother_maiden_name",
                "birth_city",
                "first_seen_date",
                "street_number",
                "street_name",
            ],
            {
                "given_name": "patient_first_name",
                "family_name": "patient_last_name",
                "dob": "patient_dob",
                "email": "email_address",
                "phone": "home_phone",
                "address_line": {"columns": ["street_number", "street_name"]},
            },
        ),
        # a voter file's residence beside its mailing address: the residence is the person's
        (
            [
                "RESIDENTIAL_ADDRESS1",
                "RESIDENTIAL_CITY",
                "RESIDENTIAL_ZIP",
                "MAILING_ADDRESS1",
                "MAILING_CITY",
                "MAILING_ZIP",
                "pat_fname",
                "pat_lname",
                "name_sufx_cd",
            ],
            {
                "address_line": "RESIDENTIAL_ADDRESS1",
                "city": "RESIDENTIAL_CITY",
                "postcode": "RESIDENTIAL_ZIP",
                "given_name": "pat_fname",
                "family_name": "pat_lname",
                "name_suffix": "name_sufx_cd",
            },
        ),
        # names said by whose they are; an address given in parts under one prefix
        (
            [
                "plate",
                "owner_first",
                "owner_last",
                "owner_dob",
                "defendant_name",
                "address.street",
                "address.unit",
                "address.city",
                "address.state",
                "address.zip",
                "first_seen",
                "last_updated",
            ],
            {
                "given_name": "owner_first",
                "family_name": "owner_last",
                "dob": "owner_dob",
                "address_line": "address.street",
                "city": "address.city",
                "region": "address.state",
                "postcode": "address.zip",
            },
        ),
        (["defendant_name", "dob"], {"full_name": "defendant_name", "dob": "dob"}),
        # a whole name, and a date of birth written as an abbreviation
        (["full_nm", "birth_dt"], {"full_name": "full_nm", "dob": "birth_dt"}),
        # camelCase headers are read word by word
        (
            [
                "FirstName",
                "LastName",
                "dateOfBirth",
                "homePhone",
                "AddressLine1",
                "AddressLine2",
                "ZIPCode",
                "eMail",
            ],
            {
                "given_name": "FirstName",
                "family_name": "LastName",
                "dob": "dateOfBirth",
                "phone": "homePhone",
                "address_line": {"columns": ["AddressLine1", "AddressLine2"]},
                "postcode": "ZIPCode",
                "email": "eMail",
            },
        ),
        # parts of a date of birth are parts, not the date
        (
            ["given", "family", "yob", "dob_month", "dob_day"],
            {
                "given_name": "given",
                "family_name": "family",
                "birth_year": "yob",
                "birth_month": "dob_month",
                "birth_day": "dob_day",
            },
        ),
    ],
)
def test_headers_are_mapped_by_their_words_where_no_alias_names_them(
    header: list[str], expected: dict[str, object]
) -> None:
    assert auto_map(header, {}) == expected


def test_a_file_with_voter_file_headers_resolves_as_with_plain_ones(
    files: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    a, _, _ = files
    renamed = tmp_path / "voters.csv"
    with a.open(newline="") as src, renamed.open("w", newline="") as out:
        rows = list(csv.reader(src))
        names = {
            "first_name": "voter_first_nm",
            "surname": "voter_last_nm",
            "dob": "birth_dt",
            "zip": "res_zip5",
            "phone": "home_phone_num",
        }
        csv.writer(out).writerows([[names.get(c, c) for c in rows[0]], *rows[1:]])
    plain = dedupe([a], tmp_path / "plain.csv", id_column="rid")
    mapped = dedupe([renamed], tmp_path / "mapped.csv", id_column="rid")
    assert plain.files[str(a)]["fields"] == {
        "given_name": "first_name",
        "family_name": "surname",
        "dob": "dob",
        "postcode": "zip",
        "phone": "phone",
    }
    assert mapped.files[str(renamed)]["fields"] == {
        "given_name": "voter_first_nm",
        "family_name": "voter_last_nm",
        "dob": "birth_dt",
        "postcode": "res_zip5",
        "phone": "home_phone_num",
    }
    with (tmp_path / "plain.csv").open() as p, (tmp_path / "mapped.csv").open() as m:
        assert [r[1:] for r in csv.reader(p)] == [r[1:] for r in csv.reader(m)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv"], "no such file"),
        (["ok.csv", "--id-column", "nope"], "--id-column 'nope' is not in the header"),
        (["ok.csv", "--map", "zzz=given_name"], "column 'zzz', which no input has: ok.csv"),
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


def _two_column(rows: list[str]) -> str:
    return "rid,first_name,surname,dob\n" + "\n".join(rows) + "\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # a quote never closed would swallow every later row into one field
        (
            _two_column(['1,Ann,"Lee,1980-01-02', "2,Bo,Li,1981-02-03", "3,Cy,Wu,1982-03-04"]),
            "b.csv:2: malformed CSV: a quote opened in this row is never closed, so the "
            "2 lines after it were read into one field",
        ),
        # an unquoted delimiter shifts the values out of their columns
        (
            _two_column(["1,Ann,Lee,1980-01-02", "2,Bo,Li, Jr,1981-02-03"]),
            "b.csv:3: row has 5 fields but the header has 4; the values cannot be "
            "assigned to columns safely",
        ),
        (
            _two_column(["1,Ann,Lee,1980-01-02", "2,Bo,Li,1981-02-03", "1,Cy,Wu,1982-03-04"]),
            "b.csv:4: --id-column 'rid' value '1' appears again (first at b.csv:2)",
        ),
        (
            _two_column(["1,Ann,Lee,1980-01-02", " ,Bo,Li,1981-02-03"]),
            "b.csv:3: the --id-column 'rid' is empty",
        ),
    ],
    ids=["unclosed quote", "shifted values", "repeated id", "empty id"],
)
def test_rows_that_cannot_be_resolved_as_given_stop_the_run(
    tmp_path: Path, body: str, message: str
) -> None:
    # every input row must get an output row, so a row whose values cannot be trusted
    # (or whose id is not unique) is an error naming its line, and nothing is written
    (tmp_path / "b.csv").write_text(body)
    out = tmp_path / "out.csv"
    with pytest.raises(DedupeError) as caught:
        dedupe([tmp_path / "b.csv"], out, id_column="rid")
    assert str(caught.value).replace(str(tmp_path) + "/", "") == message
    assert not out.exists()


def test_paths_are_checked_before_any_work(
    files: tuple[Path, Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b, _ = files
    before = a.read_bytes()
    (tmp_path / "folder").mkdir()
    cases = [
        ([a, b], a, f"-o {a}: that is an input file; name another output"),
        ([a, b], tmp_path / "folder", "a folder; name a file in it"),
        ([a, b], tmp_path / "nowhere" / "o.csv", f"the folder {tmp_path / 'nowhere'} does not"),
        ([a, tmp_path / "folder"], tmp_path / "o.csv", f"{tmp_path / 'folder'}: a folder, not a"),
        ([a, a.parent / ".." / a.parent.name / a.name], tmp_path / "o.csv", "given twice"),
    ]

    def no_work(*_: object, **__: object) -> None:
        raise AssertionError("resolution started before the paths were checked")

    monkeypatch.setattr("linkwise.workspace.dedupe.resolve", no_work)
    for inputs, out, message in cases:
        with pytest.raises(DedupeError, match=re.escape(message)):
            dedupe(inputs, out, id_column="rid")
    assert a.read_bytes() == before
    assert not (tmp_path / "folder.part").exists()


def test_day_first_dates_are_read_day_first_and_unread_values_are_reported(
    tmp_path: Path,
) -> None:
    people = _people(60, 11)
    rows = ["rid,first_name,surname,dob"]
    for i, p in enumerate(people):
        year, month, day = p["dob"].split("-")
        day = f"{(i % 15) + 13}" if i % 4 == 0 else day  # some days over 12 give it away
        text = f"{day}/{month}/{year}" if i != 7 else "not known"
        rows.append(f"r{i},{p['first_name']},{p['surname']},{text}")
        rows.append(f"s{i},{p['first_name']},{p['surname']},{text}")
    src = tmp_path / "dmy.csv"
    src.write_text("\n".join(rows) + "\n")
    summary = dedupe([src], tmp_path / "o.csv", id_column="rid")
    info = summary.files[str(src)]
    assert info["fields"]["dob"] == "dob (day first)"
    assert info["unread"] == {"dob": (2, "dmy.csv:16", "not known")}
    assert summary.resolution is not None
    dobs = summary.resolution.table.column("dob").to_pylist()
    year, month, _ = people[0]["dob"].split("-")
    assert dobs[0] == f"{year}-{month}-13"  # 13/MM/YYYY, not an impossible 13th month


def test_too_few_records_to_train_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "two.csv").write_text(_two_column(["1,Ann,Lee,1980-01-02", "2,Bo,Li,1981-02-03"]))
    result = CliRunner().invoke(app, ["dedupe", "two.csv", "-o", "out.csv", "--id-column", "rid"])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert "two.csv: the model cannot be trained on these 2 records" in said
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("threshold", ["0", "1.5", "nan"])
def test_a_threshold_outside_its_range_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, threshold: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.csv").write_text("first_name,surname\nAnn,Lee\nBo,Li\n")
    result = CliRunner().invoke(
        app, ["dedupe", "ok.csv", "-o", "out.csv", "--threshold", threshold]
    )
    assert result.exit_code == 2
    assert "is not above 0 and at most 1" in " ".join(result.output.split())


def test_duplicate_free_names_a_file_however_its_path_is_written(
    files: tuple[Path, Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _, _ = files
    monkeypatch.chdir(a.parent)
    summary = dedupe(
        [Path("a.csv"), Path("b.csv")], tmp_path / "o.csv", id_column="rid", duplicate_free=[a]
    )
    assert summary.records == 320


def test_a_map_applies_to_the_files_that_have_its_column(
    files: tuple[Path, Path, dict[str, str]], tmp_path: Path
) -> None:
    a, b, _ = files
    renamed = tmp_path / "b_renamed.csv"  # b.csv with its "zip" column called "code"
    lines = b.read_text().splitlines()
    renamed.write_text("\n".join([lines[0].replace("zip", "code"), *lines[1:]]) + "\n")
    summary = dedupe(
        [a, renamed], tmp_path / "o.csv", id_column="rid", overrides={"code": "postcode"}
    )
    assert summary.files[str(a)]["fields"]["postcode"] == "zip"
    assert summary.files[str(renamed)]["fields"]["postcode"] == "code"


def test_a_file_in_which_no_name_column_is_found_is_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Headers no alias or word names ("vorname", "nachname"): the names are left out, the
    run goes on with the other fields, and the command says which file has no name and how
    to give one. A file whose names are found gets no such warning."""
    monkeypatch.chdir(tmp_path)
    people = _people(60, 5)
    german = ["rid,vorname,nachname,dob,zip"]
    plain = ["rid,first_name,surname,dob,zip"]
    for i, p in enumerate(people):
        german.append(f"g{i},{p['first_name']},{p['surname']},{p['dob']},{p['zip']}")
        plain.append(f"p{i},{p['first_name']},{p['surname']},{p['dob']},{p['zip']}")
    (tmp_path / "de.csv").write_text("\n".join(german) + "\n")
    (tmp_path / "en.csv").write_text("\n".join(plain) + "\n")
    result = CliRunner().invoke(
        app, ["dedupe", "de.csv", "en.csv", "-o", "out.csv", "--id-column", "rid"]
    )
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "warning: de.csv: no column was taken for a name" in said
    assert "--map COLUMN=given_name" in said
    assert "en.csv: no column" not in said
    assert (tmp_path / "out.csv").exists()
    files = [tmp_path / "de.csv", tmp_path / "en.csv"]
    summary = dedupe(files, tmp_path / "o.csv", id_column="rid")
    assert [summary.files[str(f)]["names"] for f in files] == [False, True]


@pytest.mark.parametrize(
    ("column", "day_first"),
    [
        ("DOB (DD/MM/YYYY)", True),
        ("date of birth (dd-mm-yy)", True),
        ("birth_date_ddmmyyyy", True),
        ("DOB (MM/DD/YYYY)", False),
        ("dob mmddyy", False),
        ("Date of Birth [YYYY-MM-DD]", None),  # year first reads as ISO either way
    ],
)
def test_a_date_order_in_the_header_is_read_and_set_aside(
    column: str, day_first: bool | None
) -> None:
    assert date_order(column)[1] is day_first
    assert auto_map(["First Name", "Last Name", column], {})["dob"] == column


def test_a_header_that_is_only_a_date_order_or_has_none_keeps_its_key() -> None:
    assert date_order("dd/mm/yyyy") == ("dd_mm_yyyy", None)
    assert date_order("Date of Birth") == ("date_of_birth", None)
    # a two-digit year first is no order dates are read in: the header is left alone
    assert date_order("DOB (YY/MM/DD)") == ("dob_yy_mm_dd", None)
    assert "dob" not in auto_map(["DOB (YY/MM/DD)", "name"], {})


@pytest.mark.parametrize(
    ("columns", "dob"),
    [
        # beside a plain date of birth, the one with an order is not a second one
        (["dob", "dob (dd/mm/yyyy)"], "dob"),
        (["dob (dd/mm/yyyy)", "dob"], "dob"),
        (["Date of Birth", "dob (dd/mm/yyyy)"], "Date of Birth"),
        # two with orders: ambiguous, as two plain ones are
        (["DOB (DD/MM/YYYY)", "DOB (MM/DD/YYYY)"], None),
    ],
)
def test_a_date_order_names_the_date_of_birth_only_when_nothing_else_does(
    columns: list[str], dob: str | None
) -> None:
    assert auto_map(columns, {}).get("dob") == dob


def test_a_date_order_is_set_aside_only_from_a_date_of_birth() -> None:
    fields = auto_map(["First Name", "Last Name", "Surname (DD/MM/YYYY)"], {})
    assert fields == {"given_name": "First Name", "family_name": "Last Name"}
    assert auto_map(["Postcode yymmdd", "phone_mm_dd_yy", "Visit date (dd/mm/yy)"], {}) == {}


@pytest.mark.parametrize(
    ("column", "day_first"), [("dob (dd/mm/yyyy)", True), ("dob (mm/dd/yyyy)", False)]
)
def test_the_date_order_a_header_names_is_the_one_read(
    tmp_path: Path, column: str, day_first: bool
) -> None:
    # Every day and month is 12 or less: the values alone would be read month first.
    people = _people(40, 12)
    rows = [f"rid,first_name,surname,{column}"]
    for i, p in enumerate(people):
        year, month, day = p["dob"].split("-")
        day = f"{int(day) % 12 + 1:02d}"
        p["dob"] = f"{year}-{month}-{day}"
        first, second = (day, month) if day_first else (month, day)
        for copy in "rs":
            rows.append(f"{copy}{i},{p['first_name']},{p['surname']},{first}/{second}/{year}")
    src = tmp_path / "dates.csv"
    src.write_text("\n".join(rows) + "\n")
    summary = dedupe([src], tmp_path / "o.csv", id_column="rid")
    info = summary.files[str(src)]
    assert info["fields"]["dob"] == (f"{column} (day first)" if day_first else column)
    assert summary.resolution is not None
    dobs = summary.resolution.table.column("dob").to_pylist()
    assert dobs[::2] == [p["dob"] for p in people]
