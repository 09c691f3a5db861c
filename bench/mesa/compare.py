#!/usr/bin/env python3
"""Perelom vs Mesa 3.3.1 on Epstein's (2002) civil violence model, Model I (issue 5).

Runs Mesa's own example, mesa.examples.advanced.epstein_civil_violence, unmodified and
headless, and Perelom's `epstein-2002` scenario, on the same parameters (Mesa's
defaults, passed explicitly to both), and reports:

* agreement: outcome statistics over seeds (mean active over the run, jailed at the
  end, outbursts of more than 50 actives, peak active), mean +- sd per model and a
  Welch two-sample t-test per statistic;
* speed: agent-steps per second (agents = citizens + cops, all scheduled every step)
  at 40x40: Mesa's `model.step()` loop against Perelom's `wall_seconds` (model build
  plus steps, as the manifest records it) and against the whole `perelom` process,
  with 1 and 2 threads;
* scaling: agent-steps per second on square grids of growing size;
* with --ratios (issue 14): Mesa, Perelom (1 and 2 threads) and krABMaga side by side at
  given sizes and steps, seed by seed, medians of wall and CPU rates, with the load.

Prints Markdown tables and writes results.json (and results.md) next to this file.
Run through run.sh, which sets up the virtual environment and builds Perelom; or
directly with a Python that has Mesa 3.3.1: `python compare.py --perelom PATH`.

Every Mesa run is a fresh child process (`compare.py --mesa-worker ...`), so a run's
time and peak memory are its own.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# Mesa 3.3.1's defaults (model.py), passed explicitly to EpsteinCivilViolence.
MESA_PARAMS = {
    "citizen_density": 0.7,
    "cop_density": 0.074,
    "citizen_vision": 7,
    "cop_vision": 7,
    "legitimacy": 0.8,
    "max_jail_term": 1000,
    "active_threshold": 0.1,
    "arrest_prob_constant": 2.3,
    "movement": True,
}

# The same, as Perelom parameters; passed with --set even though epstein-2002.toml
# already holds these values, so a change to the scenario file cannot skew the
# comparison. Grid size, steps and seed are set per run.
PERELOM_SET = {
    "grid.torus": "true",
    "grid.neighbourhood": "von-neumann",
    "citizens.density": "0.7",
    "cops.density": "0.074",
    "citizens.vision": "7",
    "cops.vision": "7",
    "legitimacy.initial": "0.8",
    "legitimacy.schedule": "constant",
    "cops.schedule": "constant",
    "jail.max_term": "1000",
    "citizens.threshold": "0.1",
    "arrest.k": "2.3",
    "arrest.ratio": "round",
    "citizens.movement": "true",
    "cops.movement": "true",
    "activation.kind": "random-sequential",
    "outburst.threshold": "50",
}

OUTBURST_THRESHOLD = 50  # an outburst: a run of steps with more than 50 actives

# Statistic key, label, and whether it is one of issue 5's headline statistics.
STATS = [
    ("mean_active", "mean active over the run", True),
    ("jailed_end", "jailed at the end", True),
    ("outbursts", "outbursts (> 50 active)", True),
    ("peak_active", "peak active", True),
    ("mean_jailed", "mean jailed over the run", False),
    ("jailed_100", "jailed after step 100", False),
    ("steps_any_active", "share of steps with any active", False),
]


# --------------------------------------------------------------------------- Mesa worker


def mesa_worker(width: int, height: int, steps: int, seed: int, cap: float) -> None:
    """Runs one Mesa model and prints one JSON line (runs in a child process)."""
    import mesa
    from mesa.examples.advanced.epstein_civil_violence.agents import Citizen, Cop
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

    t0 = time.perf_counter()
    c0 = time.process_time()
    model = EpsteinCivilViolence(width=width, height=height, max_iters=steps, seed=seed, **MESA_PARAMS)
    t1 = time.perf_counter()
    c1 = time.process_time()
    first_step = None
    done = 0
    for _ in range(steps):
        model.step()
        done += 1
        now = time.perf_counter()
        if first_step is None:
            first_step = now - t1
        if cap > 0 and now - t1 > cap:
            break
    t2 = time.perf_counter()
    c2 = time.process_time()
    df = model.datacollector.get_model_vars_dataframe()
    # Row 0 is the initial state (all quiet); row s is the state after step s.
    out = {
        "mesa_version": mesa.__version__,
        "width": width,
        "height": height,
        "seed": seed,
        "steps_requested": steps,
        "steps_done": done,
        "citizens": len(model.agents_by_type[Citizen]),
        "cops": len(model.agents_by_type[Cop]),
        "agents": len(model.agents),
        "init_seconds": t1 - t0,
        "init_cpu_seconds": c1 - c0,
        "step_cpu_seconds": c2 - c1,
        "step_seconds": t2 - t1,
        "first_step_seconds": first_step,
        "capped": done < steps,
        "peak_rss_mb": vm_hwm_mb(),
        "active": [int(x) for x in df["active"].tolist()[1:]],
        "quiet": [int(x) for x in df["quiet"].tolist()[1:]],
        "jailed": [int(x) for x in df["arrested"].tolist()[1:]],
    }
    sys.stdout.write(json.dumps(out) + "\n")


def vm_hwm_mb() -> float | None:
    """Peak resident memory of this process since its exec (VmHWM), in MB.

    (getrusage's ru_maxrss would also count the parent's memory copied at fork.)
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_timed(cmd: list[str]) -> tuple[int, float, float | None, float, bytes]:
    """Runs `cmd` under /usr/bin/time; returns exit code, whole-process seconds, peak
    RSS (MB) and CPU seconds (user + system) of the command, and stderr.

    /usr/bin/time forks from a small process, so its %M is the command's own peak;
    ru_maxrss from wait4 here would include this Python's memory copied at fork.
    """
    if TIME is None:
        code, seconds, _rss, _out, err, cpu = run_child(cmd)
        return code, seconds, None, cpu, err
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        # CPU time from wait4 on /usr/bin/time: its own (negligible) plus the command's,
        # to the microsecond (its %U and %S are rounded to 10 ms).
        code, seconds, _rss, _out, err, cpu = run_child([TIME, "-q", "-f", "%M", "-o", tf.name, *cmd])
        fields = Path(tf.name).read_text().split()
    try:
        rss = int(fields[-1]) / 1024
    except (ValueError, IndexError):
        rss = None
    return code, seconds, rss, cpu, err


