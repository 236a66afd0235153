"""Samples per peer within one benchmark, medians and ratios (bench/ suites).

The machine is shared and noisy: a benchmark measures every peer in each round (interleaved, so a
burst of load hits them alike), keeps every sample and reports medians. Ratios are formed only
between peers of the same run. Results go into pytest-benchmark's `extra_info`, which the report
(bench/report.py) reads back from the JSON file.
"""
import statistics
import time


class Samples:
    def __init__(self):
        self.by_peer = {}

    def add(self, peer, seconds):
        self.by_peer.setdefault(peer, []).append(seconds)

    def time(self, peer, fn, *args, **kwargs):
        t0 = time.perf_counter()
        result = fn(*args, **kwargs)
        self.add(peer, time.perf_counter() - t0)
        return result

    def median(self, peer):
        values = self.by_peer.get(peer)
        return statistics.median(values) if values else None

    def medians(self):
        return {peer: statistics.median(v) for peer, v in self.by_peer.items()}


def ratio(a, b):
    return None if a is None or b is None or b <= 0 else a / b


def rounds(benchmark, wanted):
    """Rounds to run: 1 when benchmarks are disabled (CI only checks that the suites still work)."""
    return 1 if benchmark.disabled else wanted
