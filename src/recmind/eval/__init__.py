"""Honest offline evaluation: protocols, metrics, tuning and reports."""

from recmind.eval.report import EvalReport, ModelResult
from recmind.eval.runner import evaluate
from recmind.eval.seeds import SeedReport, evaluate_seeds

__all__ = ["EvalReport", "ModelResult", "SeedReport", "evaluate", "evaluate_seeds"]
