"""The dashboards: sources with their row counts, the measured quality against the demo's
truth (with valid Vega-Lite charts), the review backlog, and the case queue for case workers
only; no person's value on any of it."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from typing import Any

import altair as alt
import jsonschema  # type: ignore[import-untyped]
import pytest
from sqlalchemy import text

from linkwise.workspace import Workspace
from tests.web.conftest import Browser, Demo, browser

SPEC = re.compile(r"data-vega-spec='([^']*)'")


@pytest.fixture(scope="module")
def analyst(demo_ws: Workspace, demo_built: Demo) -> Browser:
    return browser(demo_ws, "ana", demo_built.password)


@pytest.fixture(scope="module")
def auditor(demo_ws: Workspace, demo_built: Demo) -> Browser:
    return browser(demo_ws, "aud", demo_built.password)


@pytest.fixture(scope="module")
def measured(analyst: Browser) -> str:
    """The quality fragment after "Measure now" (as htmx asks for it)."""
    response = analyst.form("/dashboard/quality", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return str(response.text)


def specs(page: str) -> list[dict[str, Any]]:
    return [json.loads(html.unescape(found)) for found in SPEC.findall(page)]


def test_every_source_is_listed_with_its_row_count(analyst: Browser, demo_ws: Workspace) -> None:
    page = analyst.get("/dashboard")
    assert page.status_code == 200
    sources = demo_ws.sources()
    assert sources
    for source in sources:
        row = re.search(rf'<tr data-source="{source.name}">(.*?)</tr>', page.text, re.S)
        assert row is not None, source.name
        records = re.search(r"<td class=\"num\" data-records>([\d,]+)</td>", row.group(1))
        assert records is not None
        assert int(records.group(1).replace(",", "")) == source.records
        assert "completed" in row.group(1)


def test_measuring_shows_the_f1_against_the_demo_truth(
    analyst: Browser, measured: str, demo_ws: Workspace, demo_built: Demo
) -> None:
    world = demo_built.root / "world"
    report = demo_ws.evaluate(world / "truth.csv", tags=world / "record_tags.csv")
    assert report.pairwise.f1 is not None
    expected = f"{report.pairwise.f1 * 100:.2f}%"
    f1 = re.search(
        r'<tr data-measure="pairwise">.*?<td class="num" data-f1>([^<]+)</td>', measured, re.S
    )
    assert f1 is not None
    assert f1.group(1) == expected
    assert "world/truth.csv" in measured  # says what it was measured against
    assert "data-measured-at=" in measured  # and when
    # the measurement is kept: the page shows it without measuring again
    assert expected in analyst.get("/dashboard").text


def test_the_calibration_and_group_charts_are_valid_vega_lite(measured: str) -> None:
    schema = alt.load_schema()
    found = specs(measured)
    layered = [s for s in found if "layer" in s]
    grouped = [s for s in found if s.get("encoding", {}).get("xOffset")]
    assert len(layered) == 1  # the calibration plot: bins and the diagonal
    assert len(grouped) == measured.count('class="group"') >= 3
    for spec in found:
        jsonschema.validate(spec, schema)
        assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    points = layered[0]["layer"][1]["data"]["values"]
    assert points
    assert all(0 <= p["observed"] <= 1 for p in points)
    columns = {html.unescape(c) for c in re.findall(r'data-group="([^"]+)"', measured)}
    assert {"surname_frequency_decile", "missing_dob"} <= columns
    assert "×" in measured  # a disparity ratio is given


def test_the_case_queue_is_for_case_workers_only(
    analyst: Browser, auditor: Browser, demo_built: Demo
) -> None:
    mine = analyst.get("/dashboard").text
    assert 'id="queue"' in mine
    assert f'href="/cases/{demo_built.case_id(1)}"' in mine
    assert f'href="/cases/{demo_built.case_id(4)}"' not in mine  # closed: not queued
    theirs = auditor.get("/dashboard")
    assert theirs.status_code == 200
    assert 'id="sources"' in theirs.text
    assert 'id="backlog"' in theirs.text
    assert 'id="queue"' not in theirs.text
    assert "/cases/" not in theirs.text


def test_the_backlog_counts_review_items_by_kind(analyst: Browser, demo_ws: Workspace) -> None:
    with demo_ws.engine.connect() as conn:
        kinds: dict[str, int] = dict(
            conn.execute(text("SELECT kind, count(*) FROM review_items GROUP BY kind")).all()
        )
    page = analyst.get("/dashboard").text
    for kind, n in kinds.items():
        row = re.search(
            rf'<tr data-review-kind="{kind}">.*?<td class="num">([\d,]+)</td>', page, re.S
        )
        assert row is not None
        assert int(row.group(1).replace(",", "")) == n


def test_generic_values_are_counted_never_shown(auditor: Browser, demo_ws: Workspace) -> None:
    with demo_ws.engine.connect() as conn:
        values = [v for (v,) in conn.execute(text("SELECT value FROM generic_values"))]
    assert values, "the demo has a shared fake SSN"
    page = auditor.get("/dashboard").text
    assert 'id="generic-h"' in page
    for value in values:
        assert value not in page


def test_judgements_show_up_by_verdict_and_in_the_agreement(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    with demo_copy.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s1.name, r1.source_key, s2.name, r2.source_key FROM links l "
                "JOIN records r1 ON r1.id = l.record_l JOIN sources s1 ON s1.id = r1.source_id "
                "JOIN records r2 ON r2.id = l.record_r JOIN sources s2 ON s2.id = r2.source_id "
                "JOIN entity_members m1 ON m1.record_id = r1.id "
                "JOIN entity_members m2 ON m2.record_id = r2.id "
                "WHERE m1.entity_id = m2.entity_id LIMIT 2"
            )
        ).all()
    for left_source, left_key, right_source, right_key in rows:
        demo_copy.judge((left_source, left_key), (right_source, right_key), "same", "sam")
    client = browser(demo_copy, "sam", demo_built.password)
    page = client.get("/dashboard").text
    verdict = re.search(r'<tr data-verdict="same">.*?<td class="num">(\d+)</td>', page, re.S)
    assert verdict is not None
    assert verdict.group(1) == "2"
    fragment = client.form("/dashboard/quality", headers={"HX-Request": "true"}).text
    assert "no truth file" in fragment  # the copy leaves the world folder behind
    scores = re.search(r"<p data-judgement-scores>(.*?)</p>", fragment, re.S)
    assert scores is not None
    assert "recall 100.0%" in scores.group(1)
    assert "over 2 judged pairs" in scores.group(1)


def test_an_uploaded_truth_file_is_measured_against(demo_copy: Workspace, demo_built: Demo) -> None:
    """A workspace without a truth file of its own (the copy leaves the world behind) is
    measured against the file the user uploads."""
    truth = demo_built.root / "world" / "truth.csv"
    report = demo_copy.evaluate(truth)
    assert report.pairwise.f1 is not None
    client = browser(demo_copy, "ana", demo_built.password)
    fragment = client.post(
        "/dashboard/quality",
        data={"csrf": client.csrf},
        files={"truth": ("my-truth.csv", truth.read_bytes(), "text/csv")},
        headers={"HX-Request": "true"},
    ).text
    assert "my-truth.csv (uploaded)" in fragment
    f1 = re.search(
        r'<tr data-measure="pairwise">.*?<td class="num" data-f1>([^<]+)</td>', fragment, re.S
    )
    assert f1 is not None
    assert f1.group(1) == f"{report.pairwise.f1 * 100:.2f}%"
    tags_alone = client.post(
        "/dashboard/quality",
        data={"csrf": client.csrf},
        files={"tags": ("tags.csv", b"source,source_key,tag\n", "text/csv")},
    )
    assert tags_alone.status_code == 422
    assert "need a truth file" in tags_alone.text


def test_a_disparity_is_set_beside_what_chance_gives(
    demo_copy: Workspace, demo_built: Demo
) -> None:
    """A truth in which every record is a person of its own makes every record of a larger
    entity a false merge: each group then has a false-merge rate, and each ratio between
    them its chance reference."""
    with (demo_built.root / "world" / "truth.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["source", "source_key", "person_id"])
    writer.writerows(
        [r["source"], r["source_key"], f"{r['source']}:{r['source_key']}"] for r in rows
    )
    client = browser(demo_copy, "ana", demo_built.password)
    fragment = client.post(
        "/dashboard/quality",
        data={"csrf": client.csrf},
        files={"truth": ("alone.csv", out.getvalue().encode(), "text/csv")},
        headers={"HX-Request": "true"},
    ).text
    assert re.search(r"<strong[^>]*>\d+\.\d×</strong> the best", fragment)
    assert re.search(
        r"groups shuffled among people give (\d+\.\d×|an unbounded ratio) in the median "
        r"shuffle, and \d+% of shuffles are as uneven",
        fragment,
    )
