"""The alert rules fire when they should and stay quiet when they should not: Prometheus's own
``promtool test rules`` evaluates ``config/prometheus-alerts.yml`` over synthetic series.

Without promtool (Debian's ``prometheus`` package) the tier is skipped with a message, except
under CI=true, where ``.ci/run`` installs it.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.servers import PROMETHEUS_INSTALL, which_or_unavailable

RULES = Path(__file__).resolve().parents[2] / "config" / "prometheus-alerts.yml"


@dataclass
class Case:
    """Series sampled every ``interval``; at ``at``, ``alert`` fires once per label set in
    ``fires`` (its labels besides severity; an empty list: it does not fire)."""

    name: str
    alert: str
    interval: str
    series: dict[str, str]
    at: str
    fires: list[dict[str, str]] = field(default_factory=list)


# Steady 7-day history, then the last 12 hours: 100 comments scored every 10 minutes.
_BEFORE, _AFTER = 936, 72  # 10-minute steps: 6.5 days, then 12 hours (1,008 in 7 days)

CASES = [
    Case(
        "no classify worker",
        "NoClassifyWorker",
        "1m",
        {'moderation_workers_live{queue="classify"}': "0x10"},
        "5m",
        [{}],
    ),
    Case(
        "a classify worker",
        "NoClassifyWorker",
        "1m",
        {'moderation_workers_live{queue="classify"}': "1x10"},
        "5m",
    ),
    Case(
        "10 ms per comment for 30 minutes",
        "ScoringSlow",
        "1m",
        {
            "moderation_scoring_duration_seconds_sum": "0+3x40",
            "moderation_scoring_batch_size_sum": "0+300x40",
        },
        "35m",
        [{}],
    ),
    Case(
        "0.5 ms per comment",
        "ScoringSlow",
        "1m",
        {
            "moderation_scoring_duration_seconds_sum": "0+0.15x40",
            "moderation_scoring_batch_size_sum": "0+300x40",
        },
        "35m",
    ),
    Case(
        "articles missing for Russian comments, present for English ones",
        "ArticleTextMissing",
        "10m",
        {
            'moderation_model_scores_missing_total{score="off_topic",language="ru"}': "0+10x24",
            'moderation_model_score_count{score="off_topic",language="ru"}': "0+2x24",
            'moderation_model_scores_missing_total{score="off_topic",language="en"}': "0+1x24",
            'moderation_model_score_count{score="off_topic",language="en"}': "0+20x24",
        },
        "3h",
        [{"language": "ru"}],
    ),
    Case(
        "a language whose off-topic was never scored at all",
        "ArticleTextMissing",
        "10m",
        {'moderation_model_scores_missing_total{score="off_topic",language="ru"}': "0+10x24"},
        "3h",
        [{"language": "ru"}],
    ),
    Case(
        "mean toxicity of English comments up from 0.1 to 0.5 for 12 hours",
        "ModelScoreShift",
        "10m",
        {
            'moderation_model_score_count{score="toxicity",language="en"}': "0+100x1008",
            'moderation_model_score_sum{score="toxicity",language="en"}': (
                f"0+10x{_BEFORE} {10 * _BEFORE + 50}+50x{_AFTER - 1}"
            ),
            'moderation_model_score_count{score="spam",language="en"}': "0+100x1008",
            'moderation_model_score_sum{score="spam",language="en"}': "0+5x1008",
        },
        "7d",
        [{"score": "toxicity", "language": "en"}],
    ),
    Case(
        "the same history before the shift",
        "ModelScoreShift",
        "10m",
        {
            'moderation_model_score_count{score="toxicity",language="en"}': "0+100x1008",
            'moderation_model_score_sum{score="toxicity",language="en"}': (
                f"0+10x{_BEFORE} {10 * _BEFORE + 50}+50x{_AFTER - 1}"
            ),
        },
        "6d",
    ),
    Case(
        "a shift in too few comments to judge",
        "ModelScoreShift",
        "10m",
        {
            'moderation_model_score_count{score="toxicity",language="en"}': "0+1x1008",
            'moderation_model_score_sum{score="toxicity",language="en"}': (
                f"0+0.1x{_BEFORE} {0.1 * _BEFORE + 0.5:g}+0.5x{_AFTER - 1}"
            ),
        },
        "7d",
    ),
    Case(
        "moderators approve 10 of 11 held Russian comments, half of the English ones",
        "HeldCommentsMostlyApproved",
        "10m",
        {
            'moderation_reviews_total{from_action="hold",to_action="approve",language="ru"}': (
                "0+10x150"
            ),
            'moderation_reviews_total{from_action="hold",to_action="reject",language="ru"}': (
                "0+1x150"
            ),
            'moderation_reviews_total{from_action="hold",to_action="approve",language="en"}': (
                "0+5x150"
            ),
            'moderation_reviews_total{from_action="hold",to_action="reject",language="en"}': (
                "0+5x150"
            ),
        },
        "1d",
        [{"language": "ru"}],
    ),
    Case(
        "moderators overturn 1 in 5 model decisions",
        "OverturnRate",
        "10m",
        {
            'moderation_overturns_total{from_action="reject",to_action="approve",language="en"}': (
                "0+20x150"
            ),
            'moderation_decisions_total{action="hold",reason="toxicity",decided_by="model",language="en"}': (
                "0+100x150"
            ),
        },
        "1d",
        [{}],
    ),
]


def _rules() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(RULES.read_text())
    return {rule["alert"]: rule for group in document["groups"] for rule in group["rules"]}


def _expanded(template: str, labels: dict[str, str]) -> str:
    """The annotation as Prometheus renders it for an alert with ``labels``."""
    return re.sub(r"\{\{\s*\$labels\.(\w+)\s*\}\}", lambda m: labels[m.group(1)], template)


def _promtool_tests(cases: list[Case], rules_file: Path) -> dict[str, Any]:
    """One promtool test file; its rules are evaluated every ``interval`` of the cases."""
    rules = _rules()
    tests = []
    for case in cases:
        rule = rules[case.alert]
        expected = []
        for labels in case.fires:
            annotations = {k: _expanded(v, labels) for k, v in rule["annotations"].items()}
            expected.append(
                {"exp_labels": {**rule["labels"], **labels}, "exp_annotations": annotations}
            )
        tests.append(
            {
                "name": case.name,
                "interval": case.interval,
                "input_series": [{"series": s, "values": v} for s, v in case.series.items()],
                "alert_rule_test": [
                    {"eval_time": case.at, "alertname": case.alert, "exp_alerts": expected}
                ],
            }
        )
    (interval,) = {case.interval for case in cases}
    return {"rule_files": [str(rules_file)], "evaluation_interval": interval, "tests": tests}


def _promtool() -> str:
    return which_or_unavailable("promtool", PROMETHEUS_INSTALL)


def _run(promtool: str, cases: list[Case], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    files = []
    for interval in sorted({case.interval for case in cases}):
        tests = tmp_path / f"alert-tests-{interval}.yml"
        chosen = [case for case in cases if case.interval == interval]
        tests.write_text(yaml.safe_dump(_promtool_tests(chosen, RULES), sort_keys=False))
        files.append(str(tests))
    return subprocess.run(
        [promtool, "test", "rules", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_promtool_loads_the_rules() -> None:
    found = subprocess.run(
        [_promtool(), "check", "rules", str(RULES)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert found.returncode == 0, found.stdout + found.stderr
    assert f"{len(_rules())} rules found" in found.stdout


def test_each_alert_fires_when_it_should_and_not_otherwise(tmp_path: Path) -> None:
    tested = {case.alert for case in CASES}
    assert {"ScoringSlow", "ArticleTextMissing", "ModelScoreShift"} <= tested
    done = _run(_promtool(), CASES, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


CASES_FLIPPED = ("10 ms per comment for 30 minutes", "0.5 ms per comment")


def test_a_wrong_expectation_fails(tmp_path: Path) -> None:
    """The check can fail: the slow-scoring case expected quiet, the quiet one expected firing."""
    slow, quick = (next(c for c in CASES if c.name == name) for name in CASES_FLIPPED)
    flipped = [
        Case(slow.name, slow.alert, slow.interval, slow.series, slow.at, []),
        Case(quick.name, quick.alert, quick.interval, quick.series, quick.at, [{}]),
    ]
    done = _run(_promtool(), flipped, tmp_path)
    assert done.returncode != 0
    assert "FAILED" in done.stderr
    for name in CASES_FLIPPED:  # both wrong expectations reported
        assert f"name: {name}," in done.stderr, done.stderr


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_cases_name_real_alerts(case: Case) -> None:
    assert case.alert in _rules()
