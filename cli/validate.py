"""``orglearn validate``: its arguments, `validate_command` and `patterns_command`, which import
the validation package (numpy, scipy, the canonical models) only when the command runs."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from orglearn.cli.arguments import add_output_options, int_at_least, show_progress
from orglearn.cli.output import check_out, emit, fail

__all__ = ["add_validate_command", "validate_command", "patterns_command", "MODELS"]

#: The canonical models' reproductions (`orglearn.validation.canonical.MODELS`, which a test
#: keeps equal to this), named here so that the parser does not import numpy and scipy.
MODELS: tuple[str, ...] = ("march1991", "bass", "granovetter")


def add_validate_command(subparsers) -> argparse.ArgumentParser:
    """Add ``validate`` to an argparse subparsers object (``parser.add_subparsers()``)."""
    parser = subparsers.add_parser(
        "validate",
        help="reproduce the published results of the canonical models (March, Bass, Granovetter)",
        description="Reproduce March (1991) figures 1, 2, 4 and 5 (with run_march's default "
        "rules, those of March's original program; figure 1 also with the rules as the paper's "
        "text states them, for comparison), the Bass (1969) closed form and Granovetter's "
        "(1978) threshold cascades (simulated crowds); write validation.csv, checks.csv and the "
        "plots into --out. 'orglearn validate patterns' instead runs the social-learning "
        "model's patterns as paired-seed experiments. Exit status 0 if every published result "
        "is reproduced (every pattern holds), 1 if not.",
    )
    parser.add_argument(
        "model",
        nargs="?",
        default="all",
        choices=[*MODELS, "patterns", "all"],
        help="which reproduction to run: a canonical model, 'patterns' (the social-learning "
        "model's patterns, each a paired-seed test of one mechanism), or all canonical models "
        "(default: all)",
    )
    parser.add_argument(
        "--replications",
        type=int_at_least(2),
        default=80,
        help="replications per point (default: 80, as in March 1991)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("results/validation"),
        help="output directory (default: results/validation)",
    )
    parser.add_argument(
        "--seed", type=int_at_least(0), default=1991, help="root seed (default: 1991)"
    )
    patterns = parser.add_argument_group("patterns")
    patterns.add_argument(
        "--seeds",
        type=int_at_least(3),
        default=20,
        help="paired seeds per arm (default: 20): --seed, --seed + 1, ...",
    )
    patterns.add_argument(
        "--agents",
        type=int_at_least(20),
        default=300,
        help="people per organisation (default: 300)",
    )
    patterns.add_argument(
        "--steps", type=int_at_least(30), default=365, help="days per run (default: 365)"
    )
    patterns.add_argument(
        "--ablate",
        action="store_true",
        help="also run each pattern with its mechanism switched off, which must then fail",
    )
    parser.add_argument(
        "--workers",
        type=int_at_least(1),
        default=1,
        help="worker processes (default: 1; the default run takes seconds of computing, less "
        "than starting workers costs; more pay off for thousands of replications)",
    )
    add_output_options(parser)
    parser.set_defaults(handler=validate_command)
    return parser


def validate_command(args: argparse.Namespace) -> int:
    """Run ``orglearn validate``; returns the exit status."""
    if problem := check_out(args.out):
        return fail(problem)
    if args.model == "patterns":
        return patterns_command(args)
    from orglearn.validation.canonical import run_validation, write_validation

    models = MODELS if args.model == "all" else (args.model,)
    validation = run_validation(models, replications=args.replications, seed=args.seed,
                                workers=args.workers)
    written = write_validation(validation, args.out)
    if args.json:
        emit({
            "replications": validation.replications,
            "seed": validation.seed,
            "seconds": round(validation.seconds, 2),
            "passed": validation.passed,
            "checks": [asdict(c) for c in validation.checks],
            "points": [asdict(p) for p in validation.points],
            "files": [str(p) for p in written],
        })
    else:
        print(f"orglearn validate {args.model}: {args.replications} replications per point, "
              f"seed {args.seed}, {validation.seconds:.1f} s")
        for check in validation.checks:
            mark = "ok  " if check.passed else "FAIL"
            print(f"{mark} {check.model} {check.figure}: {check.claim}\n       ours: {check.ours}")
        passed = sum(c.passed for c in validation.checks)
        print(f"{passed} of {len(validation.checks)} checks passed; "
              f"{len(validation.points)} points in {written[0]}, plots in {args.out}/")
    return 0 if validation.passed else 1


def patterns_command(args) -> int:
    """Run ``orglearn validate patterns``; returns the exit status (0: every claim holds and,
    with ``--ablate``, every ablated pattern fails)."""
    import time
    from pathlib import Path

    from tqdm import tqdm

    from orglearn.validation.patterns import (
        PATTERNS, _arms, markdown, pattern_table, plot_patterns, run_patterns,
    )

    out = Path(args.out)
    seeds = range(args.seed, args.seed + args.seeds)
    workers = args.workers
    started = time.perf_counter()
    runs = {"claims": (PATTERNS, False)}
    if args.ablate:
        runs["ablated"] = (tuple(p for p in PATTERNS if p.ablation), True)
    tables = {}
    for name, (patterns, ablate) in runs.items():
        total = len({a for p in patterns for a in _arms(p, ablate).values()}) * len(seeds)
        with tqdm(total=total, desc=f"patterns ({name})", unit="run",
                  disable=not show_progress(args)) as bar:
            results = run_patterns(patterns, seeds, n_agents=args.agents, steps=args.steps,
                                   workers=workers, ablate=ablate, progress=bar.update)
        tables[name] = pattern_table(results, seeds, patterns, ablate=ablate)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in tables.items():
        stem = "patterns" if name == "claims" else "patterns_ablated"
        table.to_csv(out / f"{stem}.csv", index=False)
        (out / f"{stem}.md").write_text(markdown(table) + "\n", encoding="utf-8")
        plot_patterns(table, out / stem)
        written += [out / f"{stem}.{ext}" for ext in ("csv", "md", "svg", "pdf", "png")]
    claims = tables["claims"]
    ok = bool(claims["holds"].all())
    broken = []
    if "ablated" in tables:
        ablated = tables["ablated"]
        broken = sorted(k for k, g in ablated.groupby("pattern") if not g["holds"].all())
        ok = ok and len(broken) == ablated["pattern"].nunique()
    seconds = time.perf_counter() - started
    if args.json:
        emit({
            "seeds": list(seeds), "agents": args.agents, "steps": args.steps,
            "seconds": round(seconds, 1), "passed": ok,
            "claims": claims.to_dict(orient="records"),
            "ablated": tables["ablated"].to_dict(orient="records") if "ablated" in tables else None,
            "files": [str(p) for p in written],
        })
        return 0 if ok else 1
    print(f"orglearn validate patterns: {len(seeds)} paired seeds, {args.agents} people, "
          f"{args.steps} days, {seconds:.0f} s")
    for row in claims.itertuples():
        mark = "ok  " if row.holds else "FAIL"
        print(f"{mark} {row.pattern}: {row.claim}: {row.estimate:.3g} "
              f"[{row.low:.3g}, {row.high:.3g}] > {row.bound:g}")
    print(f"{int(claims['holds'].sum())} of {len(claims)} claims hold")
    if "ablated" in tables:
        print(f"with its mechanism switched off, {len(broken)} of "
              f"{tables['ablated']['pattern'].nunique()} patterns fail, as they should: "
              + ", ".join(broken))
    print(f"tables and figures in {out}/")
    return 0 if ok else 1
