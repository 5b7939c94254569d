"""The train/evaluate commands fail clearly without data and print readable tables."""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import pytest
from click.testing import CliRunner

from moderation.cli.model_commands import evaluate, format_table, train

DATA = pathlib.Path(__file__).resolve().parents[3].parent / "shared" / "data"


@pytest.mark.parametrize("command", [train, evaluate])
def test_missing_data_dir_is_a_clear_error(command: object, tmp_path: pathlib.Path) -> None:
    result = CliRunner().invoke(command, ["--data-dir", str(tmp_path / "nowhere")])  # type: ignore[arg-type]
    assert result.exit_code != 0
    assert "no " in result.output and "data" in result.output


@pytest.mark.parametrize("command", [train, evaluate])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"comment_text\n\xff\xfe\n", "not UTF-8 (byte 13)"),
        (b"a,b\n1,2\n", "no column"),
        (b'comment_text\n"' + b"x" * 200_000 + b'"\n', "not CSV (field larger than"),
    ],
)
def test_an_unusable_data_file_is_named_in_one_line(
    command: object, content: bytes, message: str, tmp_path: pathlib.Path
) -> None:
    split = tmp_path / "data" / "socc_c3" / "split"
    split.mkdir(parents=True)
    for part in range(1, 5):
        (split / f"C3_anonymized.part{part}of4.csv").write_bytes(content)
    args = ["--data-dir", str(tmp_path / "data")]
    if command is train:
        args += ["--output-dir", str(tmp_path / "out")]
    result = CliRunner().invoke(command, args)  # type: ignore[arg-type]
    assert result.exit_code == 1, result.output
    assert "cannot be used: socc_c3/split/C3_anonymized.part1of4.csv: " in result.output
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", [train, evaluate])
@pytest.mark.parametrize("level", ["abc", "nan", "1e999", ""])
def test_a_value_that_is_not_a_number_is_named_with_its_line(
    command: object, level: str, tmp_path: pathlib.Path
) -> None:
    split = tmp_path / "data" / "socc_c3" / "split"
    split.mkdir(parents=True)
    for part in range(1, 5):
        rows = f'comment_text,crowd_toxicity_level\nfine,0.0\n"two\nlines",{level}\n'
        (split / f"C3_anonymized.part{part}of4.csv").write_text(rows, encoding="utf-8")
    args = ["--data-dir", str(tmp_path / "data")]
    if command is train:
        args += ["--output-dir", str(tmp_path / "out")]
    result = CliRunner().invoke(command, args)  # type: ignore[arg-type]
    assert result.exit_code == 1, result.output
    expected = (
        "socc_c3/split/C3_anonymized.part1of4.csv line 4, column 'crowd_toxicity_level': "
        f"{level!r} is not a number"
    )
    assert expected in result.output and "Traceback" not in result.output