def run_child(cmd: list[str], timeout: float | None = None) -> tuple[int, float, float, bytes, bytes, float]:
    """Runs `cmd`; returns exit code, whole-process seconds, ru_maxrss (MB; includes the
    memory of this process at fork), stdout, stderr, CPU seconds (user + system)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        deadline = None if timeout is None else t0 + timeout
        while deadline is None:
            pid, status, ru = os.wait4(p.pid, 0)
            break
        while deadline is not None:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - t0
        p.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return code, seconds, ru.ru_maxrss / 1024, out.read(), err.read(), ru.ru_utime + ru.ru_stime


def run_mesa(width: int, steps: int, seed: int, cap: float, timeout: float) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--mesa-worker", str(width), str(width), str(steps), str(seed), str(cap)]
    code, seconds, _rss, out, err, cpu = run_child(cmd, timeout)
    if code != 0:
        raise RuntimeError(f"Mesa run failed ({code}): {' '.join(cmd)}\n{err.decode(errors='replace')[-3000:]}")
    r = json.loads(out.decode().strip().splitlines()[-1])
    r["process_seconds"] = seconds
    r["process_cpu_seconds"] = cpu
    r["agent_steps"] = r["agents"] * r["steps_done"]
    r["agent_steps_per_s"] = r["agent_steps"] / r["step_seconds"]
    return r


# --------------------------------------------------------------------------- Perelom


def perelom_cmd(binary: str, width: int, steps: int, seed: int, threads: int, out: Path, activation: str | None = None) -> list[str]:
    cmd = [binary, "run", "epstein-2002", "--steps", str(steps), "--seed", str(seed), "--out", str(out), "--quiet", "--threads", str(threads)]
    sets = dict(PERELOM_SET)
    sets["grid.width"] = str(width)
    sets["grid.height"] = str(width)
    if activation:
        sets["activation.kind"] = activation
    for k, v in sets.items():
        cmd += ["--set", f"{k}={v}"]
    return cmd


def short_cmd(width: int, steps: int, seed: int | str, threads: int, activation: str | None = None) -> str:
    """The command a reader types (Perelom's scenario already holds Mesa's defaults)."""
    c = f"perelom run epstein-2002 --steps {steps} --seed {seed} --threads {threads} --out DIR --quiet"
    if width != 40:
        c += f" --set grid.width={width} --set grid.height={width}"
    if activation:
        c += f" --set activation.kind={activation}"
    return c


class Perelom:
    def __init__(self, binary: str, workdir: Path, keep: bool):
        self.binary = binary
        self.workdir = workdir
        self.keep = keep
        self.n = 0

    def run(self, width: int, steps: int, seed: int, threads: int, activation: str | None = None, series: bool = False) -> dict:
        self.n += 1
        out = self.workdir / f"w{width}-s{steps}-seed{seed}-t{threads}-{activation or 'seq'}-{self.n}"
        cmd = perelom_cmd(self.binary, width, steps, seed, threads, out, activation)
        code, seconds, rss, cpu, err = run_timed(cmd)
        if code != 0:
            raise RuntimeError(f"Perelom run failed ({code}): {' '.join(cmd)}\n{err.decode(errors='replace')[-3000:]}")
        manifest = json.loads((out / "manifest.json").read_text())
        with open(out / "metrics.csv", newline="") as f:
            rows = list(csv.DictReader(f))
        with open(out / "outbursts.csv", newline="") as f:
            outburst_rows = list(csv.DictReader(f))
        active = [int(r["active"]) for r in rows]
        quiet = [int(r["quiet"]) for r in rows]
        jailed = [int(r["jailed"]) for r in rows]
        cops = int(rows[0]["cops"])
        citizens = quiet[0] + active[0] + jailed[0]
        r = {
            "width": width,
            "height": width,
            "seed": seed,
            "threads": threads,
            "manifest_threads": manifest.get("threads"),
            "activation": activation or "random-sequential",
            "steps_done": len(rows),
            "citizens": citizens,
            "cops": cops,
            "agents": citizens + cops,
            "wall_seconds": manifest["wall_seconds"],
            "process_seconds": seconds,
            "peak_rss_mb": rss,
            "cpu_seconds": cpu,
            "git_commit": manifest.get("git_commit"),
            "perelom_version": manifest.get("perelom_version"),
            "outbursts_csv_rows": len(outburst_rows),
        }
        r["agent_steps"] = r["agents"] * r["steps_done"]
        r["agent_steps_per_s"] = r["agent_steps"] / r["wall_seconds"]
        r["agent_steps_per_s_process"] = r["agent_steps"] / r["process_seconds"]
        if series:
            r["active"], r["quiet"], r["jailed"] = active, quiet, jailed
            with open(out / "metrics.csv", "rb") as f:
                r["metrics_bytes"] = f.read()
        if not self.keep:
            shutil.rmtree(out, ignore_errors=True)
        return r


# --------------------------------------------------------------------------- statistics


def outcome(active: list[int], jailed: list[int]) -> dict:
    """Outcome statistics of one run; series hold the state after steps 1..T."""
    outbursts, inside = 0, False
    for a in active:
        if a > OUTBURST_THRESHOLD and not inside:
            outbursts += 1
        inside = a > OUTBURST_THRESHOLD
    return {
        "mean_active": statistics.fmean(active),
        "jailed_end": jailed[-1],
        "outbursts": outbursts,
        "peak_active": max(active),
        "mean_jailed": statistics.fmean(jailed),
        "jailed_100": jailed[min(99, len(jailed) - 1)],
        "steps_any_active": sum(a > 0 for a in active) / len(active),
    }


def mean_sd(xs: list[float]) -> tuple[float, float]:
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else float("nan"))


def welch(a: list[float], b: list[float]) -> tuple[float, float, float]:
    """Welch's two-sample t-test: t, degrees of freedom, two-sided p."""
    from scipy import stats as st

    ma, sa = mean_sd(a)
    mb, sb = mean_sd(b)
    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        return float("nan"), float("nan"), float("nan")
    va, vb = sa * sa / na, sb * sb / nb
    if va + vb == 0:
        return (0.0, float("inf"), 1.0) if ma == mb else (math.copysign(float("inf"), mb - ma), float("inf"), 0.0)
    t = (mb - ma) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / ((va * va / (na - 1) if na > 1 else 0) + (vb * vb / (nb - 1) if nb > 1 else 0))
    p = 2 * st.t.sf(abs(t), df)
    return t, df, p


