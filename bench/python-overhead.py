#!/usr/bin/env python3
"""Overhead of a run from Python over the same run from the command line.

    python bench/python-overhead.py [--repeats 9] [--scenario ussr-1928-1929]

Needs the package installed (``pip install ./crates/python``) and the command line built
(``cargo build --release``). Times, alternately, ``repeats`` times each:

- ``cli``: ``perelom run SCENARIO --seed 1 --out DIR --quiet``, the whole process (start,
  simulation, writing the result directory);
- ``python``: ``perelom.run(SCENARIO, seed=1).save(DIR)`` inside one interpreter (the
  same simulation and the same files, byte for byte);
- ``python, run only``: ``perelom.run(SCENARIO, seed=1)`` (tables in memory, no files);
- ``python process``: a fresh ``python -c`` doing the same as ``python``, interpreter
  start and ``import perelom`` included.

and prints the medians and the overhead of each over ``cli`` (negative: faster).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import perelom

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--scenario", default="ussr-1928-1929")
    ap.add_argument("--cli", default=str(pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release" / "perelom"))
    args = ap.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="perelom-overhead-"))
    times: dict[str, list[float]] = {"cli": [], "python": [], "python, run only": [], "python process": []}
    code = f"import perelom; perelom.run({args.scenario!r}, seed=1, progress=False).save({str(tmp / 'proc')!r})"
    perelom.run(args.scenario, seed=1, progress=False)  # warm the page cache and the allocator
    for i in range(args.repeats):
        out = tmp / f"cli-{i}"
        t = time.perf_counter()
        subprocess.run([args.cli, "run", args.scenario, "--seed", "1", "--out", str(out), "--quiet"], check=True)
        times["cli"].append(time.perf_counter() - t)

        t = time.perf_counter()
        perelom.run(args.scenario, seed=1, progress=False).save(tmp / f"py-{i}")
        times["python"].append(time.perf_counter() - t)

        t = time.perf_counter()
        perelom.run(args.scenario, seed=1, progress=False)
        times["python, run only"].append(time.perf_counter() - t)

        shutil.rmtree(tmp / "proc", ignore_errors=True)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times["python process"].append(time.perf_counter() - t)
    cli = statistics.median(times["cli"])
    print(f"{args.scenario}, seed 1, {args.repeats} repeats each (medians; load average {os.getloadavg()[0]:.1f})")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"  {name:18} {m:7.3f} s   {100 * (m / cli - 1):+6.1f} % vs cli   (min {min(ts):.3f}, max {max(ts):.3f})")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
