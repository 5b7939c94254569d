"""Highlighting: spans become <mark>, everything a reader wrote stays inert text."""

from __future__ import annotations

from typing import Any

import pytest

from moderation.workspace.highlight import highlight


def reason(code: str, *spans: tuple[int, int]) -> dict[str, Any]:
    return {
        "code": code,
        "spans": [{"start": s, "end": e, "text": "", "weight": 1} for s, e in spans],
    }


def test_the_driving_words_are_marked_and_the_rest_is_escaped() -> None:
    text = "<b>you</b> idiot"
    html = str(highlight(text, [reason("toxicity", (11, 16))]))
    assert (
        html == '&lt;b&gt;you&lt;/b&gt; <mark class="reason-toxicity" title="toxicity">idiot</mark>'
    )


def test_markup_inside_a_span_is_escaped_too() -> None:
    text = 'x <img src=x onerror="alert(1)"> y'
    html = str(highlight(text, [reason("spam", (2, 32))]))
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_overlapping_spans_of_two_reasons_become_one_mark() -> None:
    html = str(highlight("abcdefgh", [reason("toxicity", (1, 4)), reason("spam", (3, 6))]))
    assert (
        html == 'a<mark class="reason-spam reason-toxicity" title="spam, toxicity">bcdef</mark>gh'
    )


@pytest.mark.parametrize(
    "spans",
    [[(-5, 2)], [(6, 99)], [(4, 4)], [(5, 2)]],
)
def test_spans_outside_the_text_are_clamped_or_dropped(spans: list[tuple[int, int]]) -> None:
    html = str(highlight("abcdefg", [reason("toxicity", *spans)]))
    assert (
        html.replace('<mark class="reason-toxicity" title="toxicity">', "").replace("</mark>", "")
        == "abcdefg"
    )


def test_broken_reasons_do_not_break_the_page() -> None:
    reasons: list[Any] = ["nonsense", {"code": "x", "spans": [{"start": "a"}]}, {"code": "y"}]
    assert str(highlight("a < b", reasons)) == "a &lt; b"


def test_a_reason_code_that_is_not_css_safe_is_kept_out_of_the_class() -> None:
    html = str(highlight("abc", [reason('x" onmouseover="y', (0, 1))]))
    assert 'class=""' in html and "&#34; onmouseover" in html
