"""Run each workload with shendu and, when importable, PyTorch, and print the median seconds
of each and the ratio shendu / torch.

Each library is timed in its own fresh process, and the two alternate for ``--rounds`` rounds
(shendu, torch, shendu, torch, ...; the result is the median of the rounds' medians), so that
one library's threads cannot slow the other: NumPy's OpenBLAS threads keep spinning for a
while after a matrix product, and in a shared process they took CPU from PyTorch's threads
(measured: the char-LSTM step ratio was 0.5 in one process and 2.3 in separate ones).
``--same-process`` times both in this process, alternating sample by sample, as the figures
in docs/benchmarks.md before 2026-11-22 14:00 were measured.

    python -m benchmarks.run                      # every workload
    python -m benchmarks.run elementwise_chain --repeats 50
    python -m benchmarks.run lenet_step --memory  # also the peak memory of each library

``--memory`` runs each library alone in a fresh process (memory is per process) and reports
its peak resident set size and how far a few steps raise it above the level before the first
step (the activations and gradients a step holds at once).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import time

from benchmarks.workloads import WORKLOADS


def _libraries() -> dict:
    libs = {"shendu": importlib.import_module("shendu")}
    try:
        libs["torch"] = importlib.import_module("torch")
    except ImportError:
        pass
    return libs


def _time(step, inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        step()
    return (time.perf_counter() - start) / inner


def measure(name: str, repeats: int, inner: int) -> dict:
    """Median seconds per repetition of workload ``name`` for each library."""
    workload = WORKLOADS[name][0]
    steps = {lib_name: workload(lib) for lib_name, lib in _libraries().items()}
    for step in steps.values():  # warm up
        _time(step, inner)
    samples = {lib_name: [] for lib_name in steps}
    for _ in range(repeats):
        for lib_name, step in steps.items():
            samples[lib_name].append(_time(step, inner))
    return {lib_name: statistics.median(s) for lib_name, s in samples.items()}


def _time_in_this_process(name: str, lib_name: str, repeats: int, inner: int) -> None:
    """Child process: time the workload with one library; print the median seconds."""
    step = WORKLOADS[name][0](importlib.import_module(lib_name))
    _time(step, inner)  # warm up
    print(statistics.median(_time(step, inner) for _ in range(repeats)))


def measure_separately(name: str, repeats: int, inner: int, rounds: int) -> dict:
    """Median over ``rounds`` of each library's median, each run in a fresh process."""
    medians: dict[str, list[float]] = {lib_name: [] for lib_name in _libraries()}
    for _ in range(rounds):
        for lib_name in medians:
            out = subprocess.run([sys.executable, "-m", "benchmarks.run", name, "--time-of",
                                  lib_name, "--repeats", str(repeats), "--inner", str(inner)],
                                 capture_output=True, text=True, check=True).stdout
            medians[lib_name].append(float(out))
    return {lib_name: statistics.median(m) for lib_name, m in medians.items()}


def _status_mib(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS now, VmHWM the peak;
    unlike getrusage's maxrss, VmHWM is not inherited from the parent across exec)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


def _peak_in_this_process(name: str, lib_name: str) -> None:
    """Child process: build the workload, run 3 steps, print 'peak_MiB step_MiB'."""
    step = WORKLOADS[name][0](importlib.import_module(lib_name))
    before = _status_mib("VmRSS")
    for _ in range(3):
        step()
    peak = _status_mib("VmHWM")
    print(f"{peak:.1f} {peak - before:.1f}")


def peak_memory(name: str) -> dict:
    """{library: (peak RSS MiB, rise during steps MiB)}, each library in its own process."""
    result = {}
    for lib_name in _libraries():
        out = subprocess.run([sys.executable, "-m", "benchmarks.run", name, "--peak-of", lib_name],
                             capture_output=True, text=True, check=True).stdout.split()
        result[lib_name] = (float(out[0]), float(out[1]))
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    parser.add_argument("--repeats", type=int, help="timed samples per library "
                        "(default: the workload's own)")
    parser.add_argument("--inner", type=int, help="repetitions per sample")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternating fresh processes per library (default 3)")
    parser.add_argument("--same-process", action="store_true",
                        help="time both libraries in this process, sample by sample")
    parser.add_argument("--peak-of", help=argparse.SUPPRESS)
    parser.add_argument("--time-of", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peak_of:
        _peak_in_this_process(args.workloads[0], args.peak_of)
        return
    if args.time_of:
        _time_in_this_process(args.workloads[0], args.time_of, args.repeats, args.inner)
        return
    print(f"{'workload':<20}{'shendu (s)':>12}{'torch (s)':>12}{'shendu/torch':>14}")
    for name in args.workloads:
        _, repeats, inner = WORKLOADS[name]
        repeats, inner = args.repeats or repeats, args.inner or inner
        result = (measure(name, repeats, inner) if args.same_process
                  else measure_separately(name, repeats, inner, args.rounds))
        ours, theirs = result["shendu"], result.get("torch")
        ratio = f"{ours / theirs:.2f}" if theirs else "n/a"
        theirs_text = f"{theirs:.6f}" if theirs else "n/a"
        print(f"{name:<20}{ours:>12.6f}{theirs_text:>12}{ratio:>14}")
        if args.memory:
            for lib_name, (peak, rise) in peak_memory(name).items():
                print(f"  {lib_name:<8} peak RSS {peak:8.1f} MiB, a step adds {rise:7.1f} MiB")


if __name__ == "__main__":
    main()