def median(xs: list[float]) -> float:
    return statistics.median(xs)


# --------------------------------------------------------------------------- formatting


def fmt(x: float, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.{digits}f}"


def rate(x: float | None) -> str:
    """Agent-steps per second, compactly."""
    if x is None:
        return "–"
    if x >= 1e6:
        return f"{x / 1e6:.2f} M"
    if x >= 1e3:
        return f"{x / 1e3:.1f} k"
    return f"{x:.0f}"


def ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}×"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["mem_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info


def loadavg() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- sections


def agreement_and_speed(args, perelom: Perelom, results: dict, md: list[str]) -> None:
    w, steps = 40, args.steps
    mesa_seeds = list(range(1, args.seeds + 1))
    perelom_seeds = list(range(1, max(args.perelom_seeds or 0, args.seeds) + 1))

    # Mesa and Perelom alternate seed by seed, so both see much the same load on a
    # shared machine. Perelom's first 1-thread run of a seed is also its outcome run.
    mesa_runs, p_runs = [], []
    speed: dict[int, list[dict]] = {1: [], 2: []}
    same_with_2_threads = True
    for s in mesa_seeds:
        log(f"mesa    40x40 {steps} steps seed {s} ...")
        r = run_mesa(w, steps, s, 0, args.mesa_timeout)
        log(f"        {r['step_seconds']:.1f} s, {rate(r['agent_steps_per_s'])} agent-steps/s")
        mesa_runs.append(r)
        log(f"perelom 40x40 {steps} steps seed {s}, 1 and 2 threads x {args.repeats} ...")
        for rep in range(args.repeats):
            for t in (1, 2):
                r = perelom.run(w, steps, s, t, series=(rep == 0))
                if rep == 0 and t == 1:
                    p_runs.append(r)
                elif rep == 0:
                    same_with_2_threads &= r["metrics_bytes"] == p_runs[-1]["metrics_bytes"]
                speed[t].append(r)
    extra = perelom_seeds[len(mesa_seeds):]
    if extra:
        log(f"perelom 40x40 {steps} steps, outcome runs for seeds {extra[0]}-{extra[-1]} ...")
        p_runs += [perelom.run(w, steps, s, 1, series=True) for s in extra]
    for r in p_runs:
        n = outcome(r["active"], r["jailed"])["outbursts"]
        if r["outbursts_csv_rows"] != n:
            log(f"warning: Perelom seed {r['seed']}: outbursts.csv has {r['outbursts_csv_rows']} rows, its active series {n} outbursts")

    # ---- agreement
    m_out = [outcome(r["active"], r["jailed"]) for r in mesa_runs]
    p_out = [outcome(r["active"], r["jailed"]) for r in p_runs]
    rows, agreement = [], []
    headline = [k for k, _, h in STATS if h]
    for key, label, head in STATS:
        a = [o[key] for o in m_out]
        b = [o[key] for o in p_out]
        (ma, sa), (mb, sb) = mean_sd(a), mean_sd(b)
        t, df, p = welch(a, b)
        ok = not (p < 0.05)
        agreement.append({"statistic": key, "label": label, "headline": head, "mesa": a, "perelom": b, "mesa_mean": ma, "mesa_sd": sa, "perelom_mean": mb, "perelom_sd": sb, "welch_t": t, "welch_df": df, "p": p, "agree_at_0.05": ok})
        digits = 3 if key == "steps_any_active" else (2 if key.startswith("mean") else 1)
        rows.append([label + ("" if head else " (extra)"), f"{fmt(ma, digits)} ± {fmt(sa, digits)}", f"{fmt(mb, digits)} ± {fmt(sb, digits)}", fmt(mb - ma, digits), fmt(t, 2), fmt(p, 3), "yes" if ok else "**no**"])
    n_head_fail = sum(1 for x in agreement if x["headline"] and not x["agree_at_0.05"])
    bonf = 0.05 / len(headline)
    n_head_fail_bonf = sum(1 for x in agreement if x["headline"] and x["p"] < bonf)
    results["agreement"] = {
        "grid": "40x40",
        "steps": steps,
        "mesa_seeds": mesa_seeds,
        "perelom_seeds": perelom_seeds,
        "statistics": agreement,
        "headline_disagreements_at_0.05": n_head_fail,
        "headline_disagreements_bonferroni": n_head_fail_bonf,
        "bonferroni_alpha": bonf,
        "perelom_identical_with_1_and_2_threads": same_with_2_threads,
        "mesa_series": [{"seed": r["seed"], "active": r["active"], "jailed": r["jailed"]} for r in mesa_runs],
        "perelom_series": [{"seed": r["seed"], "active": r["active"], "jailed": r["jailed"]} for r in p_runs[: len(mesa_seeds)]],
    }
    for r in mesa_runs + p_runs:
        for k in ("active", "quiet", "jailed", "metrics_bytes"):
            r.pop(k, None)
    for r in speed[2]:
        for k in ("active", "quiet", "jailed", "metrics_bytes"):
            r.pop(k, None)
    md.append(f"## Agreement: 40×40 torus, {steps} steps, Mesa's defaults\n")
    md.append(f"Mesa 3.3.1 seeds 1–{mesa_seeds[-1]} (n = {len(mesa_seeds)}), Perelom seeds 1–{perelom_seeds[-1]} (n = {len(perelom_seeds)}); mean ± sd over seeds; Welch two-sample t-test (difference = Perelom − Mesa). Statistics over steps 1–{steps} (Mesa's initial row 0 left out).\n")
    md.append(table(["statistic", "Mesa", "Perelom", "difference", "Welch t", "p", "agree (p ≥ 0.05)"], rows))
    md.append("")
    verdict = "agree" if n_head_fail == 0 else f"DISAGREE on {n_head_fail} of {len(headline)}"
    md.append(f"Headline statistics (first four): {verdict} at p < 0.05; {n_head_fail_bonf} below the Bonferroni threshold {bonf:.4f}. Perelom's metrics with 1 and 2 threads are {'byte-identical' if same_with_2_threads else 'NOT identical'}.\n")

    # ---- speed
    def med(runs, f):
        return median([f(r) for r in runs])

    mesa_loop = med(mesa_runs, lambda r: r["agent_steps_per_s"])
    mesa_proc = med(mesa_runs, lambda r: r["agent_steps"] / r["process_seconds"])
    mesa_cpu = med(mesa_runs, lambda r: r["agent_steps"] / r["step_cpu_seconds"])
    agents = med(mesa_runs, lambda r: r["agents"])
    speed_rows = []

    def add(name, runs, seconds, agent_steps_per_s, base, cmd):
        v = med(runs, agent_steps_per_s)
        speed_rows.append({"run": name, "runs": len(runs), "agents_median": med(runs, lambda r: r["agents"]), "seconds_median": med(runs, seconds), "agent_steps_per_s": v, "baseline": base[0], "ratio": v / base[1], "command": cmd})

    loop, proc = ("Mesa step loop", mesa_loop), ("Mesa whole process", mesa_proc)
    add("Mesa 3.3.1, model.step() loop", mesa_runs, lambda r: r["step_seconds"], lambda r: r["agent_steps_per_s"], loop, f"EpsteinCivilViolence(seed=S), then model.step() × {steps}")
    add("Mesa 3.3.1, whole process", mesa_runs, lambda r: r["process_seconds"], lambda r: r["agent_steps"] / r["process_seconds"], proc, f"python bench/mesa/compare.py --mesa-worker 40 40 {steps} S 0")
    for t in (1, 2):
        add(f"Perelom, {t} thread{'s' if t > 1 else ''}, wall_seconds", speed[t], lambda r: r["wall_seconds"], lambda r: r["agent_steps_per_s"], loop, short_cmd(w, steps, "S", t))
    for t in (1, 2):
        add(f"Perelom, {t} thread{'s' if t > 1 else ''}, whole process", speed[t], lambda r: r["process_seconds"], lambda r: r["agent_steps_per_s_process"], proc, short_cmd(w, steps, "S", t))
    p1_cpu = med(speed[1], lambda r: r["agent_steps"] / r["cpu_seconds"])
    r1, r2 = speed_rows[2]["ratio"], speed_rows[3]["ratio"]
    results["speed"] = {
        "grid": "40x40",
        "steps": steps,
        "mesa_runs": mesa_runs,
        "perelom_runs": speed[1] + speed[2],
        "table": speed_rows,
        "mesa_agent_steps_per_s": mesa_loop,
        "ratio_1_thread": r1,
        "ratio_2_threads": r2,
        "ratio_cpu_time_1_thread": p1_cpu / mesa_cpu,
        "target_300x_met": r1 >= 300,
        "aim_1000x_met": r1 >= 1000,
    }
    rows = [[x["run"], f"{x['agents_median']:,.0f}", f"{x['seconds_median']:.3f}", rate(x["agent_steps_per_s"]), "1" if x["run"].startswith("Mesa") else f"{x['ratio']:,.0f}× ({x['baseline']})", f"`{x['command']}`"] for x in speed_rows]
    md.append(f"## Speed: 40×40, {steps} steps, about {agents:,.0f} agents\n")
    md.append(f"Medians over {len(mesa_runs)} Mesa runs (one per seed) and {args.repeats} Perelom runs per seed and thread count, interleaved seed by seed. Perelom's wall_seconds is model build plus steps (no output); \"whole process\" is from spawn to exit (Python start, imports, build and steps for Mesa; start, build, steps and writing results for Perelom).\n")
    md.append(table(["run", "agents", "seconds", "agent-steps/s", "ratio", "command"], rows))
    md.append("")
    md.append(f"CPU time instead of wall time (1 thread; Mesa's step loop against the whole Perelom process): {rate(p1_cpu)} vs {rate(mesa_cpu)} agent-steps/s, {p1_cpu / mesa_cpu:,.0f}×.\n")
    md.append(f"Issue-5 target (≥ 300× Mesa's agent-steps/s, aim 1000×), 1 thread: {r1:,.0f}× — {'met' if r1 >= 300 else 'MISSED'}{', aim met too' if r1 >= 1000 else ''}; 2 threads: {r2:,.0f}×.\n")


