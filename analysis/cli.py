"""Command line: ``python -m analysis {validate,report,readme,compare,docs,import-acled}``.

Exit codes: 0 ok, 1 invalid data, 2 usage error. A data error prints the
problems, never a traceback. Only this module configures logging output.

Only the standard library is imported at the top, so ``--help`` and
``--version`` answer without loading pandas, pandera, statsmodels or
matplotlib; each command imports what it needs inside its function.
"""

from __future__ import annotations

import argparse
import logging
import sys
import warnings
from pathlib import Path

from analysis import __version__
from analysis.errors import DataValidationError

#: The name the package is published under (the import name stays ``analysis``).
DISTRIBUTION = "attack-rates"

log = logging.getLogger("analysis")

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _kind_of(path: Path, kind: str | None) -> str:
    from analysis.schema import SCHEMAS

    if kind:
        return kind
    stem = path.stem
    for name in SCHEMAS:
        if stem == name or stem.startswith(name):
            return name
    raise SystemExit(
        f"cannot tell which schema applies to {path}; name it like one of {sorted(SCHEMAS)} or pass --kind"
    )


def _validate(args) -> int:
    import pandas as pd

    from analysis.data import data_dir, load_periods, read_validated
    from analysis.data.loaders import gazetteer_check
    from analysis.data.provenance import sources_beside
    from analysis.schema import SCHEMAS

    if args.kind and args.kind not in SCHEMAS:
        raise SystemExit(f"--kind must be one of {sorted(SCHEMAS)}, not {args.kind!r}")
    paths = [Path(p) for p in args.paths] or [data_dir() / f"{k}.csv" for k in SCHEMAS] + [
        data_dir() / "periods.toml"
    ]
    failed = False
    excluded_frames = []
    for path in paths:
        try:
            if path.suffix == ".toml":
                periods = load_periods(path)
                print(f"ok      {path}: {len(periods)} periods")
                continue
            kind = _kind_of(path, args.kind)
            extra = {}
            if kind == "incidents":
                extra = gazetteer_check(path)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = read_validated(path, kind, errors="exclude", extra_checks=extra)
            bad = df.attrs["excluded"]
            if len(bad):
                failed = True
                excluded_frames.append(
                    pd.DataFrame({"file": str(path), "line": bad["line"], "reason": bad["reason"]})
                )
                print(f"INVALID {path}: {len(bad)} of {len(df) + len(bad)} rows fail validation")
                for row in bad.itertuples():
                    print(f"  {path}:{row.line}: {row.reason}")
            else:
                print(f"ok      {path}: {len(df)} rows")
            if kind == "incidents" and sources_beside(path) is not None:
                failed |= _check_provenance(path, excluded_frames)
        except DataValidationError as exc:
            failed = True
            excluded_frames.append(
                exc.failures.assign(reason=lambda f: f["column"].fillna("") + ": " + f["message"])[
                    ["file", "line", "reason"]
                ]
            )
            print(f"INVALID {exc}")
    if args.excluded:
        out = Path(args.excluded)
        out.parent.mkdir(parents=True, exist_ok=True)
        frame = (
            pd.concat(excluded_frames, ignore_index=True)
            if excluded_frames
            else pd.DataFrame(columns=["file", "line", "reason"])
        )
        frame.to_csv(out, index=False, lineterminator="\n")
        print(f"wrote {out} ({len(frame)} excluded rows)")
    return EXIT_INVALID if failed else EXIT_OK


def _check_provenance(path: Path, excluded_frames: list) -> bool:
    """The rules between an incidents file and the sources.csv beside it; True when one fails."""
    import pandas as pd

    from analysis.data.duplicates import duplicate_failures
    from analysis.data.provenance import provenance_failures, sources_beside

    problems = provenance_failures(path)
    if (path.parent / "duplicate_review.csv").exists():
        problems = pd.concat([problems, duplicate_failures(path)], ignore_index=True)
    sources = sources_beside(path)
    if problems.empty:
        print(
            f"ok      {path} + {sources}: every cited page listed, values backed, confirmations follow the "
            "source systems, every possible duplicate decided"
        )
        return False
    print(f"INVALID {path} + {sources}: {len(problems)} provenance problems")
    for p in problems.itertuples():
        print(f"  {p.file}:{p.line}: {p.column} = {p.value!r}: {p.message} [{p.check}]")
    excluded_frames.append(
        pd.DataFrame(
            {
                "file": problems["file"],
                "line": problems["line"],
                "reason": problems["column"]
                + ": "
                + problems["message"]
                + " (value "
                + problems["value"].fillna("")
                + ")",
            }
        )
    )
    return True


