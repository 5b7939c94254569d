"""A real Prometheus scrapes the service as ``make run`` starts it, loads the alert rules, and
answers every query of the Grafana dashboard; the model-monitoring panels show the English and
Russian comments the service just decided."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import article_payload
from tests.e2e.conftest import Service, decided, register_russian_edition
from tests.support.cms import CallbackLog
from tests.support.servers import PrometheusServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
CONFIG = Path(__file__).resolve().parents[2] / "config"
RULES = CONFIG / "prometheus-alerts.yml"
DASHBOARD = CONFIG / "grafana-dashboard.json"
FILLED = {"$__rate_interval": "1m", "$__interval": "1m", "$score": "toxicity", "$language": "ru"}


@pytest.fixture(scope="module")
def prometheus(
    service: Service, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrometheusServer]:
    server = PrometheusServer(
        tmp_path_factory.mktemp("prometheus"), service.base.removeprefix("http://"), [RULES]
    )
    server.start()
    yield server
    server.stop()


def _wait(check: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.5)


def _by(result: list[dict[str, Any]], label: str) -> dict[str, float]:
    return {sample["metric"].get(label, ""): float(sample["value"][1]) for sample in result}


def _queries() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    found = []
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            expr = target["expr"]
            for variable, value in FILLED.items():
                expr = expr.replace(variable, value)
            found.append((panel["title"], expr))
    return found


def test_prometheus_scrapes_the_service_and_the_dashboard_shows_the_models(
    service: Service,
    prometheus: PrometheusServer,
    example_article: dict[str, Any],
    example_comments: list[dict[str, Any]],
    callbacks: tuple[str, CallbackLog],
) -> None:
    assert service.send(
        "PUT", f"/api/v1/articles/{example_article['id']}", article_payload(example_article)
    ).status_code in {200, 201}
    russian = register_russian_edition(service, example_article)

    def post_round(round_no: int) -> None:
        for comment in example_comments:
            text = comment["text"] if round_no == 0 else f"{comment['text']} ({round_no})"
            decided(
                service, callbacks, f"mon{round_no}-{comment['id']}", comment["article_id"], text
            )
        decided(
            service,
            callbacks,
            f"mon{round_no}-ru",
            russian,
            "Спасибо за статью, очень важная тема.",
        )

    # Counters appear with their first comment; a second round later gives rates something
    # to measure.
    post_round(0)
    _wait(
        lambda: (
            {"en", "ru"} <= set(_by(prometheus.query("moderation_model_score_count"), "language"))
        ),
        "the first scrape with both languages",
    )
    time.sleep(2.5)
    post_round(1)

    def per_language(expr: str) -> dict[str, float]:
        return _by(prometheus.query(expr), "language")

    mean_toxicity = (
        'sum by (language) (rate(moderation_model_score_sum{score="toxicity"}[1m]))'
        ' / sum by (language) (rate(moderation_model_score_count{score="toxicity"}[1m]))'
    )

    def measured(expr: str) -> bool:  # both languages, and rates that saw the second round
        values = per_language(expr)
        return all(not math.isnan(values.get(code, math.nan)) for code in ("en", "ru"))

    _wait(lambda: measured(mean_toxicity), "rates of both languages")

    targets = prometheus.get("/api/v1/targets")["activeTargets"]
    assert [t["health"] for t in targets] == ["up"]  # type: ignore[index]
    means = per_language(mean_toxicity)
    assert all(0 <= means[code] < 0.5 for code in ("en", "ru")), means  # civil comments
    per_comment = prometheus.query(
        "sum(rate(moderation_scoring_duration_seconds_sum[1m]))"
        " / sum(rate(moderation_scoring_batch_size_sum[1m]))"
    )
    assert 0 < float(per_comment[0]["value"][1]) < 1  # type: ignore[index]
    decisions = per_language("sum by (language) (moderation_decisions_total)")
    assert decisions["en"] >= 4 and decisions["ru"] >= 2, decisions

    # Every dashboard query is one Prometheus answers; the model panels have data.
    answered = {title: prometheus.query(expr) for title, expr in _queries()}
    for title in (
        "Mean score by score and language (1 h)",
        "Model time per comment",
        "First decisions by language and action",
        "Score distribution: $score, $language",
        "Hold and reject rate by model version (1 h)",
    ):
        assert answered[title], title

    # Prometheus loaded every alert rule and evaluates it without error.
    def rules() -> list[dict[str, Any]]:
        groups = prometheus.get("/api/v1/rules")["groups"]
        return [rule for group in groups for rule in group["rules"]]  # type: ignore[attr-defined]

    _wait(lambda: all(r["health"] == "ok" for r in rules()), "every rule evaluated")
    names = {r["name"] for r in rules()}
    assert {"ModelScoreShift", "ArticleTextMissing", "ScoringSlow", "NoClassifyWorker"} <= names
