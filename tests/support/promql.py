"""Checks that PromQL (alert rules, the Grafana dashboard) reads metrics and labels the service
exports: a renamed metric or label would otherwise leave a rule or a panel watching nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import promql_parser
from prometheus_client import Counter, Histogram

from moderation import metrics, metrics_state


def exported_labels() -> dict[str, set[str] | None]:
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


def nodes(expr: Any, kind: type) -> list[Any]:
    """Every node of ``kind`` in the expression's syntax tree, depth first."""
    found: list[Any] = []

    def visit(node: Any) -> bool:
        if isinstance(node, kind):
            found.append(node)
        return True

    promql_parser.walk(expr, visit)
    return found


def selectors(expr: Any) -> list[Any]:
    return nodes(expr, promql_parser.VectorSelector)


def problems(text: str) -> list[str]:
    """What is wrong with the PromQL ``text`` (a syntax error raises ValueError): metrics the
    service does not export, label matchers and ``by`` labels those metrics do not have."""
    expr = promql_parser.parse(text)
    exported = exported_labels()
    found: list[str] = []
    chosen = selectors(expr)
    if not chosen:
        found.append("no metric")
    for selector in chosen:
        if selector.name not in exported:
            found.append(f"unknown metric {selector.name}")
            continue
        known = exported[selector.name]
        used = {m.name for m in selector.matchers.matchers}
        if known is not None and not used <= known:
            found.append(f"{selector.name} has no label {sorted(used - known)}")
    for aggregation in nodes(expr, promql_parser.AggregateExpr):
        if aggregation.modifier is None:
            continue
        inner = [exported.get(s.name) for s in selectors(aggregation.expr)]
        if inner and all(labels is not None for labels in inner):
            available = set().union(*(labels for labels in inner if labels is not None))
            missing = set(aggregation.modifier.labels) - available
            if missing:
                found.append(f"aggregation by {sorted(missing)}, which its metrics do not have")
    return found
