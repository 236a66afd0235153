"""Hostile-guest fuzzing (issue 6): generators of guest inputs, a runner that executes one input on an
engine and records a comparable outcome, a subprocess worker for crash detection and a long campaign.

CI runs a bounded slice (tests/test_fuzz_*.py); `python -m tests.fuzz.campaign --seconds 600` runs a
long one (README of this directory: tests/fuzz/README.md).
"""
