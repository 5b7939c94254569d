import pytest

from moderation import signing

BODY = b'{"id": "c1"}'


def test_a_fresh_signature_verifies_and_returns_its_timestamp() -> None:
    header = signing.sign("secret", BODY, timestamp=1_700_000_000)
    assert signing.verify("secret", header, BODY, now=1_700_000_010) == 1_700_000_000


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "missing"),
        ("", "missing"),
        ("garbage", "malformed"),
        ("t=abc,v1=00", "unix time"),
        ("t=1700000000", "both"),
        ("v1=00", "both"),
        ("t=1700000000,v1=" + "0" * 64, "does not match"),
        ("t=1," + "v1=" + "0" * 2000, "too long"),
    ],
)
def test_bad_headers_are_refused_with_a_reason(header: str | None, message: str) -> None:
    with pytest.raises(signing.SignatureError, match=message):
        signing.verify("secret", header, BODY, now=1_700_000_000)


def test_a_signature_for_another_body_is_refused() -> None:
    header = signing.sign("secret", b"other", timestamp=1_700_000_000)
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify("secret", header, BODY, now=1_700_000_000)


def test_a_signature_made_with_another_secret_is_refused() -> None:
    header = signing.sign("not-the-secret", BODY, timestamp=1_700_000_000)
    with pytest.raises(signing.SignatureError):
        signing.verify("secret", header, BODY, now=1_700_000_000)


@pytest.mark.parametrize("age", [301, -301, 86_400])
def test_old_or_future_signatures_are_refused(age: int) -> None:
    header = signing.sign("secret", BODY, timestamp=1_700_000_000)
    with pytest.raises(signing.SignatureError, match="tolerance"):
        signing.verify("secret", header, BODY, tolerance=300, now=1_700_000_000 + age)


def test_one_of_several_signatures_may_match_during_secret_rotation() -> None:
    good = signing.compute("new", 1_700_000_000, BODY)
    header = f"t=1700000000,v1={'0' * 64},v1={good}"
    assert signing.verify("new", header, BODY, now=1_700_000_000) == 1_700_000_000


def test_no_configured_secret_refuses_everything() -> None:
    header = signing.sign("", BODY)
    with pytest.raises(signing.SignatureError, match="no webhook secret"):
        signing.verify("", header, BODY)