def scaling(args, perelom: Perelom, results: dict, md: list[str]) -> None:
    sizes = [int(x) for x in args.sizes.split(",") if x]
    rows, out = [], []
    mesa_stopped = None
    for n in sizes:
        steps = args.big_steps if n >= args.big_from else args.scale_steps
        entry = {"size": n, "steps": steps}
        log(f"scaling {n}x{n}, {steps} steps ...")
        # Perelom: random-sequential with 1 and 2 threads (Mesa's activation), and, for
        # information, synchronous-parallel with 2 threads (not Mesa's semantics).
        for label, t, act in (("perelom_1t", 1, None), ("perelom_2t", 2, None), ("perelom_sync_2t", 2, "synchronous-parallel")):
            if act and args.no_sync:
                continue
            runs = [perelom.run(n, steps, 1, t, act) for _ in range(args.repeats)]
            entry[label] = {
                "agents": runs[0]["agents"],
                "wall_seconds_median": median([r["wall_seconds"] for r in runs]),
                "process_seconds_median": median([r["process_seconds"] for r in runs]),
                "peak_rss_mb": max((r["peak_rss_mb"] for r in runs if r["peak_rss_mb"] is not None), default=None),
                "agent_steps_per_s": median([r["agent_steps_per_s"] for r in runs]),
                "agent_steps_per_cpu_s": median([r["agent_steps"] / r["cpu_seconds"] for r in runs]),
                "command": short_cmd(n, steps, 1, t, act),
                "runs": runs,
            }
        if mesa_stopped is None and not args.no_mesa_scaling:
            log(f"        mesa (cap {args.mesa_cap:.0f} s) ...")
            try:
                m = run_mesa(n, steps, 1, args.mesa_cap, args.mesa_timeout)
                for k in ("active", "quiet", "jailed"):
                    m.pop(k)
                entry["mesa"] = m
                log(f"        mesa {m['steps_done']}/{steps} steps in {m['step_seconds']:.1f} s, {rate(m['agent_steps_per_s'])} agent-steps/s, {fmt(m['peak_rss_mb'], 0)} MB")
                if m["capped"] or m["process_seconds"] > args.mesa_cap:
                    mesa_stopped = f"Mesa's {n}×{n} run exceeded the {args.mesa_cap:.0f} s cap"
            except Exception as e:  # a timeout or out-of-memory: report, go on without Mesa
                entry["mesa_error"] = str(e)[:2000]
                mesa_stopped = f"Mesa's {n}×{n} run failed: {str(e).splitlines()[0]}"
        elif mesa_stopped:
            entry["mesa_skipped"] = mesa_stopped
        m = entry.get("mesa")
        mr = m["agent_steps_per_s"] if m else None
        p1 = entry["perelom_1t"]
        p2 = entry["perelom_2t"]
        ps = entry.get("perelom_sync_2t")
        entry["ratio_1t"] = p1["agent_steps_per_s"] / mr if mr else None
        entry["ratio_2t"] = p2["agent_steps_per_s"] / mr if mr else None
        entry["mesa_agent_steps_per_cpu_s"] = m["agent_steps"] / m["step_cpu_seconds"] if m else None
        entry["ratio_cpu_1t"] = p1["agent_steps_per_cpu_s"] / entry["mesa_agent_steps_per_cpu_s"] if m else None
        mesa_cell = "skipped" if not m else (rate(mr) + (f" ({m['steps_done']} steps, capped)" if m["capped"] else ""))
        rows.append([
            f"{n}×{n}", f"{p1['agents']:,}", str(steps),
            mesa_cell, fmt(m["peak_rss_mb"], 0) if m else "–",
            rate(p1["agent_steps_per_s"]), ratio(entry["ratio_1t"]),
            rate(p2["agent_steps_per_s"]), ratio(entry["ratio_2t"]),
            rate(ps["agent_steps_per_s"]) if ps else "–",
            ratio(entry["ratio_cpu_1t"]),
            fmt(p1["peak_rss_mb"], 0),
        ])
        out.append(entry)
    results["scaling"] = {"sizes": out, "mesa_cap_seconds": args.mesa_cap, "mesa_stopped": mesa_stopped}
    md.append("## Scaling: square tori, seed 1\n")
    md.append(f"{args.scale_steps} steps per run ({args.big_steps} from {args.big_from}×{args.big_from}); Perelom: median of {args.repeats} runs, rate from wall_seconds; Mesa: one run, rate from the model.step() loop (first step included: it fills Mesa's neighbourhood cache), stopped after the step that passes {args.mesa_cap:.0f} s, larger sizes then skipped. RSS = peak resident memory of the process. \"sync\" is Perelom's synchronous-parallel activation (all agents decide from one snapshot): not Mesa's semantics, listed only to show what 2 threads buy. The CPU-time ratio compares Mesa's step loop with the whole 1-thread Perelom process (user + system), less sensitive to other load on the machine.\n")
    md.append(table(["grid", "agents", "steps", "Mesa agent-steps/s", "Mesa RSS MB", "Perelom 1 thread", "ratio", "Perelom 2 threads", "ratio", "Perelom sync, 2 threads", "ratio, CPU time, 1 thread", "Perelom RSS MB"], rows))
    md.append("")
    if mesa_stopped:
        md.append(f"Mesa stopped: {mesa_stopped}.\n")


