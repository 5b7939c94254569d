"""``config/prometheus-alerts.yml``: every rule is PromQL that Prometheus would load, and watches
metrics and labels the service exports (a renamed metric or label would leave an alert
silently watching nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from tests.support.promql import problems

RULES = Path(__file__).resolve().parents[2] / "config" / "prometheus-alerts.yml"
SEVERITIES = {"page", "ticket", "info"}


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_the_rules_file_has_rules() -> None:
    names = [rule["alert"] for rule in _rules()]
    assert len(names) >= 10 and len(names) == len(set(names)), names


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: rule["alert"])
def test_each_rule_is_valid_promql_over_exported_metrics_and_labels(rule: dict[str, Any]) -> None:
    assert rule["labels"]["severity"] in SEVERITIES
    assert rule["annotations"]["summary"].strip()
    assert problems(rule["expr"]) == []


def test_the_check_finds_a_wrong_metric_label_grouping_and_syntax() -> None:
    assert problems("sum(rate(moderation_reviewz_total[5m]))") == [
        "unknown metric moderation_reviewz_total"
    ]
    assert problems('sum(rate(moderation_reviews_total{lang="ru"}[5m]))') == [
        "moderation_reviews_total has no label ['lang']"
    ]
    assert problems("sum by (lang) (rate(moderation_reviews_total[5m]))") == [
        "aggregation by ['lang'], which its metrics do not have"
    ]
    with pytest.raises(ValueError):
        promql_parser.parse("sum(rate(moderation_reviews_total[5m]) /")