def _report(args) -> int:
    from analysis.report import build_report

    index = build_report(Path(args.out), data=Path(args.data) if args.data else None, progress=print)
    print(f"report: {index.resolve()}")
    return EXIT_OK


def _docs(args) -> int:
    from analysis.datapackage import write_docs

    for path in write_docs(Path(args.root)):
        print(f"wrote {path}")
    return EXIT_OK


def _import_acled(args) -> int:
    from analysis.acled import acled_locations, from_acled
    from analysis.data import load_incidents, save_csv
    from analysis.safety import neutralise_formulas

    out = Path(args.out)
    if out.suffix.lower() != ".csv":
        raise SystemExit(f"-o/--out must name a .csv file, not {out}")
    locations_path = Path(args.locations) if args.locations else out.with_name(f"{out.stem}_locations.csv")
    excluded_path = out.with_name(f"{out.stem}_excluded.csv")
    incidents = from_acled(Path(args.file), us_forces_only=not args.all_targets)
    save_csv(acled_locations(incidents), locations_path)
    save_csv(incidents, out)
    if incidents.empty:
        print(f"no events in {args.file} match; wrote the header to {out} and {locations_path}")
        return EXIT_OK
    # Validate the written file itself, through the same loader as data/incidents.csv.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        valid = load_incidents(out, errors="exclude", locations=locations_path)
    excluded = valid.attrs["excluded"]
    # Rewrite with the valid rows only, so the output loads cleanly; the
    # excluded rows (with reasons) go beside it, made safe to open in a spreadsheet.
    save_csv(valid, out)
    print(f"wrote {out}: {len(valid)} incidents from {args.file}")
    print(f"wrote {locations_path}: {incidents['location'].nunique()} sites")
    if len(excluded):
        save_csv(neutralise_formulas(excluded.drop(columns="line")), excluded_path)
        print(
            f"INVALID {len(excluded)} of {len(incidents)} events fail validation; reasons in {excluded_path}"
        )
        for row in excluded.head(20).itertuples():
            print(f"  {row.event_id}: {row.reason}")
        return EXIT_INVALID
    excluded_path.unlink(missing_ok=True)
    return EXIT_OK


def _readme(args) -> int:
    from analysis.readme import update_data_readme, update_readme

    changed = update_readme(args.path)
    print(f"{args.path}: {'updated' if changed else 'already up to date'}")
    changed = update_data_readme()
    print(f"data/README.md: {'updated' if changed else 'already up to date'}")
    return EXIT_OK


