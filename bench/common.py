"""Small helpers the benchmarks share."""


def percentile(values, p: float) -> float:
    """The p-th percentile by nearest rank (no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
