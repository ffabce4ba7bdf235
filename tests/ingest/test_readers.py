"""Readers on the messy files real sources send."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from linkwise.ingest.errors import SourceFileError
from linkwise.ingest.readers import RawRow, open_reader
from linkwise.model.manifest import Manifest


def _manifest(
    path: str, key: str = "ID", columns: tuple[str, ...] = ("NAME",), **extra: Any
) -> Manifest:
    data: dict[str, Any] = {
        "name": "t",
        "title": "t",
        "kind": "test",
        "jurisdiction": "US",
        "key": [key],
        "fields": {"full_name": columns[0]} if columns else {},
        **extra,
    }
    if "url" not in extra:
        data["path"] = path
    return Manifest.model_validate(data)


def _rows(manifest: Manifest, base: Path, size: int = 1000) -> list[RawRow]:
    reader = open_reader(manifest, base)
    try:
        return [r for batch in reader.batches(size) for r in batch]
    finally:
        reader.close()


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("latin-1", "latin-1"), ("cp1252", "cp1252")],
)
def test_csv_encodings_are_detected(tmp_path: Path, encoding: str, expected: str) -> None:
    # The Windows-1252 file uses a curly apostrophe (byte 0x92) that Latin-1 lacks.
    name = "D\u2019Angelo Pe\u00f1a" if encoding == "cp1252" else "Jos\u00e9 Pe\u00f1a"
    (tmp_path / "p.csv").write_bytes(
        f"ID,NAME\n1,{name}\n2,Zo\u00eb M\u00fcller\n".encode(encoding)
    )
    reader = open_reader(_manifest("p.csv"), tmp_path)
    assert reader.encoding == expected
    rows = [r for b in reader.batches(10) for r in b]
    assert [r.values["NAME"] for r in rows] == [name, "Zo\u00eb M\u00fcller"]


MOSTLY_ASCII = [
    "Robert Allen,1971-06-24,,robert255@smith.net",
    "Rob Allen,1971-06-24,London,roberta25@smith.net",
    "Grace,1997-04-26,Hull,grace.kelly52@jones.com",
    "Logan pMurphy,1973-08-01,,",
    "Dean,2015-03-03,Portsmouth,evied56@harris-bailey.net",
    "Hall Isla,1985-02-07,London,islahall97@gutierrez-bennett.com",
    "Oliver Griffiths,1991-10-26,Lunton,o.griffiths90@reyes-coleman.com",
    "Lucas,1991-04-05,,l.c91@perez-gonzalez.com",
]


@pytest.mark.parametrize(
    "accented",
    [
        "Robert M\u00fcller,1971-06-24,,robert255@smith.net",  # was read as cp775
        "\u00d1\u00fa\u00f1ez Alan,1971-06-24,,r@smith.net",  # was read as cp775
        "J\u00e9r\u00f4me Dupr\u00e9,1980-01-02,Lyon,",
    ],
    ids=["mueller", "nunez", "jerome"],
)
def test_a_few_accented_names_in_latin_1_are_read_as_latin_1(tmp_path: Path, accented: str) -> None:
    lines = [accented, *MOSTLY_ASCII]
    text = "ID,NAME,DOB,CITY,EMAIL\n" + "".join(f"{i},{r}\n" for i, r in enumerate(lines))
    (tmp_path / "p.csv").write_bytes(text.encode("latin-1"))
    reader = open_reader(_manifest("p.csv"), tmp_path)
    assert reader.encoding == "latin-1"
    rows = [r for b in reader.batches(100) for r in b]
    assert [r.values["NAME"] for r in rows] == [line.split(",")[0] for line in lines]


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        # Polish with ś (byte 0x9C: Windows-1250 alone), with ą and ł only, and in ISO 8859-2
        ("cp1250", ["\u0141ukasz Wi\u015bniewski", "Ma\u0142gorzata D\u0105browska"]),
        ("cp1250", ["Gra\u017cyna D\u0105browska", "Pawe\u0142 Ko\u0142odziej"]),
        ("iso8859_2", ["\u0141ukasz Wi\u015bniewski", "Ma\u0142gorzata D\u0105browska"]),
        # Czech, whose letters all read as letters in Latin-1 too: "Dvo\u00f8\u00e1k"
        ("cp1250", ["Ji\u0159\u00ed Dvo\u0159\u00e1k", "Zden\u011bk R\u016f\u017ei\u010dka"]),
        ("iso8859_2", ["Ji\u0159\u00ed Dvo\u0159\u00e1k", "Zden\u011bk R\u016f\u017ei\u010dka"]),
        # Baltic, Latvian once guessed as Vietnamese Windows-1258; Turkish
        ("cp1257", ["R\u016bta Kazlauskien\u0117", "Giedr\u0117 \u0160imkut\u0117"]),
        ("cp1257", ["J\u0101nis B\u0113rzi\u0146\u0161", "M\u0101ris Kr\u016bmi\u0146\u0161"]),
        ("cp1254", ["I\u015f\u0131k Y\u0131lmaz", "\u00c7a\u011fr\u0131 \u00d6zt\u00fcrk"]),
        # Turkish whose letters all read as Icelandic ones in Latin-1 ("Ay\u00fee Do\u00f0an")
        (
            "cp1254",
            [
                "Ay\u015fe Do\u011fan",
                "Fatma Ayd\u0131n",
                "Ali Y\u0131ld\u0131z",
                "Emre Y\u0131lmaz",
                "Zeynep \u015eahin",
                "\u0130smail Y\u0131lmaz",
                "\u0130BRAH\u0130M \u015eAH\u0130N",
                "Mustafa Do\u011fan",
                "Elif \u015eim\u015fek",
            ],
        ),
        # Romanian \u015f and \u015e: the bytes of the ordinals \u00ba and \u00aa in Latin-1
        ("cp1250", ["Ion Mure\u015fan", "\u015etefan Popescu", "R\u0103zvan P\u0103tra\u015fcu"]),
        # Lithuanian, whose \u0160 and \u016b a Turkish page reads as \u011e and \u00fb
        (
            "cp1257",
            ["Tomas \u017dukauskas", "\u0160ar\u016bnas \u0160imkus", "Mindaugas Bra\u017einskas"],
        ),
        # and whose \u0161 beginning a word Latin-1 reads as the Faroese \u00f0
        ("cp1257", ["Jonas \u0160iauli\u0173", "Petras \u0160il\u0173"]),
    ],
    ids=[
        "pl_cp1250",
        "pl_cp1250_no_c1",
        "pl_iso8859_2",
        "cz_cp1250",
        "cz_iso8859_2",
        "lt_cp1257",
        "lv_cp1257",
        "tr_cp1254",
        "tr_cp1254_icelandic_look",
        "ro_cp1250",
        "lt_cp1257_turkish_look",
        "lt_cp1257_eth_first",
    ],
)
def test_latin_names_of_other_code_pages_are_read_as_written(
    tmp_path: Path, encoding: str, names: list[str]
) -> None:
    # charset-normalizer says Windows-1250 for Western files as readily, and Baltic or
    # Vietnamese pages for others: the names decide
    lines = [f"{i},{n},1971-06-24" for i, n in enumerate(names)]
    lines += [f"{i + 2},{r}" for i, r in enumerate(MOSTLY_ASCII)]
    (tmp_path / "p.csv").write_bytes(("ID,NAME,DOB\n" + "\n".join(lines) + "\n").encode(encoding))
    rows = _rows(_manifest("p.csv"), tmp_path)
    assert [r.values["NAME"] for r in rows[: len(names)]] == names


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_western_names_of_several_languages_stay_western(tmp_path: Path, encoding: str) -> None:
    names = ["Lef\u00e8vre H\u00e9l\u00e8ne", "N\u00fa\u00f1ez Ib\u00e1\u00f1ez"]
    names += ["Wei\u00df J\u00fcrgen", "Ga\u00eblle No\u00ebl", "Fran\u00e7ois Cr\u00e9pin"]
    names += ["Pe\u00f1a Mar\u00eda", "Bj\u00f8rn L\u00f8vland"] * 5
    # Italian, once guessed as Vietnamese Windows-1258; Icelandic, whose \u00fe and \u00f0
    # Turkish and Vietnamese pages read as other letters
    names += ["Niccol\u00f2 Cant\u00f9", "Luca Piet\u00e0", "J\u00f3n \u00de\u00f3r\u00f0arson"]
    if encoding == "cp1252":
        names.append("O\u2019Brien Se\u00e1n")  # a curly apostrophe: byte 0x92
    text = "ID,NAME\n" + "".join(f"{i},{n}\n" for i, n in enumerate(names))
    (tmp_path / "p.csv").write_bytes(text.encode(encoding))
    reader = open_reader(_manifest("p.csv"), tmp_path)
    assert reader.encoding == encoding
    rows = [r for b in reader.batches(100) for r in b]
    assert [r.values["NAME"] for r in rows] == names


@pytest.mark.parametrize(
    "names",
    [
        # Spanish and Portuguese ordinals, which Windows-1250 reads as \u015e and \u015f
        ["M\u00aa Carmen Mu\u00f1oz", "M\u00aa Jos\u00e9 Pe\u00f1a", "Robert Allen"],
        ["Jo\u00e3o Sim\u00f5es n\u00ba 12", "In\u00eas Gon\u00e7alves 1\u00ba andar"],
        # Faroese, whose \u00f8 beside \u00f0 a Baltic page reads as \u0173 beside \u0161
        [
            "H\u00f8gni Br\u00f8\u00f0rasambandi\u00f0",
            "Sj\u00far\u00f0ur J\u00f3ansson",
            "R\u00fani J\u00f8r\u00f0heim",
        ],
        # Icelandic names with \u00f0 and \u00fe and no other accent, which Turkish could write
        [
            "Sigur\u00f0ur Gu\u00f0mundsson",
            "Gu\u00f0mundur Sigur\u00f0sson",
            "\u00deorsteinn Sigur\u00f0sson",
        ],
    ],
    ids=["es_ordinals", "pt_ordinals", "faroese", "icelandic_eth"],
)
def test_a_few_western_names_stay_western(tmp_path: Path, names: list[str]) -> None:
    lines = [*names, *(r.split(",")[0] for r in MOSTLY_ASCII)]
    text = "ID,NAME\n" + "".join(f"{i},{n}\n" for i, n in enumerate(lines))
    (tmp_path / "p.csv").write_bytes(text.encode("latin-1"))
    rows = _rows(_manifest("p.csv"), tmp_path)
    assert [r.values["NAME"] for r in rows] == lines


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("cp1251", ["\u0418\u0432\u0430\u043d\u043e\u0432 \u0418\u0432\u0430\u043d"] * 20),
        ("shift_jis", ["\u5c71\u7530\u592a\u90ce", "\u4f50\u85e4\u82b1\u5b50"] * 10),
        # Japanese beside Latin letters: a guess that is never overruled
        ("shift_jis", ["NTT\u30c9\u30b3\u30e2", "KDDI\u682a\u5f0f\u4f1a\u793e"] * 50),
    ],
    ids=["cp1251", "shift_jis", "shift_jis_mixed"],
)
def test_whole_words_in_another_script_keep_their_encoding(
    tmp_path: Path, encoding: str, names: list[str]
) -> None:
    text = "ID,NAME,EMAIL\n" + "".join(f"{i},{n},p{i}@example.com\n" for i, n in enumerate(names))
    (tmp_path / "p.csv").write_bytes(text.encode(encoding))
    rows = _rows(_manifest("p.csv"), tmp_path)
    assert [r.values["NAME"] for r in rows] == names


def test_late_non_utf8_byte_is_found_beyond_any_sample(tmp_path: Path) -> None:
    lines = ["ID,NAME"] + [f"{i},Plain Name" for i in range(100_000)] + ["100001,Ren\u00e9e"]
    (tmp_path / "p.csv").write_bytes("\n".join(lines).encode("latin-1"))
    rows = _rows(_manifest("p.csv"), tmp_path, size=50_000)
    assert rows[-1].values["NAME"] == "Ren\u00e9e"
    assert all(r.problem is None for r in rows)


@pytest.mark.parametrize("delimiter", [",", ";", "|", "\t"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["ID", "NAME", "CITY"]) + "\n"
    text += delimiter.join(["1", "Smith, John", "Springfield"]) + "\n"
    text = text.replace("Smith, John", '"Smith, John"') if delimiter == "," else text
    text += delimiter.join(["2", "Jane Doe", "Salem"]) + "\n"
    (tmp_path / "p.csv").write_text(text, encoding="utf-8")
    rows = _rows(_manifest("p.csv"), tmp_path)
    assert [r.values["NAME"] for r in rows] == ["Smith, John", "Jane Doe"]


def test_quoted_newlines_keep_the_row_and_its_first_line_number(tmp_path: Path) -> None:
    text = 'ID,NAME,NOTE\n1,Ann Lee,"line one\nline two\nline three"\n2,Bo Chan,short\n'
    (tmp_path / "p.csv").write_text(text, encoding="utf-8")
    m = _manifest("p.csv", facts={"note": {"column": "NOTE"}})
    rows = _rows(m, tmp_path)
    assert rows[0].values["NOTE"] == "line one\nline two\nline three"
    assert [(r.locator, r.line) for r in rows] == [("p.csv:2", 2), ("p.csv:5", 5)]


def test_ragged_rows_short_is_padded_long_with_data_is_a_problem(tmp_path: Path) -> None:
    text = "ID,NAME,CITY\n1,Ann Lee\n2,Bo Chan,Salem,\n3,Cy Dee,Salem,EXTRA\n"
    (tmp_path / "p.csv").write_text(text, encoding="utf-8")
    m = _manifest("p.csv", fields={"full_name": "NAME", "city": "CITY"})
    reader = open_reader(m, tmp_path)
    rows = [r for b in reader.batches(10) for r in b]
    assert rows[0].values == {"ID": "1", "NAME": "Ann Lee", "CITY": None}
    assert rows[0].problem is None
    assert rows[1].problem is None
    assert rows[2].problem is not None
    assert "4 fields but the header has 3" in rows[2].problem
    assert [r.unsafe for r in rows] == [False, False, True]
    assert reader.counters == {"short_rows": 1, "trailing_fields": 1}


@pytest.mark.parametrize("ending", ["\n", ""])
def test_a_quote_never_closed_is_a_problem_not_one_long_field(tmp_path: Path, ending: str) -> None:
    # Python's reader would take every later line into the open field, silently
    text = 'ID,NAME,NOTE\n1,Ann Lee,ok\n2,Bo Chan,"opened\n3,Cy Dee,lost\n4,Di Fay,lost' + ending
    (tmp_path / "p.csv").write_text(text, encoding="utf-8")
    rows = _rows(_manifest("p.csv", facts={"note": {"column": "NOTE"}}), tmp_path)
    assert [(r.locator, r.unsafe) for r in rows] == [("p.csv:2", False), ("p.csv:3", True)]
    assert rows[1].problem == (
        "malformed CSV: a quote opened in this row is never closed, so the 2 lines after it "
        "were read into one field"
    )


@pytest.mark.parametrize(
    ("last", "note"),
    [
        ('2,Bo Chan,"said ""hi""\nand left\n"', 'said "hi"\nand left\n'),
        ('2,Bo 5" Chan,"a\nb"\n', "a\nb"),  # a literal quote in an unquoted field, too
    ],
)
def test_a_closed_quoted_field_may_end_the_file_over_several_lines(
    tmp_path: Path, last: str, note: str
) -> None:
    (tmp_path / "p.csv").write_text("ID,NAME,NOTE\n1,Ann Lee,ok\n" + last, encoding="utf-8")
    rows = _rows(_manifest("p.csv", facts={"note": {"column": "NOTE"}}), tmp_path)
    assert [r.problem for r in rows] == [None, None]
    assert rows[1].values["NOTE"] == note


def test_nul_bytes_and_blank_lines_do_not_break_reading(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_bytes(b"ID,NAME\n1,Ann\x00 Lee\n\n2,Bo Chan\n")
    rows = _rows(_manifest("p.csv"), tmp_path)
    assert [r.values["NAME"] for r in rows] == ["Ann Lee", "Bo Chan"]


def test_unmapped_columns_are_never_read(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_text("ID,NAME,RELIGION\n1,Ann Lee,x\n", encoding="utf-8")
    rows = _rows(_manifest("p.csv"), tmp_path)
    assert rows[0].values == {"ID": "1", "NAME": "Ann Lee"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        (b"", "empty"),
        (b"PAR1\x00\x00\x15\x04\x15\x10\x00binary\x00", "binary"),
    ],
)
def test_bad_csv_files_are_refused_with_a_reason(
    tmp_path: Path, content: bytes | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "p.csv").write_bytes(content)
    with pytest.raises(SourceFileError, match=message):
        open_reader(_manifest("p.csv"), tmp_path)


def test_jsonl_flattens_nested_objects_and_flags_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"ID": 1, "NAME": "Ann Lee", "address": {"city": "Salem", "zip": "97301"}}),
        "{not json",
        json.dumps([1, 2]),
        "",
        json.dumps({"ID": 2, "NAME": "Bo Chan"}),
    ]
    (tmp_path / "p.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    m = _manifest("p.jsonl", fields={"full_name": "NAME", "city": "address.city"})
    rows = _rows(m, tmp_path)
    assert rows[0].values == {"ID": 1, "NAME": "Ann Lee", "address.city": "Salem"}
    assert rows[1].problem is not None
    assert rows[1].problem.startswith("invalid JSON")
    assert rows[2].problem == "expected an object, got list"
    assert [r.locator for r in rows] == ["p.jsonl:1", "p.jsonl:2", "p.jsonl:3", "p.jsonl:5"]


def test_json_array_is_not_json_lines(tmp_path: Path) -> None:
    (tmp_path / "p.jsonl").write_text('[{"ID": 1},\n{"ID": 2}]\n', encoding="utf-8")
    with pytest.raises(SourceFileError, match="JSON array"):
        open_reader(_manifest("p.jsonl"), tmp_path)


def test_parquet_keeps_types_and_flattens_structs(tmp_path: Path) -> None:
    table = pa.table(
        {
            "ID": pa.array([1, 2], pa.int64()),
            "NAME": ["Ann Lee", "Bo Chan"],
            "DOB": pa.array([dt.date(1980, 5, 4), None], pa.date32()),
            "addr": pa.array(
                [{"city": "Salem", "zip": "97301"}, {"city": None, "zip": None}],
                pa.struct([("city", pa.string()), ("zip", pa.string())]),
            ),
            "UNUSED": ["x", "y"],
        }
    )
    pq.write_table(table, tmp_path / "p.parquet", row_group_size=1)
    m = _manifest("p.parquet", fields={"full_name": "NAME", "dob": "DOB", "city": "addr.city"})
    reader = open_reader(m, tmp_path)
    assert "addr.zip" in reader.columns
    batches = list(reader.batches(1))
    rows = [r for b in batches for r in b]
    assert rows[0].values == {
        "ID": 1,
        "NAME": "Ann Lee",
        "DOB": dt.date(1980, 5, 4),
        "addr.city": "Salem",
    }
    assert [r.locator for r in rows] == ["p.parquet:row 1", "p.parquet:row 2"]


def test_not_a_parquet_file(tmp_path: Path) -> None:
    (tmp_path / "p.parquet").write_text("ID,NAME\n1,x\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="not a readable Parquet file"):
        open_reader(_manifest("p.parquet"), tmp_path)


def _sqlite_db(path: Path) -> None:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE people (ID INTEGER PRIMARY KEY, NAME TEXT, AGE INTEGER)")
    con.executemany("INSERT INTO people VALUES (?, ?, ?)", [(1, "Ann Lee", 40), (2, "Bo Chan", 9)])
    con.commit()
    con.close()


def test_sql_table_relative_to_manifest(tmp_path: Path) -> None:
    _sqlite_db(tmp_path / "src.sqlite")
    m = _manifest("", url="sqlite:///src.sqlite", table="people")
    rows = _rows(m, tmp_path)
    assert [r.values for r in rows] == [{"ID": 1, "NAME": "Ann Lee"}, {"ID": 2, "NAME": "Bo Chan"}]
    assert rows[1].locator == "people:row 2"


def test_sql_query_and_environment_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sqlite_db(tmp_path / "src.sqlite")
    monkeypatch.setenv("LW_TEST_DB", "src.sqlite")
    m = _manifest(
        "", url="sqlite:///${LW_TEST_DB}", query="SELECT ID, NAME FROM people WHERE AGE > 18"
    )
    assert [r.values["NAME"] for r in _rows(m, tmp_path)] == ["Ann Lee"]


def test_sql_errors_name_the_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _sqlite_db(tmp_path / "src.sqlite")
    with pytest.raises(SourceFileError, match="table 'nobody' not found"):
        open_reader(_manifest("", url="sqlite:///src.sqlite", table="nobody"), tmp_path)
    with pytest.raises(SourceFileError, match="SQLite database file not found"):
        open_reader(_manifest("", url="sqlite:///missing.sqlite", table="people"), tmp_path)
    monkeypatch.delenv("LW_UNSET", raising=False)
    with pytest.raises(SourceFileError, match="LW_UNSET is not set"):
        open_reader(_manifest("", url="sqlite:///${LW_UNSET}", table="people"), tmp_path)


def test_a_stray_quote_inside_a_field_does_not_shift_later_rows(tmp_path: Path) -> None:
    (tmp_path / "p.csv").write_bytes(b'ID,NAME\n1,Ann Lee\n2,"Bo "Chan\n3,Cy Dee\n')
    rows = _rows(_manifest("p.csv", options={"delimiter": ","}), tmp_path)
    assert [(r.values["ID"], r.values["NAME"]) for r in rows] == [
        ("1", "Ann Lee"),
        ("2", "Bo Chan"),
        ("3", "Cy Dee"),
    ]


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet", "sql"])
def test_keep_builds_only_the_chosen_batches_with_the_same_boundaries(
    tmp_path: Path, fmt: str
) -> None:
    names = [f"Person {i}" for i in range(1, 24)]
    if fmt == "csv":
        body = "ID,NAME\n" + "".join(f"{i},{n}\n\n" for i, n in enumerate(names, 1))
        (tmp_path / "p.csv").write_text(body, encoding="utf-8")
        m = _manifest("p.csv")
    elif fmt == "jsonl":
        lines = [json.dumps({"ID": i, "NAME": n}) + "\n\n" for i, n in enumerate(names, 1)]
        (tmp_path / "p.jsonl").write_text("".join(lines), encoding="utf-8")
        m = _manifest("p.jsonl")
    elif fmt == "parquet":
        pq.write_table(pa.table({"ID": list(range(1, 24)), "NAME": names}), tmp_path / "p.parquet")
        m = _manifest("p.parquet")
    else:
        con = sqlite3.connect(tmp_path / "s.sqlite")
        con.execute("CREATE TABLE t (ID INTEGER, NAME TEXT)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(names, 1)))
        con.commit()
        con.close()
        m = _manifest("", url="sqlite:///s.sqlite", table="t")
    full = list(open_reader(m, tmp_path).batches(5))
    odd = list(open_reader(m, tmp_path).batches(5, keep=lambda n: n % 2 == 1))
    assert [len(b) for b in full] == [5, 5, 5, 5, 3]
    assert [len(b) for b in odd] == [0, 5, 0, 5, 0]
    assert odd[1] == full[1]
    assert odd[3] == full[3]