# Mesa caches every cell's vision neighbourhood on its first step: about 18 KB per
# cell with radius 7 (713 MB measured at 200x200), so 1000x1000 would need some 18 GB.
MESA_BYTES_PER_CELL = 18_000
MESA_BASE_BYTES = 150e6


def mem_available_mib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def run_krabmaga(binary: str, width: int, steps: int, seed: int) -> dict:
    """One krABMaga run: its own JSON line (seconds = placement + steps) plus the
    process's wall time, CPU time and peak memory."""
    with tempfile.NamedTemporaryFile("r", suffix=".json") as tf:
        cmd = ["/bin/sh", "-c", f'exec "$0" "$@" > {tf.name}', binary, "--width", str(width), "--height", str(width), "--steps", str(steps), "--seed", str(seed)]
        code, seconds, rss, cpu, err = run_timed(cmd)
        if code != 0:
            raise RuntimeError(f"krABMaga run failed ({code}): {' '.join(cmd)}\n{err.decode(errors='replace')[-3000:]}")
        r = json.loads(Path(tf.name).read_text().strip().splitlines()[-1])
    r.update({"process_seconds": seconds, "peak_rss_mb": rss, "cpu_seconds": cpu})
    r["agent_steps"] = r["agents"] * r["steps"]
    return r


