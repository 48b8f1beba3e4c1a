"""Use cases: plain functions over a unit of work; entry points call these and nothing else."""