def test_format_table_aligns_columns() -> None:
    table = format_table(
        [{"score": "toxicity", "set": "c3val", "model": "m", "n": 3, "roc_auc": 0.81234}]
    )
    header, row = table.splitlines()
    assert header.startswith("score")
    assert "0.8123" in row and row.index("c3val") == header.index("set")


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "socc_c3").is_dir(), reason="../shared/data not available")
def test_evaluate_prints_a_row_per_validation_set() -> None:
    result = CliRunner().invoke(evaluate, ["--data-dir", str(DATA)], catch_exceptions=False)
    assert result.exit_code == 0
    for name in ("socc_c3_validation", "tweeteval_offensive_val", "youtube_leave_one_video_out"):
        assert name in result.output
    # The Russian checks: 60 hand-written Russian spam comments against the 2,008 forum
    # validation comments, and the forum test split in Latin letters.
    assert re.search(
        r"^spam_ru +hand-written Russian spam .* 2068 +60 +0\.\d{4}", result.output, re.M
    )
    assert "routed as ru-Latn" in result.output
    # Each live toxicity figure with its bootstrap interval, C3 by article.
    intervals = result.output.split("toxicity ROC-AUC of the served models")[1]
    for prefix in (r"toxicity +socc_c3_validation +\S+ +\d+ articles",
                   r"toxicity_ru +ru_2ch_pikabu_test \(random split\) +\S+ +\d+ comments"):  # fmt: skip
        found = re.search(prefix + r" +(\S+) +(\S+) +(\S+)", intervals, re.M)
        assert found is not None, prefix
        auc, low, high = map(float, found.groups())
        assert low < auc < high
    # The paired comparison with the peer on every toxicity set; held-out C3 resampled by
    # article, and there the whole interval is above zero.
    compared = result.output.split("toxicity ROC-AUC against alt-profanity-check")[1]
    for name in ("tweeteval_offensive_val", "tweeteval_hate_val", "wiki_cat_small_no_context"):
        assert re.search(rf"^{name} +\d+ comments +0\.\d{{4}} ", compared, re.M), name
    c3 = re.search(
        r"^socc_c3_validation +(\d+) articles +(\S+) +(\S+) +(\S+) +(\S+) +(\S+) ",
        compared,
        re.M,
    )
    assert c3 is not None and int(c3[1]) > 100
    ours, theirs, difference, low, high = map(float, c3.groups()[1:])
    assert difference == pytest.approx(ours - theirs, abs=2e-4)
    assert 0 < low < difference < high
    # The explanation checks: English recorded for our head and measured now for the peer on
    # the same posts; Russian measured now on ParaDetox dev.
    explanations = result.output.split("toxicity explanations against what people marked")[1]
    en = r"^en: Toxic Spans test posts, marked by raters +"
    assert re.search(
        en + r"2026\.\S+ \(recorded; twin without these posts\) +2000 +1606 ", explanations, re.M
    )
    assert re.search(
        en + r"alt-profanity-check, word by word +2000 +1606 +0\.\d{4}", explanations, re.M
    )
    ru = r"^ru: ParaDetox dev, words the rewrites took out +2026\.\S+ +800 +796 +0\.\d{4}"
    assert re.search(ru, explanations, re.M)
    # The mention checks: both languages measured now, and the peer on the English sentences.
    mentions = result.output.split("toxicity on civil sentences naming a country, a city or")[1]
    for language, check, n in (("en", "countries", 420), ("en", "cities", 190),
                               ("en", "public_figures", 96), ("ru", "countries", 128),
                               ("ru", "cities", 64), ("ru", "public_figures", 60)):  # fmt: skip
        listed = rf"^{language} +{check} +2026\.\S+ +names in the clipped list +{n} +0\.\d{{4}}"
        assert re.search(listed, mentions, re.M)
    peer = r"^en +countries +alt-profanity-check \(held: >= 0\.5\) +names in the clipped list"
    assert re.search(peer, mentions, re.M)


def test_train_into_a_place_it_cannot_write_is_one_line(tmp_path: pathlib.Path) -> None:
    (tmp_path / "data" / "socc_c3").mkdir(parents=True)
    (tmp_path / "a-file").write_text("not a directory")
    args = ["--data-dir", str(tmp_path / "data"), "--output-dir", str(tmp_path / "a-file" / "m")]
    result = CliRunner().invoke(train, args)
    assert result.exit_code == 1, result.output
    assert f"cannot write the models to {tmp_path / 'a-file' / 'm'}: Not a directory" in (
        result.output
    )


