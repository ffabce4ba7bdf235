"""Truth and prediction files: both truth headers, and errors that say where and what."""

from __future__ import annotations

from pathlib import Path

import pytest

from linkwise.evaluate import (
    Assignment,
    EvaluationInputError,
    Truth,
    read_assignments_csv,
    read_truth_csv,
)


def _write(tmp_path: Path, text: str, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_truth_with_group_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, "file,record_id,true_id,origin\na.csv,007,p1,MX\na.csv,8,p1,\n")
    assert read_truth_csv(path) == [
        Truth(("a.csv", "007"), "p1", {"origin": "MX"}),  # ids stay text
        Truth(("a.csv", "8"), "p1", {}),  # a blank group value is no value
    ]


def test_demo_world_truth_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "source,source_key,person_id\ncourt,C-1,P000001\n")
    assert read_truth_csv(path) == [Truth(("court", "C-1"), "P000001", {})]


def test_group_columns_selects(tmp_path: Path) -> None:
    path = _write(tmp_path, "file,record_id,true_id,origin,sex\na,1,p,MX,F\n")
    assert read_truth_csv(path, group_columns=["sex"])[0].groups == {"sex": "F"}
    with pytest.raises(EvaluationInputError, match=r"no group column 'age'.*origin, sex") as err:
        read_truth_csv(path, group_columns=["age"])
    assert err.value.line == 1


def test_assignments(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "\ufefffile,record_id,entity_id,confidence\na.csv,1,e1,0.75\na.csv,2,e1,\n"
    )
    assert read_assignments_csv(path) == [
        Assignment(("a.csv", "1"), "e1", 0.75),
        Assignment(("a.csv", "2"), "e1", None),
    ]


def test_quoted_newlines_keep_line_numbers(tmp_path: Path) -> None:
    text = 'file,record_id,true_id,note\na,1,p,"two\nlines"\na,1,p,x\n'
    with pytest.raises(EvaluationInputError) as err:
        read_truth_csv(_write(tmp_path, text))
    assert err.value.line == 4
    assert "first on line 2" in str(err.value)


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("", 1, None, "the file is empty"),
        ("file,record_id,true_id\n", 2, None, "no records"),
        ("file,record_id\na,1\n", 1, None, "missing column.*true_id.*source, source_key"),
        ("file,record_id,true_id,file\na,1,p,a\n", 1, None, "more than once in the header"),
        ("file,record_id,true_id\na,1,p\n\na,1,q\n", 4, None, "appears again"),
        ("file,record_id,true_id\na,1,p\na,2,\n", 3, "true_id", "empty"),
        ("file,record_id,true_id\na,1,p\na,2\n", 3, "true_id", "empty"),
        ("file,record_id,true_id\na,1,p,extra\n", 2, None, "4 fields but the header has 3"),
    ],
)
def test_truth_errors(
    tmp_path: Path, text: str, line: int, column: str | None, message: str
) -> None:
    path = _write(tmp_path, text, "truth.csv")
    with pytest.raises(EvaluationInputError, match=message) as err:
        read_truth_csv(path)
    assert (err.value.path, err.value.line, err.value.column) == (str(path), line, column)
    assert str(err.value).startswith(f"{path}:{line}")


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("file,record_id,entity_id\na,1,e\n", 1, None),
        ("file,record_id,entity_id,confidence\na,1,e,high\n", 2, "confidence"),
        ("file,record_id,entity_id,confidence\na,1,e,1.5\n", 2, "confidence"),
        ("file,record_id,entity_id,confidence\na,1,e,nan\n", 2, "confidence"),
        ("file,record_id,entity_id,confidence\na,1,e,1\na,1,f,1\n", 3, None),
    ],
)
def test_assignment_errors(tmp_path: Path, text: str, line: int, column: str | None) -> None:
    path = _write(tmp_path, text, "out.csv")
    with pytest.raises(EvaluationInputError) as err:
        read_assignments_csv(path)
    assert (err.value.line, err.value.column) == (line, column)
    assert isinstance(err.value, ValueError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(EvaluationInputError, match="cannot open") as err:
        read_truth_csv(tmp_path / "nope.csv")
    assert err.value.path == str(tmp_path / "nope.csv")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"file,record_id,true_id\na,1,Jos\xe9\n")
    with pytest.raises(EvaluationInputError, match="UTF-8"):
        read_truth_csv(path)
    # far beyond the first buffer the decoder reads, the line is still the byte's own
    rows = b"".join(b"a,%d,P%d\n" % (i, i) for i in range(400))
    path.write_bytes(b"file,record_id,true_id\n" + rows + b"a,400,Jos\xe9\n")
    with pytest.raises(EvaluationInputError) as caught:
        read_truth_csv(path)
    assert caught.value.line == 402
    assert "byte 0xe9 cannot be decoded" in str(caught.value)


def test_a_tags_file_that_cannot_be_used_says_which_and_why(tmp_path: Path) -> None:
    from linkwise.workspace.evaluation import _tags

    good = _write(tmp_path, "source,source_key,tags\ncourt,1,swapped_order;twin\n", "t.csv")
    assert _tags(good) == {("court", "1"): {"swapped_order", "twin"}}
    excel = tmp_path / "excel.csv"  # saved with a byte-order mark
    excel.write_bytes(b"\xef\xbb\xbf" + good.read_bytes())
    assert _tags(excel) == _tags(good)
    with pytest.raises(EvaluationInputError, match=r"nope\.csv: cannot read it"):
        _tags(tmp_path / "nope.csv")
    bad = _write(tmp_path, "file,record_id,tags\na.csv,1,\n", "bad.csv")
    with pytest.raises(EvaluationInputError, match=r"bad\.csv:1: no column 'source', 'source_key'"):
        _tags(bad)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("source,source_key,tags\ncourt,Jos\u00e9,\n".encode("latin-1"))
    with pytest.raises(EvaluationInputError, match=r"latin\.csv: not UTF-8 text"):
        _tags(latin)
