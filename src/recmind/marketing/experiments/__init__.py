"""Experiments: A/B/n tests with sticky assignment, Thompson-sampling bandits over copy
variants, the global holdout kept out of every arm, and readouts that refuse to speak when
the sample ratio is off (see ``docs/experiments.md``)."""