def ratios(args, perelom: Perelom, results: dict, md: list[str]) -> None:
    """Mesa, Perelom (1 and 2 threads) and krABMaga side by side at each size, seed by
    seed (interleaved, so that all see the same load), medians of wall and CPU rates."""
    plan = []
    for item in args.ratios.split(","):
        size, steps = (int(x) for x in item.split(":"))
        plan.append((size, steps))
    seeds = list(range(1, args.ratio_seeds + 1))
    avail = mem_available_mib()
    limit_mib = args.mesa_max_mib if args.mesa_max_mib is not None else (avail / 2 if avail else 4096)
    out = []
    for size, steps in plan:
        est_mib = (MESA_BASE_BYTES + MESA_BYTES_PER_CELL * size * size) / 2**20
        mesa_ok = est_mib <= limit_mib
        entry: dict = {"size": size, "steps": steps, "seeds": seeds, "mesa_estimated_mib": est_mib, "mesa_limit_mib": limit_mib, "runs": []}
        if not mesa_ok:
            entry["mesa_skipped"] = f"Mesa would need about {est_mib / 1024:.1f} GiB (its neighbourhood cache, {MESA_BYTES_PER_CELL / 1000:.0f} KB per cell) against a limit of {limit_mib / 1024:.1f} GiB"
            log(f"ratios {size}x{size}: {entry['mesa_skipped']}: Mesa not run")
        for seed in seeds:
            row: dict = {"seed": seed, "loadavg": loadavg()}
            if mesa_ok:
                log(f"ratios {size}x{size} {steps} steps seed {seed}: mesa ...")
                m = run_mesa(size, steps, seed, 0, args.mesa_timeout)
                for k in ("active", "quiet", "jailed"):
                    m.pop(k)
                row["mesa"] = m
                log(f"        mesa {m['step_seconds']:.1f} s wall, {m['step_cpu_seconds']:.1f} s CPU in its step loop, {fmt(m['peak_rss_mb'], 0)} MB")
            for t in (1, 2):
                runs = [perelom.run(size, steps, seed, t) for _ in range(args.repeats)]
                row[f"perelom_{t}t"] = runs
            log(f"        perelom 1 thread {median([r['wall_seconds'] for r in row['perelom_1t']]):.3f} s wall_seconds, {median([r['cpu_seconds'] for r in row['perelom_1t']]):.3f} s CPU (process)")
            if args.krabmaga:
                k = run_krabmaga(args.krabmaga, size, steps, seed)
                row["krabmaga"] = k
                log(f"        krabmaga {k['seconds']:.2f} s, {k['cpu_seconds']:.2f} s CPU (process)")
            entry["runs"].append(row)

        def med(xs):
            xs = [x for x in xs if x is not None]
            return median(xs) if xs else None

        runs = entry["runs"]
        p1 = [r for row in runs for r in row["perelom_1t"]]
        p2 = [r for row in runs for r in row["perelom_2t"]]
        summary = {
            "agents": med([r["agents"] for r in p1]),
            "perelom_1t_wall": med([r["agent_steps"] / r["wall_seconds"] for r in p1]),
            "perelom_1t_cpu": med([r["agent_steps"] / r["cpu_seconds"] for r in p1]),
            "perelom_2t_wall": med([r["agent_steps"] / r["wall_seconds"] for r in p2]),
            "perelom_2t_cpu": med([r["agent_steps"] / r["cpu_seconds"] for r in p2]),
            "perelom_rss_mb": max((r["peak_rss_mb"] or 0) for r in p1 + p2),
        }
        if mesa_ok:
            ms = [row["mesa"] for row in runs]
            summary.update({
                "mesa_wall": med([m["agent_steps_per_s"] for m in ms]),
                "mesa_cpu": med([m["agent_steps"] / m["step_cpu_seconds"] for m in ms]),
                "mesa_rss_mb": max(m["peak_rss_mb"] or 0 for m in ms),
                "mesa_from": f"{size}x{size}",
            })
        elif out and "mesa_wall" in out[-1]["summary"]:
            # The largest size Mesa ran, as a stand-in (Mesa gets slower per agent as the
            # grid grows, so this flatters Mesa).
            prev = out[-1]["summary"]
            summary.update({"mesa_wall": prev["mesa_wall"], "mesa_cpu": prev["mesa_cpu"], "mesa_rss_mb": None, "mesa_from": prev["mesa_from"]})
        if args.krabmaga:
            ks = [row["krabmaga"] for row in runs]
            summary.update({
                "krabmaga_wall": med([k["agent_steps"] / k["seconds"] for k in ks]),
                "krabmaga_cpu": med([k["agent_steps"] / k["cpu_seconds"] for k in ks]),
                "krabmaga_rss_mb": max(k["peak_rss_mb"] or 0 for k in ks),
            })
        for t in ("1t", "2t"):
            for kind in ("wall", "cpu"):
                p = summary[f"perelom_{t}_{kind}"]
                if summary.get(f"mesa_{kind}"):
                    summary[f"ratio_mesa_{t}_{kind}"] = p / summary[f"mesa_{kind}"]
                if summary.get(f"krabmaga_{kind}"):
                    summary[f"ratio_krabmaga_{t}_{kind}"] = p / summary[f"krabmaga_{kind}"]
        entry["summary"] = summary
        entry["loadavg_range"] = [min(row["loadavg"][0] for row in runs), max(row["loadavg"][0] for row in runs)] if runs and runs[0]["loadavg"] else None
        out.append(entry)
    results["ratios"] = out

    md.append("## Side by side: Mesa 3.3.1, Perelom and krABMaga\n")
    md.append(f"One harness run; at each size the frameworks run seed by seed in turn (Mesa, Perelom 1 thread × {args.repeats}, Perelom 2 threads × {args.repeats}, krABMaga), seeds 1–{len(seeds)}, so that all meet the same load; medians over the runs. "
              "Rates are agent-steps per second (agents = citizens + cops). Wall: Mesa's `model.step()` loop; Perelom's `wall_seconds` (model build and steps); krABMaga's `seconds` (placement and steps). "
              "CPU: Mesa's step loop (process time); Perelom's and krABMaga's whole process (user + system: start, build, steps, and for Perelom writing its results) — which favours Mesa. "
              "The ratio columns are Perelom (1 thread) over the other framework.\n")
    rows = []
    for e in out:
        sm = e["summary"]
        mesa_note = "" if "mesa_skipped" not in e else f" (Mesa's rate at {sm.get('mesa_from', '?')}: not run at this size)"
        rows.append([
            f"{e['size']}×{e['size']}", str(e["steps"]), f"{sm['agents']:,.0f}",
            (rate(sm.get("mesa_wall")) + " / " + rate(sm.get("mesa_cpu"))) + ("" if "mesa_skipped" not in e else f" (at {sm.get('mesa_from', '?')})"),
            rate(sm["perelom_1t_wall"]) + " / " + rate(sm["perelom_1t_cpu"]),
            ratio(sm.get("ratio_mesa_1t_wall")) + " / " + ratio(sm.get("ratio_mesa_1t_cpu")) + mesa_note,
            rate(sm["perelom_2t_wall"]) + " / " + rate(sm["perelom_2t_cpu"]),
            rate(sm.get("krabmaga_wall")) + " / " + rate(sm.get("krabmaga_cpu")),
            (f"{sm['ratio_krabmaga_1t_wall']:.1f}× / {sm['ratio_krabmaga_1t_cpu']:.1f}×" if "ratio_krabmaga_1t_wall" in sm else "–"),
            f"{fmt(sm.get('mesa_rss_mb'), 0)} / {fmt(sm['perelom_rss_mb'], 0)} / {fmt(sm.get('krabmaga_rss_mb'), 0)}",
            (f"{e['loadavg_range'][0]:.1f}–{e['loadavg_range'][1]:.1f}" if e.get("loadavg_range") else "–"),
        ])
    md.append(table(["grid", "steps", "agents", "Mesa wall / CPU", "Perelom 1 thread wall / CPU", "Perelom ÷ Mesa wall / CPU", "Perelom 2 threads wall / CPU", "krABMaga wall / CPU", "Perelom ÷ krABMaga wall / CPU", "peak RSS MB Mesa / Perelom / krABMaga", "load"], rows))
    md.append("")
    for e in out:
        if "mesa_skipped" in e:
            md.append(f"{e['size']}×{e['size']}: {e['mesa_skipped']}; its ratio is against Mesa's rate at {e['summary'].get('mesa_from', '?')} (Mesa is slower per agent on larger grids, so this flatters Mesa).\n")


