"""``config/prometheus-alerts.yml``: every rule is PromQL that Prometheus would load, and watches
metrics and labels the service exports (a renamed metric or label would leave an alert
silently watching nothing)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml
from prometheus_client import Counter, Histogram

from moderation import metrics, metrics_state

RULES = Path(__file__).resolve().parents[2] / "config" / "prometheus-alerts.yml"
SEVERITIES = {"page", "ticket", "info"}


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return [rule for group in document["groups"] for rule in group["rules"]]


def _labels_by_name() -> dict[str, set[str] | None]:
    """Every exported sample name, with its label names (None: a scrape-time gauge whose
    labels this check does not know)."""
    found: dict[str, set[str] | None] = {}
    for obj in vars(metrics).values():
        if isinstance(obj, Counter):
            found[f"{obj._name}_total"] = set(obj._labelnames)
        elif isinstance(obj, Histogram):
            labels = set(obj._labelnames)
            found |= {f"{obj._name}_sum": labels, f"{obj._name}_count": labels}
            found[f"{obj._name}_bucket"] = labels | {"le"}
    text = Path(metrics_state.__file__).read_text()
    for name in re.findall(r'"(moderation_[a-z_]+)"', text):
        found.setdefault(name, None)
    return found


def _nodes(expr: Any, kind: type) -> list[Any]:
    """Every node of ``kind`` in the expression's syntax tree, depth first."""
    found: list[Any] = []

    def visit(node: Any) -> bool:
        if isinstance(node, kind):
            found.append(node)
        return True

    promql_parser.walk(expr, visit)
    return found


def _selectors(expr: Any) -> list[Any]:
    return _nodes(expr, promql_parser.VectorSelector)


def test_the_rules_file_has_rules() -> None:
    names = [rule["alert"] for rule in _rules()]
    assert len(names) >= 10 and len(names) == len(set(names)), names


@pytest.mark.parametrize("rule", _rules(), ids=lambda rule: rule["alert"])
def test_each_rule_is_valid_promql_over_exported_metrics_and_labels(rule: dict[str, Any]) -> None:
    assert rule["labels"]["severity"] in SEVERITIES
    assert rule["annotations"]["summary"].strip()
    expr = promql_parser.parse(rule["expr"])  # raises ValueError on a syntax error
    exported = _labels_by_name()
    selectors = _selectors(expr)
    assert selectors
    for selector in selectors:
        assert selector.name in exported, selector.name
        known = exported[selector.name]
        if known is not None:
            used = {m.name for m in selector.matchers.matchers}
            assert used <= known, (selector.name, used - known)
    for aggregation in _nodes(expr, promql_parser.AggregateExpr):
        if aggregation.modifier is None:
            continue
        inner = [exported[s.name] for s in _selectors(aggregation.expr)]
        if all(labels is not None for labels in inner):
            available = set().union(*(labels for labels in inner if labels is not None))
            assert set(aggregation.modifier.labels) <= available, rule["alert"]


def test_the_check_finds_a_wrong_label_and_a_syntax_error() -> None:
    exported = _labels_by_name()
    selector = _selectors(promql_parser.parse('moderation_reviews_total{lang="ru"}'))[0]
    assert {m.name for m in selector.matchers.matchers} - (exported[selector.name] or set())
    with pytest.raises(ValueError):
        promql_parser.parse("sum(rate(moderation_reviews_total[5m]) /")