def _compare(args) -> int:
    from analysis.data import load_incidents, load_periods
    from analysis.errors import ArgumentError
    from analysis.models.rates import compare_periods
    from analysis.periods import PeriodError
    from analysis.study import load_study

    filters = {
        k: v
        for k, v in (
            ("countries", args.country),
            ("weapons", args.weapon),
            ("target_types", args.target_type),
        )
        if v
    }
    try:
        study = load_study()
        periods = load_periods(args.periods) if args.periods else study.periods
        res = compare_periods(
            load_incidents(),
            periods,
            reference=args.reference,
            scope=args.scope,
            method=args.method,
            study=study,
            **filters,
        )
    except (ArgumentError, PeriodError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    table = res.wide.drop(columns=["start", "end", "label"])
    if args.format == "csv":
        sys.stdout.write(table.to_csv(index=False, float_format="%.4g"))
    elif args.format == "md":
        print(table.to_markdown(index=False, floatfmt=".3g"))
    else:
        assert res.scope is not None, "compare_periods always records the scope it counted"
        print(f"{res!r}\nscope: {res.scope.describe()}\n")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    return EXIT_OK


def _info(args) -> int:
    """The version, where the data are read from and why, and the libraries in use."""
    import importlib.metadata as md
    import platform

    from analysis.data.loaders import DATA_ENV, data_source

    folder, how = data_source()
    why = {
        "environment": f"${DATA_ENV}",
        "checkout": "the data/ folder of this checkout",
        "packaged": "the copy of the dataset inside the installed package",
    }[how]
    print(f"{DISTRIBUTION} {__version__} (import name: analysis)")
    print(f"data: {folder} ({why}; set ${DATA_ENV} to use another folder)")
    print(f"python: {platform.python_version()}")
    for name in ("pandas", "numpy", "scipy", "statsmodels", "matplotlib", "pandera"):
        try:
            print(f"{name}: {md.version(name)}")
        except md.PackageNotFoundError:
            print(f"{name}: not installed")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    parser.add_argument("-V", "--version", action="version", version=f"{DISTRIBUTION} {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("info", help="the version, where the data are read from and why, library versions")
    p.set_defaults(func=_info)

    p = sub.add_parser("validate", help="validate data files (default: every file in data/)")
    p.add_argument("paths", nargs="*", help="CSV files or periods.toml")
    p.add_argument(
        "--kind", help="schema to apply to every path, named like a file in data/ (incidents, tallies, ...)"
    )
    p.add_argument("--excluded", help="write the excluded rows with their reasons to this CSV")
    p.set_defaults(func=_validate)

    p = sub.add_parser("report", help="build the figures, tables and HTML report")
    p.add_argument("--out", default="reports", help="output folder (default reports/)")
    p.add_argument("--data", help="data folder (default data/)")
    p.set_defaults(func=_report)

    p = sub.add_parser("readme", help="rewrite the README's generated headline section from the results")
    p.add_argument("--path", default="README.md", help="README to update")
    p.set_defaults(func=_readme)

    p = sub.add_parser(
        "compare",
        help="rates and rate ratios by period for a scope, country or weapon",
        description="Print the period comparison for a counting scope, optionally filtered by country, weapon "
        "or target type. Example: python -m analysis compare --reference calm --country Syria",
    )
    p.add_argument("--reference", default=None, help="reference period (default: the configuration's, calm)")
    p.add_argument("--scope", default=None, help="counting scope preset (default pentagon)")
    p.add_argument("--country", action="append", help="keep this country (repeat for several)")
    p.add_argument("--weapon", action="append", help="keep this weapon (repeat for several)")
    p.add_argument("--target-type", action="append", help="keep this target type (repeat for several)")
    p.add_argument("--periods", help="a periods TOML file (default data/periods.toml)")
    p.add_argument("--method", default="nights", help="interval method (default nights)")
    p.add_argument("--format", choices=["table", "csv", "md"], default="table", help="output format")
    p.set_defaults(func=_compare)

    p = sub.add_parser("docs", help="regenerate docs/data_dictionary.md and data/datapackage.json")
    p.add_argument("--root", default=".", help="project root")
    p.set_defaults(func=_docs)

    p = sub.add_parser(
        "import-acled",
        help="map an ACLED export to incidents (US or coalition targets) and validate them",
        description="Write OUT.csv (incidents), OUT_locations.csv (gazetteer) and, when rows "
        "fail validation, OUT_excluded.csv with the reasons. Exit 0 all valid, 1 some invalid.",
    )
    p.add_argument("file", help="ACLED export (CSV)")
    p.add_argument("-o", "--out", required=True, help="incidents CSV to write")
    p.add_argument("--locations", help="gazetteer CSV to write (default: OUT_locations.csv)")
    p.add_argument(
        "--all-targets",
        action="store_true",
        help="keep every event in Iraq, Syria and Jordan, not only those targeting US or coalition forces",
    )
    p.set_defaults(func=_import_acled)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    from analysis.periods import PeriodError

    try:
        return args.func(args)
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return EXIT_INVALID
    except PeriodError as exc:
        # A configuration or periods file the person editing it can fix: file, key and value.
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return EXIT_USAGE
        raise


if __name__ == "__main__":
    sys.exit(main())
