import random

from moderation.callbacks import Outcome, RetryPolicy


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(base=10, maximum=900, give_up_after=3600)
    rng = random.Random(1)
    delays = [policy.delay(n, rng) for n in range(1, 12)]
    for n, delay in enumerate(delays, start=1):
        step = min(900, 10 * 2 ** (n - 1))
        assert step * 0.5 <= delay <= step
    assert max(delays) <= 900


def test_jitter_spreads_retries_of_many_deliveries() -> None:
    policy = RetryPolicy(base=10)
    assert len({round(policy.delay(3), 6) for _ in range(50)}) > 40


def test_total_retry_window_covers_at_least_an_hour_by_default() -> None:
    assert RetryPolicy().give_up_after >= 3600


def test_only_2xx_counts_as_delivered() -> None:
    assert Outcome(204, None, 1).delivered
    assert not Outcome(500, "x", 1).delivered
    assert not Outcome(None, "timeout", 1).delivered
    assert not Outcome(301, None, 1).delivered