@pytest.mark.parametrize(
    ("card", "message"),
    [(None, "no model card at"), (b"{", "the model card"), (b"[]", "not a JSON object")],
)
def test_evaluate_with_models_it_cannot_load_is_one_line(
    tmp_path: pathlib.Path, card: bytes | None, message: str
) -> None:
    (tmp_path / "data" / "socc_c3").mkdir(parents=True)
    models = tmp_path / "models"
    models.mkdir()
    if card is not None:
        (models / "model_card.json").write_bytes(card)
    args = ["--data-dir", str(tmp_path / "data"), "--models-dir", str(models)]
    result = CliRunner().invoke(evaluate, args)
    assert result.exit_code == 1, result.output
    assert "could not load the models: " in result.output and message in result.output
    assert "Traceback" not in result.output


def test_a_training_process_that_dies_is_one_line(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from moderation.classifier.training import kernels

    def broken(*_: object) -> None:
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")

    monkeypatch.setattr(kernels, "run_with_pinned_kernels", broken)
    (tmp_path / "data" / "socc_c3").mkdir(parents=True)
    args = ["--data-dir", str(tmp_path / "data"), "--output-dir", str(tmp_path / "m")]
    result = CliRunner().invoke(train, args)
    assert result.exit_code == 1, result.output
    assert "the training process stopped before it finished" in result.output
    assert "Traceback" not in result.output


def _models(directory: pathlib.Path, toxicity: bytes) -> dict[str, Any]:
    """A models folder with a card that lists two artifacts."""
    import hashlib

    directory.mkdir(parents=True, exist_ok=True)
    files = {"toxicity.skops": toxicity, "spam.skops": b"spam model"}
    card: dict[str, Any] = {"model_version": "m", "operating_points": {}, "artifacts": {}}
    for name, content in files.items():
        (directory / name).write_bytes(content)
        sha = hashlib.sha256(content).hexdigest()
        card["artifacts"][name.removesuffix(".skops")] = {"file": name, "sha256": sha}
    (directory / "model_card.json").write_text(json.dumps(card, sort_keys=True))
    return card


@pytest.mark.parametrize(
    ("trained_toxicity", "exit_code", "expected"),
    [
        (b"toxicity model", 0, "the models in {committed} are reproduced byte for byte"),
        (b"toxicity model, last digit moved", 1, "differ from those in {committed}: "),
    ],
)
def test_train_check_compares_with_the_committed_models_and_leaves_them(
    tmp_path: pathlib.Path,
    monkeypatch: pytest.MonkeyPatch,
    trained_toxicity: bytes,
    exit_code: int,
    expected: str,
) -> None:
    from moderation.classifier.training import kernels

    committed = tmp_path / "models"
    _models(committed, b"toxicity model")
    before = {p.name: p.read_bytes() for p in committed.iterdir()}

    def fake_training(_function: object, _data: object, output: pathlib.Path, _labels: object):  # type: ignore[no-untyped-def]
        assert output != committed
        return _models(output, trained_toxicity)

    monkeypatch.setattr(kernels, "run_with_pinned_kernels", fake_training)
    (tmp_path / "data" / "socc_c3").mkdir(parents=True)
    args = ["--data-dir", str(tmp_path / "data"), "--output-dir", str(committed), "--check"]
    result = CliRunner().invoke(train, args)
    assert result.exit_code == exit_code, result.output
    assert expected.format(committed=committed) in result.output
    differing = [line for line in result.output.splitlines() if "DIFFERS" in line]
    if exit_code:
        assert len(differing) == 2  # the artifact, and the card that records its sha256
        assert "toxicity.skops" in result.output.split("differ from those in")[1]
    else:
        assert differing == [] and result.output.count(": same (") == 3
    assert {p.name: p.read_bytes() for p in committed.iterdir()} == before


def test_train_check_needs_models_to_compare_with(tmp_path: pathlib.Path) -> None:
    (tmp_path / "data" / "socc_c3").mkdir(parents=True)
    args = ["--data-dir", str(tmp_path / "data"), "--output-dir", str(tmp_path / "none"), "--check"]
    result = CliRunner().invoke(train, args)
    assert result.exit_code == 1
    assert f"no models to check in {tmp_path / 'none'} (no model_card.json)" in result.output
