"""Demo data: a first look at a small community (seed) and bulk synthetic data for
benchmarks (bulk, text)."""
