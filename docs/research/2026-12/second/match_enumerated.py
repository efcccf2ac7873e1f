"""Match the enumerated series (enumerated_series.csv) to the record: the Pentagon's running
counts against our cumulative count since 17 Oct 2023, and each named attack (day and site)
against the rows within a day at that site. Run from the repository root; writes
enumerated_match.csv beside this script and prints a summary."""

import warnings
from pathlib import Path

import pandas as pd

from analysis import load_incidents
from analysis.scope import get_scope

warnings.simplefilter("ignore")
HERE = Path(__file__).parent
series = pd.read_csv(HERE / "enumerated_series.csv", dtype=str, keep_default_na=False)
inc = load_incidents()
every = get_scope("all_attacks").select(inc)
bases = get_scope("pentagon").select(inc)
any_level = get_scope("pentagon").replace(confirmation=None).select(inc)
since = pd.Timestamp("2023-10-17")
dod = series[
    series["series"].str.startswith("DoD")
    & series["item_number"].str.fullmatch(r"\d+")
    & (series["page_date"] != "")
]
rows = []
for r in dod.itertuples():
    as_of = pd.Timestamp(r.page_date)

    def upto(frame, as_of=as_of):
        return int(((frame["event_date"] >= since) & (frame["event_date"] <= as_of)).sum())

    rows.append(
        {
            "kind": "running count",
            "as_of": r.page_date,
            "official": int(r.item_number),
            "ours": upto(bases),
            "ours_with_claims": upto(any_level),
            "url": r.url,
        }
    )
named = series[(series["event_date"] != "") & (series["site"] != "")]
aliases = {loc: loc.lower() for loc in inc["location"].unique()}
for r in named.itertuples():
    day = pd.Timestamp(r.event_date)
    near = inc[(inc["event_date"] - day).abs() <= pd.Timedelta(days=1)]
    words = [
        w
        for w in r.site.lower().replace("-", " ").split()
        if len(w) > 3 and w not in ("base", "syria", "iraq", "airport")
    ]
    hit = near[near["location"].str.lower().apply(lambda s, words=words: any(w in s for w in words))]
    rows.append(
        {
            "kind": "named attack",
            "as_of": r.event_date,
            "site": r.site,
            "series": r.series,
            "matched": ";".join(hit["event_id"]),
            "url": r.url,
        }
    )
out = pd.DataFrame(rows)
out.to_csv(HERE / "enumerated_match.csv", index=False, lineterminator="\n")
rc = out[out["kind"] == "running count"].sort_values("as_of")
print(rc[["as_of", "official", "ours", "ours_with_claims"]].drop_duplicates().to_string(index=False))
na = out[out["kind"] == "named attack"]
print(f"named attacks with day and site: {len(na)}; matched to a row: {(na['matched'] != '').sum()}")
print(na[na["matched"] == ""][["as_of", "site", "series"]].to_string(index=False))
