"""The grading result as plain, serialisable data: checks, exercises, a submission."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"


@dataclass
class CheckResult:
    """One hidden check: its points and, when it failed, a sentence for the learner."""

    exercise: str
    name: str
    title: str
    max_points: float
    points: float
    status: str
    message: str = ""

    @property
    def key(self) -> str:
        return f"{self.exercise}.{self.name}"


@dataclass
class SubmissionResult:
    """Every check of one submission, plus an error when the whole submission failed."""

    learner: str
    checks: list[CheckResult] = field(default_factory=list)
    error: str = ""
    device: str = "cpu"
    wall_s: float = 0.0
    seed: int | None = None  # the hidden inputs' seed: `looplab grade --seed N` repeats the grading
    files: dict[str, str] = field(default_factory=dict)  # exercise key -> the module graded, in the folder
    curves: list[dict] = field(default_factory=list)  # grader.grading.loss_curves.LossCurve.to_dict() per exercise

    @property
    def score(self) -> float:
        return sum(check.points for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_points for check in self.checks if check.status != SKIPPED)

    def by_exercise(self) -> dict[str, list[CheckResult]]:
        grouped: dict[str, list[CheckResult]] = {}
        for check in self.checks:
            grouped.setdefault(check.exercise, []).append(check)
        return grouped

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "SubmissionResult":
        checks = [CheckResult(**check) for check in data.get("checks", [])]
        names = ("learner", "error", "device", "wall_s", "seed", "files", "curves")
        fields = {k: data[k] for k in names if k in data}
        return cls(checks=checks, **fields)
