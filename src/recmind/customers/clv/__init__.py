"""Lifetime value and churn: buy-till-you-die baselines (pymc-marketing), recmind's learned
model, the choice between them on a validation window inside the training period, and the
backtest that scores them on a later holdout."""