# --------------------------------------------------------------------------- main


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--mesa-worker":
        w, h, steps, seed = (int(x) for x in sys.argv[2:6])
        mesa_worker(w, h, steps, seed, float(sys.argv[6]))
        return

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--perelom", default=str(REPO / "target" / "release" / "perelom"), help="perelom binary (default: target/release/perelom)")
    ap.add_argument("--seeds", type=int, default=5, help="seeds for agreement and speed at 40x40, both models (default 5)")
    ap.add_argument("--perelom-seeds", type=int, default=None, help="seeds for Perelom's side of the agreement (default: --seeds); more give a tighter reference")
    ap.add_argument("--steps", type=int, default=1000, help="steps at 40x40 (default 1000; Mesa takes about a minute per 1000)")
    ap.add_argument("--repeats", type=int, default=3, help="Perelom timing repeats per seed / size (default 3)")
    ap.add_argument("--sizes", default="40,100,200,400,1000", help="square grid sizes for scaling (default 40,100,200,400,1000)")
    ap.add_argument("--scale-steps", type=int, default=100, help="steps per scaling run (default 100)")
    ap.add_argument("--big-steps", type=int, default=20, help="steps per scaling run from --big-from on (default 20)")
    ap.add_argument("--big-from", type=int, default=1000, help="grid size from which --big-steps applies (default 1000)")
    ap.add_argument("--mesa-cap", type=float, default=120.0, help="seconds of stepping per Mesa scaling run; larger sizes are skipped once one exceeds it (default 120)")
    ap.add_argument("--mesa-timeout", type=float, default=1800.0, help="hard limit per Mesa process, seconds (default 1800)")
    ap.add_argument("--no-agreement", action="store_true", help="skip agreement and speed at 40x40")
    ap.add_argument("--no-scaling", action="store_true", help="skip the scaling curve")
    ap.add_argument("--no-mesa-scaling", action="store_true", help="scaling curve for Perelom only")
    ap.add_argument("--no-sync", action="store_true", help="leave out Perelom's synchronous-parallel runs")
    ap.add_argument("--keep-runs", action="store_true", help="keep Perelom's result directories under bench/mesa/runs/")
    ap.add_argument("--ratios", default=None, metavar="SIZE:STEPS,...", help="side-by-side speed of Mesa, Perelom and krABMaga at these sizes and steps, interleaved seed by seed (e.g. 40:1000,200:20,1000:5); with it, agreement and scaling run only if asked for with --agreement / --scaling")
    ap.add_argument("--ratio-seeds", type=int, default=3, help="seeds per size for --ratios (default 3)")
    ap.add_argument("--krabmaga", default=None, help="krABMaga binary (bench/krabmaga) for --ratios; run.sh builds and passes it")
    ap.add_argument("--mesa-max-mib", type=float, default=None, help="skip Mesa at sizes whose estimated memory exceeds this (default: half of MemAvailable)")
    ap.add_argument("--agreement", action="store_true", help="with --ratios: also run the agreement and 40x40 speed section")
    ap.add_argument("--scaling", action="store_true", help="with --ratios: also run the scaling section")
    ap.add_argument("--json", default=str(HERE / "results.json"), help="where to write the results (default bench/mesa/results.json)")
    args = ap.parse_args()

    if not os.access(args.perelom, os.X_OK):
        sys.exit(f"compare.py: no Perelom binary at {args.perelom} (build with cargo build --release, or pass --perelom)")
    from importlib import metadata

    try:
        mesa_version = metadata.version("mesa")
    except metadata.PackageNotFoundError:
        sys.exit("compare.py: Mesa is not installed in this Python; use bench/mesa/run.sh")

    results: dict = {
        "issue": 5,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "argv": sys.argv[1:],
        "machine": machine(),
        "loadavg_start": loadavg(),
        "mesa_version": mesa_version,
        "mesa_params": MESA_PARAMS,
        "perelom_set": PERELOM_SET,
        "perelom_binary": args.perelom,
    }
    md: list[str] = [f"# Perelom vs Mesa {mesa_version}: Epstein civil violence, Model I\n"]
    m = results["machine"]
    md.append(f"Machine: {m.get('cpu', '?')}, {m.get('nproc')} logical CPUs, {m.get('mem_gib', '?')} GiB; Python {m['python']}; load average at start {results['loadavg_start']}.\n")

    if args.keep_runs:
        workdir = HERE / "runs" / time.strftime("%Y%m%d-%H%M%S")
        workdir.mkdir(parents=True, exist_ok=True)
        tmp = None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="perelom-mesa-")
        workdir = Path(tmp.name)
    # Run a private copy: another build of target/release/perelom during the benchmark
    # must not swap the binary between runs.
    binary = workdir / "perelom"
    shutil.copy2(args.perelom, binary)
    results["perelom_binary_sha256"] = hashlib.sha256(binary.read_bytes()).hexdigest()
    perelom = Perelom(str(binary), workdir, args.keep_runs)
    # Record the binary's version and commit from a tiny run.
    probe = perelom.run(40, 1, 1, 1)
    results["perelom_version"] = probe["perelom_version"]
    results["perelom_git_commit"] = probe["git_commit"]

    try:
        if args.ratios:
            ratios(args, perelom, results, md)
        if not args.no_agreement and (not args.ratios or args.agreement):
            agreement_and_speed(args, perelom, results, md)
        if not args.no_scaling and (not args.ratios or args.scaling):
            scaling(args, perelom, results, md)
    finally:
        if tmp:
            tmp.cleanup()

    results["loadavg_end"] = loadavg()
    results["finished_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    md.append(f"Load average at the end: {results['loadavg_end']}. Perelom {results['perelom_version']} ({results['perelom_git_commit']}).")
    text = "\n".join(md) + "\n"
    print(text)
    Path(args.json).write_text(json.dumps(results, indent=1) + "\n")
    Path(args.json).with_suffix(".md").write_text(text)
    log(f"wrote {args.json} and {Path(args.json).with_suffix('.md')}")


if __name__ == "__main__":
    main()
