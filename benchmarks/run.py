"""Run each workload with shendu and, when importable, PyTorch in the same process, alternating
between the two, and print the median seconds of each and the ratio shendu / torch.

    python -m benchmarks.run                      # every workload
    python -m benchmarks.run elementwise_chain --repeats 50
"""

from __future__ import annotations

import argparse
import statistics
import time

import shendu
from benchmarks.workloads import WORKLOADS


def _time(step, inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        step()
    return (time.perf_counter() - start) / inner


def measure(name: str, repeats: int, inner: int) -> dict:
    """Median seconds per repetition of workload ``name`` for each library."""
    libs = {"shendu": shendu}
    try:
        import torch

        libs["torch"] = torch
    except ImportError:
        pass
    steps = {lib_name: WORKLOADS[name](lib) for lib_name, lib in libs.items()}
    for step in steps.values():  # warm up
        _time(step, inner)
    samples = {lib_name: [] for lib_name in libs}
    for _ in range(repeats):
        for lib_name, step in steps.items():
            samples[lib_name].append(_time(step, inner))
    return {lib_name: statistics.median(s) for lib_name, s in samples.items()}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", default=sorted(WORKLOADS))
    parser.add_argument("--repeats", type=int, default=30, help="timed samples per library")
    parser.add_argument("--inner", type=int, default=5, help="repetitions per sample")
    args = parser.parse_args(argv)
    print(f"{'workload':<24}{'shendu (s)':>14}{'torch (s)':>14}{'shendu/torch':>14}")
    for name in args.workloads:
        result = measure(name, args.repeats, args.inner)
        ours, theirs = result["shendu"], result.get("torch")
        ratio = f"{ours / theirs:.2f}" if theirs else "n/a"
        theirs_text = f"{theirs:.6f}" if theirs else "n/a"
        print(f"{name:<24}{ours:>14.6f}{theirs_text:>14}{ratio:>14}")


if __name__ == "__main__":
    main()
