"""JSON and HTML forms of a report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

from linkwise.evaluate import EvaluationReport, evaluate, render_html
from linkwise.evaluate.html import reliability_svg
from tests.evaluate.helpers import assignment_rows, key, truth_rows

TRUE = ["A", "A", "A", "B", "B", "C"]
PRED = ["X", "X", "Y", "Y", "Y", "Y"]
PAIRS = [(key(0), key(1), 0.95), (key(2), key(3), 0.4), (key(3), key(4), 0.8)]


def _report(**groups: list[str]) -> EvaluationReport:
    return evaluate(
        assignment_rows(PRED), truth_rows(TRUE, **groups), pairs=PAIRS, min_group_size=1
    )


def test_json_has_stable_keys_and_plain_numbers() -> None:
    data = json.loads(_report(side=["a"] * 3 + ["b"] * 3).to_json())
    assert list(data) == [
        "format",
        "counts",
        "pairwise",
        "bcubed",
        "overall",
        "groups",
        "calibration",
        "min_group_size",
        "blocking",
        "notes",
    ]
    assert data["blocking"] is None  # only a workspace's evaluation knows its rules
    assert data["format"] == "linkwise-evaluation/1"
    assert list(data["pairwise"]) == [
        "precision",
        "recall",
        "f1",
        "true_pairs",
        "predicted_pairs",
        "correct_pairs",
    ]
    assert data["pairwise"]["correct_pairs"] == 2
    assert data["groups"][0]["column"] == "side"
    assert [g["group"] for g in data["groups"][0]["groups"]] == ["a", "b"]
    assert data["groups"][0]["disparity"][1]["worst_to_best"] is None
    assert len(data["calibration"]["bins"]) == 10
    assert data["calibration"]["bins"][0]["mean_predicted"] is None


def test_json_without_pairs_or_groups_keeps_the_keys() -> None:
    data = json.loads(evaluate(assignment_rows(PRED), truth_rows(TRUE)).to_json(indent=None))
    assert data["calibration"] is None
    assert data["groups"] == []


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escapes_labels() -> None:
    hostile = '<script>alert("x")</script>'
    page = render_html(_report(side=[hostile] * 3 + ["b&b"] * 3), title="Run <1>")
    parser = _Text()
    parser.feed(page)
    assert "script" not in parser.tags
    assert "link" not in parser.tags
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page
    text = "".join(parser.text)
    assert hostile in text  # shown as text, not run
    assert "b&b" in text
    assert "Run <1>" in text
    assert "By side" in text
    assert "0.2857" in text  # pairwise precision 2/7
    assert "Expected calibration error" in text
    assert "svg" in parser.tags


def test_reliability_svg_is_valid_xml_with_one_point_per_filled_bin() -> None:
    cal = _report().calibration
    assert cal is not None
    svg = ET.fromstring(reliability_svg(cal))
    circles = svg.findall("{http://www.w3.org/2000/svg}circle")
    assert len(circles) == sum(1 for b in cal.bins if b.count)
    # bin 0.9-1.0 holds one match at 0.95: drawn at x = 0.95, y = observed rate 1 (the top)
    right = max(circles, key=lambda c: float(c.get("cx", "0")))
    assert float(right.get("cx", "0")) == 48 + 0.95 * 320
    assert float(right.get("cy", "0")) == 12.0
    # bin 0.4-0.5 holds one non-match: y = 0, the bottom of the plot
    left = min(circles, key=lambda c: float(c.get("cx", "0")))
    assert float(left.get("cy", "0")) == 12.0 + 320


def test_html_without_calibration_has_no_plot() -> None:
    page = render_html(evaluate(assignment_rows(PRED), truth_rows(TRUE)))
    assert "<svg" not in page
    assert "n/a" not in page.split("Clustering")[1].split("Errors")[0]


def _disparate() -> EvaluationReport:
    """Two groups of 1,000 people of one record each; 10% of "a" merged in pairs, 1% of
    "b"."""
    n = 1000
    true = [f"p{i}" for i in range(2 * n)]
    pred = [f"m{i // 2}" if i % n < (100 if i < n else 10) else f"s{i}" for i in range(2 * n)]
    return evaluate(assignment_rows(pred), truth_rows(true, side=["a"] * n + ["b"] * n))


def _html_text(report: EvaluationReport) -> str:
    """The HTML report's text, without its markup."""
    parser = _Text()
    parser.feed(render_html(report))
    return "".join(parser.text)


def _printed(report: EvaluationReport) -> str:
    """What the terminal report prints, its whitespace folded to single spaces."""
    from linkwise.cli.common import console
    from linkwise.cli.evaluate import render_report

    with console.capture() as captured:
        render_report(report)
    return " ".join(captured.get().split())


def test_intervals_are_in_the_json_html_and_cli() -> None:
    report = _disparate()
    fm = report.groups[0].disparity[0]
    assert fm.worst_to_best is not None
    assert fm.worst_to_best_interval is not None
    low, high = fm.worst_to_best_interval
    assert high is not None
    data = json.loads(report.to_json())
    assert data["groups"][0]["disparity"][0]["worst_to_best_interval"] == [low, high]
    assert data["groups"][0]["groups"][0]["false_merge_interval"] == list(
        report.groups[0].groups[0].false_merge_interval or ()
    )
    text = _html_text(report)
    assert "worst ÷ best (95% interval)" in text
    assert f"{fm.worst_to_best:.2f} ({low:.2f}–{high:.2f})" in text
    assert (
        f"false merges: worst a 10.00%, best b 1.00%: 10.00x "
        f"(95% interval {low:.2f}x–{high:.2f}x), 1.82x all records" in _printed(report)
    )


def test_the_chance_reference_is_in_the_json_html_and_cli() -> None:
    report = _disparate()
    fm = report.groups[0].disparity[0]
    assert fm.chance_ratio is not None
    assert fm.chance_share == 0.0  # 10x is far beyond what shuffling gives
    data = json.loads(report.to_json())
    assert data["groups"][0]["disparity"][0]["chance_ratio"] == fm.chance_ratio
    assert data["groups"][0]["disparity"][0]["chance_share"] == 0.0
    text = _html_text(report)
    assert "worst ÷ best by chance alone (shuffles as uneven)" in text
    assert f"{fm.chance_ratio:.2f} (0%)" in text
    chance = f"by chance alone {fm.chance_ratio:.2f}x, as uneven in 0% of shuffles"
    assert chance in _printed(report)


def test_a_best_group_without_error_still_gets_the_ratio_to_all_records() -> None:
    n = 1000
    true = [f"p{i}" for i in range(2 * n)]
    pred = [f"m{i // 2}" if i < 100 else f"s{i}" for i in range(2 * n)]  # 10% of "a" merged
    report = evaluate(assignment_rows(pred), truth_rows(true, side=["a"] * n + ["b"] * n))
    printed = _printed(report)
    assert (
        "false merges: worst a 10.00%, best b 0.00% (no ratio: the best rate is 0), "
        "2.00x all records" in printed
    )
    assert "by chance alone" not in printed  # no ratio, nothing to set beside chance
