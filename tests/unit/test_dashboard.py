"""``config/grafana-dashboard.json``: a dashboard Grafana can import, whose every panel queries
metrics and labels the service exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.promql import problems

DASHBOARD = Path(__file__).resolve().parents[2] / "config" / "grafana-dashboard.json"
# Grafana's own variables, and the dashboard's, as Grafana would fill them in.
FILLED = {
    "$__rate_interval": "5m",
    "$__interval": "1m",
    "$score": "toxicity",
    "$language": "en",
}


def _dashboard() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return document


def _panels() -> list[dict[str, Any]]:
    return [p for p in _dashboard()["panels"] if p["type"] != "row"]


def _filled(expr: str) -> str:
    for variable, value in FILLED.items():
        expr = expr.replace(variable, value)
    assert "$" not in expr, expr
    return expr


def test_the_dashboard_is_importable() -> None:
    dashboard = _dashboard()
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 36
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert {"datasource", "score", "language"} <= variables
    used = set(re.findall(r"\$\{?(\w+)", DASHBOARD.read_text(encoding="utf-8")))
    assert used - {"__rate_interval", "__interval"} <= variables


def test_panels_do_not_overlap() -> None:
    taken: set[tuple[int, int]] = set()
    for panel in _dashboard()["panels"]:
        box = panel["gridPos"]
        assert box["x"] + box["w"] <= 24, panel["title"]
        cells = {
            (x, y)
            for x in range(box["x"], box["x"] + box["w"])
            for y in range(box["y"], box["y"] + box["h"])
        }
        assert not cells & taken, panel["title"]
        taken |= cells


def test_the_model_monitoring_metrics_have_panels() -> None:
    queries = " ".join(t["expr"] for p in _panels() for t in p["targets"])
    for metric in (
        "moderation_model_score_bucket",
        "moderation_model_score_sum",
        "moderation_model_scores_missing_total",
        "moderation_scoring_duration_seconds_sum",
        "moderation_reviews_total",
        "moderation_overturns_total",
        "moderation_decisions_total",
    ):
        assert metric in queries, metric


@pytest.mark.parametrize("panel", _panels(), ids=lambda panel: panel["title"])
def test_each_panel_queries_exported_metrics_and_labels(panel: dict[str, Any]) -> None:
    assert panel["targets"]
    for target in panel["targets"]:
        assert problems(_filled(target["expr"])) == [], target["expr"]


def test_the_language_variable_reads_an_exported_metric() -> None:
    (language,) = (v for v in _dashboard()["templating"]["list"] if v["name"] == "language")
    found = re.fullmatch(r"label_values\((\w+), (\w+)\)", language["definition"])
    assert found is not None
    metric, label = found.groups()
    assert problems(f"sum by ({label}) ({metric})") == []
