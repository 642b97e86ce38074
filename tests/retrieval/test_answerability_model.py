"""The answerability model file: the bundled one loads whole, a broken one is named at once."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from retrieval.answer.model import FEATURES, Model

BUNDLED = Path(__file__).resolve().parents[2] / "retrieval" / "answer" / "answerability.json"
E5_DIMENSIONS = 384  # the probe is fitted on the bundled e5 model's vectors, plus its bias


@pytest.fixture
def raw() -> dict[str, Any]:
    return dict(json.loads(BUNDLED.read_text(encoding="utf-8")))


def test_the_bundled_model_loads_with_its_weights_and_threshold(raw: dict[str, Any]) -> None:
    model = Model.bundled()
    assert model == Model.load(BUNDLED)  # the package resource is the repository's file
    assert raw["features"] == list(FEATURES)
    assert model.mean == tuple(raw["mean"])
    assert model.scale == tuple(raw["scale"])
    assert model.weights == tuple(raw["weights"])
    assert (model.bias, model.threshold) == (raw["bias"], raw["threshold"])
    assert len(model.weights) == len(FEATURES)
    assert 0 < model.threshold < 1
    assert len(model.probe) == E5_DIMENSIONS + 1


def write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "answerability.json"
    path.write_text(content, encoding="utf-8")
    return path


def test_a_missing_model_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "answerability.json"
    message = f"answerability model {path} cannot be read: No such file or directory"
    with pytest.raises(ValueError, match=re.escape(message)):
        Model.load(path)


@pytest.mark.parametrize("content", ["", '{"features": [', "<html>502 Bad Gateway</html>"])
def test_a_model_file_that_is_not_json_is_named(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ValueError, match=re.escape(f"answerability model {path} is not JSON")):
        Model.load(path)


def without(raw: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in keys}


def changed(raw: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**raw, key: value}


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda raw: [raw], "expected a JSON object, not list"),
        (lambda raw: without(raw, "threshold"), "missing threshold"),
        (lambda raw: without(raw, "bias", "weights"), "missing weights, bias"),
        (lambda raw: changed(raw, "features", raw["features"][:-1]), "weights are for"),
        (
            lambda raw: changed(raw, "weights", raw["weights"][:-1]),
            f"weights must be a list of {len(FEATURES)}",
        ),
        (
            lambda raw: changed(raw, "mean", None),
            f"mean must be a list of {len(FEATURES)} numbers, not None",
        ),
        (
            lambda raw: changed(raw, "scale", ["1"] * len(FEATURES)),
            f"scale must be a list of {len(FEATURES)} numbers",
        ),
        (lambda raw: changed(raw, "scale", [0.0] * len(FEATURES)), "scale must be above 0"),
        (lambda raw: changed(raw, "probe", [True] * 385), "probe must be a list of numbers"),
        (lambda raw: changed(raw, "bias", "-3.2"), "bias must be a number, not '-3.2'"),
        (lambda raw: changed(raw, "threshold", 72.5), "threshold 72.5 is not a probability"),
    ],
)
def test_an_incomplete_or_damaged_model_file_names_the_field(
    tmp_path: Path, raw: dict[str, Any], damage: Any, problem: str
) -> None:
    path = write(tmp_path, json.dumps(damage(raw)))
    with pytest.raises(ValueError, match=re.escape(f"answerability model {path} is unusable: ")):
        Model.load(path)
    with pytest.raises(ValueError, match=re.escape(problem)):
        Model.load(path)


def test_a_model_without_the_probe_still_loads(tmp_path: Path, raw: dict[str, Any]) -> None:
    # The probe is optional: without it the scope signal is neutral (see Model.scope).
    model = Model.load(write(tmp_path, json.dumps(without(raw, "probe"))))
    assert model.probe == ()
    assert model.weights == Model.bundled().weights
