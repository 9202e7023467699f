"""The decision to answer: a calibrated logistic model over the evidence for the best hit.

BM25 scores and cosines alone do not say whether a passage answers: a question about
something the sources never mention can still share words or meaning with them. The
evidence weighed here:

* `semantic`: the cosine of the question to the best sentence of the best passage;
* `semantic_passage`: the cosine of the question to that passage as a whole;
* `coverage`: the idf-weighted share of the question's words that the passage contains;
* `uncovered_peak`: the weight of the most informative question word the passage lacks,
  relative to the question's most informative word (a share hides one missing word that
  the question turns on);
* `known`: the idf-weighted share of the question's words that the corpus contains at all
  (an off-topic question is mostly words the sources never use);
* `named_gap`: the question names something (a proper name, a named concept) that no
  source mentions ("United States", "Python");
* `answer_type_missing`: it asks "how many", "how much" or "when" and the quote holds no
  count, amount or time;
* `counted_missing`: it asks "how many X" and the quote holds a number but does not name X
  (weaker: "how many countries" may be answered by "164 States Parties");
* `centroid`: the cosine of the question to the mean of all passage sentences, i.e. to what
  the sources as a whole are about (low for "best level to mine diamonds in Minecraft",
  whatever single sentence mentions mines), or to the mean metadata field when that is
  closer (a question about the documents themselves is on topic);
* `background`: the cosine of the question to the nearest of a few hundred everyday
  questions on other subjects (cooking, sport, crypto...): high when the question is more
  like those than like the sources, whatever words it shares with them;
* `metadata`: the best hit is a metadata field (authors, date...), which is far from the
  sources' subject by nature.

Two decisions are made over this evidence, because the two ways of having no answer look
different: an off-topic question ("best month to visit Angkor Wat") is far from what the
sources are about (centroid, background, known words), while an in-domain question the
sources leave open is close to them and lacks what it asks (a name, a number, the words it
turns on). One model weighing both kinds of negative at once had to compromise: at the
refusal budget it left most off-topic questions quoted. So a topic gate (on topic, answered
or not, against off-topic) is fitted on all training questions, and the answer model
(answered against in-domain unanswered) on the on-topic ones; a question is answered when
it passes both.

The weights are fitted on the training questions by `python -m retrieval.calibrate`,
written to `decision.json`. Each threshold refuses at most a budget of the answerable
training questions (0.25%, 0.5%, 1% or 2%; `decision.json` names the ones taken), chosen on the
dev questions with the priorities the users need: fewest people told "not covered" when a
source answers, then no quote for an off-topic question, then no quote for an in-domain
question the sources leave open. Lexical-only mode has its own fitted weights.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

DEFAULT_DECISION_FILE = Path(__file__).resolve().parent / "decision.json"


@dataclass(frozen=True)
class Evidence:
    semantic: float
    semantic_passage: float
    coverage: float
    uncovered_peak: float
    known: float
    named_gap: float
    answer_type_missing: float
    counted_missing: float
    centroid: float
    metadata: float
    background: float

    def vector(self) -> list[float]:
        return [float(getattr(self, f.name)) for f in fields(self)]

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


FEATURES = tuple(f.name for f in fields(Evidence))


@dataclass(frozen=True)
class Logistic:
    """p = sigmoid(bias + weights . evidence); passes when p >= threshold."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def probability(self, evidence: Evidence) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, evidence.vector(), strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def passes(self, evidence: Evidence) -> bool:
        return self.probability(evidence) >= self.threshold

    def to_json(self) -> dict[str, object]:
        return {
            "weights": dict(zip(FEATURES, self.weights, strict=True)),
            "bias": self.bias,
            "threshold": self.threshold,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Logistic:
        weights = data["weights"]
        if not isinstance(weights, dict) or set(weights) != set(FEATURES):
            raise ValueError(f"decision weights must name exactly {', '.join(FEATURES)}")
        return cls(
            weights=tuple(float(weights[name]) for name in FEATURES),
            bias=float(data["bias"]),  # type: ignore[arg-type]
            threshold=float(data["threshold"]),  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class DecisionModel:
    """Answer when the question is on topic (`topic`) and its best hit answers (`answer`)."""

    answer: Logistic
    topic: Logistic

    def answers(self, evidence: Evidence) -> bool:
        """Both models pass, and the question shares at least one word with the sources.

        A question none of whose words the corpus uses ("xxxx", "asdfgh qwerty") is
        outside everything the models were fitted on (16 training and dev questions, none
        answerable), where a linear model extrapolates: it gave "xxxx" p=0.5. There is
        nothing to quote for it."""
        return evidence.known > 0.0 and self.topic.passes(evidence) and self.answer.passes(evidence)

    def explain(self, evidence: Evidence) -> str:
        """The two probabilities against their thresholds, for logs and `--verbose`."""
        return (
            f"p(on topic)={self.topic.probability(evidence):.2f}/{self.topic.threshold:.2f} "
            f"p(answers)={self.answer.probability(evidence):.2f}/{self.answer.threshold:.2f}"
        )

    def to_json(self) -> dict[str, object]:
        return {"answer": self.answer.to_json(), "topic": self.topic.to_json()}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DecisionModel:
        answer, topic = data.get("answer"), data.get("topic")
        if not isinstance(answer, dict) or not isinstance(topic, dict):
            raise ValueError("a decision model needs an 'answer' and a 'topic' model")
        return cls(answer=Logistic.from_json(answer), topic=Logistic.from_json(topic))


@dataclass(frozen=True)
class DecisionModels:
    """One model for hybrid retrieval, one for lexical-only retrieval."""

    hybrid: DecisionModel
    lexical: DecisionModel

    def for_mode(self, semantic: bool) -> DecisionModel:
        return self.hybrid if semantic else self.lexical


def load_decision_models(path: Path = DEFAULT_DECISION_FILE) -> DecisionModels:
    data = json.loads(path.read_text("utf-8"))
    return DecisionModels(
        hybrid=DecisionModel.from_json(data["hybrid"]),
        lexical=DecisionModel.from_json(data["lexical"]),
    )


def save_decision_models(models: DecisionModels, path: Path, notes: dict[str, object]) -> None:
    data = {"hybrid": models.hybrid.to_json(), "lexical": models.lexical.to_json(), **notes}
    path.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
