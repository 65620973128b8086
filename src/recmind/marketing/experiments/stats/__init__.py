"""The statistics of readouts as small pure functions over sufficient statistics
(counts and sums), apart from storage: sample-ratio check, frequentist and Bayesian
tests, and off-policy estimates."""
