"""The answerability model: the signals' names, one pair's signals, and the fitted weights.

`Model` is standardisation, logistic weights and the answer threshold, read from
answerability.json (written by bench/train_answerability.py) and checked on load. The
signals themselves are measured by `answerability.Answerability`.
"""

from __future__ import annotations

import json
import math
from dataclasses import astuple, dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import numpy as np

FEATURES = (
    "similarity", "coverage", "sentence", "pairs", "unknown", "generic", "named", "unnamed",
    "phrased", "lift", "scope", "numberless",
)  # fmt: skip
DEFAULT_SIMILARITY = 0.75  # a passage found by BM25 alone: as far as e5 candidates go


@dataclass(frozen=True)
class Evidence:
    """The signals for one (question, passage) pair; see the module docstring."""

    similarity: float
    coverage: float
    sentence: float
    pairs: float
    unknown: float
    generic: float
    named: float
    unnamed: float
    phrased: float
    lift: float
    scope: float
    numberless: float


@dataclass(frozen=True)
class Model:
    """Standardisation, logistic weights and the answer threshold (answerability.json)."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    probe: tuple[float, ...] = ()  # question-vector weights of the scope signal, then its bias

    @classmethod
    def bundled(cls) -> Model:
        """The weights shipped with the package (answerability.json beside this module)."""
        return cls.load(resources.files("retrieval.answer").joinpath("answerability.json"))

    @classmethod
    def load(cls, path: Traversable) -> Model:
        """A model from a JSON file written by bench/train_answerability.py.

        Raises:
            ValueError: the file is missing or unreadable, is not JSON, or is not a whole
                model; the message names the file and the problem.
        """
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except OSError as exc:
            raise ValueError(
                f"answerability model {path} cannot be read: {exc.strerror or exc}"
            ) from exc
        except json.JSONDecodeError as exc:
            raise ValueError(f"answerability model {path} is not JSON: {exc}") from exc
        except ValueError as exc:
            raise ValueError(f"answerability model {path} is unusable: {exc}") from exc

    @classmethod
    def from_json(cls, raw: object) -> Model:
        """A model from its JSON form.

        Raises:
            ValueError: a field is missing, the feature names are not FEATURES, or a value is
                not the numbers it must be (one per feature, scales above 0, a threshold
                between 0 and 1); the message names the field.
        """
        if not isinstance(raw, dict):
            raise ValueError(f"expected a JSON object, not {type(raw).__name__}")
        required = ("features", "mean", "scale", "weights", "bias", "threshold")
        if missing := [key for key in required if key not in raw]:
            raise ValueError(f"missing {', '.join(missing)}")
        if raw["features"] != list(FEATURES):
            raise ValueError(f"answerability weights are for {raw['features']}, not {FEATURES}")

        def finite(value: object) -> bool:
            if isinstance(value, bool) or not isinstance(value, int | float):
                return False  # a bool is an int to Python, never a weight
            return math.isfinite(value)

        def numbers(key: str, size: int | None = len(FEATURES)) -> tuple[float, ...]:
            values = raw.get(key, [])
            ok = isinstance(values, list) and all(map(finite, values))
            if not ok or (size is not None and len(values) != size):
                count = f"{size} " if size is not None else ""
                raise ValueError(f"{key} must be a list of {count}numbers, not {values!r:.80}")
            return tuple(float(v) for v in values)

        for key in ("bias", "threshold"):
            if not finite(raw[key]):
                raise ValueError(f"{key} must be a number, not {raw[key]!r:.80}")
        model = cls(
            mean=numbers("mean"),
            scale=numbers("scale"),
            weights=numbers("weights"),
            bias=float(raw["bias"]),
            threshold=float(raw["threshold"]),
            probe=numbers("probe", None),
        )
        if min(model.scale) <= 0:
            raise ValueError(f"scale must be above 0 for every feature, not {model.scale}")
        if not 0 <= model.threshold <= 1:
            raise ValueError(f"threshold {model.threshold} is not a probability (0 to 1)")
        return model

    def scope(self, vector: np.ndarray) -> float:
        """The scope signal of a question vector: the probe's logit.

        The probe is fitted on the bundled e5 model's vectors. Without probe weights, or for
        another embedder's vectors (CHITHI_EMBEDDINGS=openai:…, another dimension), it is
        the training mean: a neutral value, so the other signals decide.
        """
        neutral = self.mean[FEATURES.index("scope")]
        vector = np.asarray(vector, dtype=float).ravel()
        if not self.probe or vector.shape[0] != len(self.probe) - 1:
            return neutral
        return float(vector @ np.asarray(self.probe[:-1]) + self.probe[-1])

    def probability(self, evidence: Evidence) -> float:
        """P(the passage answers the question)."""
        x = (np.asarray(astuple(evidence)) - self.mean) / self.scale
        return float(1 / (1 + math.exp(-(float(x @ np.asarray(self.weights)) + self.bias))))
