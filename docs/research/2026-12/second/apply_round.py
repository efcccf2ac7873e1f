"""Apply this round's second readings to data/ (run once, from the repository root).

Inputs: the first readings (../dup_review.csv, ../target_rule.csv, ../*_new_*.csv) and the
second readers' files beside this script. Writes data/incidents.csv, data/sources.csv,
data/duplicate_review.csv and appends to data/corrections_2026-11.csv; prints the agreement
rates. Kept so the edit can be audited; re-running it on the edited data is refused.
"""

import csv
import sys
from pathlib import Path

R = Path("docs/research/2026-12")
S = R / "second"
DATA = Path("data")
URL_T = "https://www.ynetnews.com"


def read(p):
    with open(p, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(p, rows, fields):
    with open(p, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


inc = read(DATA / "incidents.csv")
src = read(DATA / "sources.csv")
ifields, sfields = list(inc[0]), list(src[0])
if any(r["event_id"].startswith("USF-71") for r in inc):
    sys.exit("already applied")
by_id = {r["event_id"]: r for r in inc}
corr = []


def log(eid, col, old, new, url, reason):
    corr.append(dict(event_id=eid, column=col, old_value=old, new_value=new, url=url, reason=reason))


# 1. Duplicate review: both readings, one decision per pair.
first = read(R / "dup_review.csv")
second = read(S / "dup_second_1.csv") + read(S / "dup_second_2.csv")
sec = {frozenset((r["event_id_a"], r["event_id_b"])): r for r in second}
review, agree = [], 0
for f in first:
    s = sec[frozenset((f["event_id_a"], f["event_id_b"]))]
    agree += f["decision"] == s["decision"]
    merged = f["decision"] == s["decision"] == "merged"
    if merged:
        reason = f"both readers: one attack; {s['reason']}"
    elif "doubt" in (f["decision"], s["decision"]):
        doubt = f if f["decision"] == "doubt" else s
        reason = (
            f"kept: no page shows the two reports are one attack (a reader doubted it: {doubt['reason']})"
        )
    else:
        reason = s["reason"] or f["reason"]
    review.append(
        dict(
            event_id_a=f["event_id_a"],
            event_id_b=f["event_id_b"],
            decision="merged" if merged else "kept",
            retired=s["event_id_a"]
            if merged and s["keep"] == s["event_id_b"]
            else (s["event_id_b"] if merged else ""),
            reason=reason,
            first_reader=f["decision"],
            second_reader=s["decision"],
            url=s["url"] or f["url"],
        )
    )
print(f"duplicate pairs: {len(first)}; readers agree on {agree} ({agree / len(first):.0%})")
retire = {r["retired"] for r in review if r["retired"]}
for eid in retire:
    keep = [r for r in review if r["retired"] == eid][0]
    other = keep["event_id_b"] if keep["event_id_a"] == eid else keep["event_id_a"]
    log(
        eid,
        "row",
        "present",
        "deleted",
        keep["url"],
        f"duplicate of {other} (duplicate review, both readers). Id not reused.",
    )

# 2. Target rule: the second reader opened the pages; their decision is applied.
t_first = {r["event_id"]: r for r in read(R / "target_rule.csv")}
t_second = read(S / "target_rule_second.csv")
t_agree = 0
remove = set(retire)
for r in t_second:
    eid, d = r["event_id"], r["decision"]
    proposed = t_first[eid]["proposed"] if eid in t_first and t_first[eid]["verdict"] == "doubt" else "keep"
    t_agree += proposed == d or (proposed == "disputed" and d == "disputed")
    row = by_id[eid]
    why = f"target rule (second reader): {r['reason']}"
    if d == "other" and row["target_type"] != "other":
        log(eid, "target_type", row["target_type"], "other", r["url"], why)
        row["target_type"] = "other"
    elif d == "disputed" and row["disputed"] != "true":
        log(eid, "disputed", row["disputed"], "true", r["url"], why)
        row["disputed"] = "true"
    elif d == "remove":
        log(eid, "row", "present", "deleted", r["url"], why + ". Id not reused.")
        remove.add(eid)
print(
    f"target rule: {len(t_second)} rows re-read; second reader agrees with the first's proposal on {t_agree}"
)

# 3. Candidate rows, with the second reader's changes.
cands, csrc = [], []
for stem in ("sohr", "quiet1", "quiet2"):
    cands += read(R / f"{stem}_new_incidents.csv")
    csrc += read(R / f"{stem}_new_sources.csv")
left_out = {
    "USF-7112": "its only page is not in the stored corpus (second reader)",
    "USF-7102": "its only page names no origin: no system documents it",
    "USF-7103": "its only page names no origin: no system documents it",
    "USF-7132": "a Turkish strike on a site with no sourced coordinates; outside this round",
}
fix = {
    ("USF-7108", "weapon"): "ied",
    ("USF-7124", "event_date"): "2022-05-19",
    ("USF-7124", "time_precision"): "1",
    ("USF-7128", "disputed"): "true",
    ("USF-7128", "munitions"): "2",
    (
        "USF-7128",
        "summary",
    ): "Reported rocket attack on Green Village late on 28 Jul, at least two rockets on its "
    "outskirts and coalition return fire; the Syrian Observatory said a drill with the SDF was under way",
    ("USF-7131", "confirmation"): "media",
}
page_fix = {
    ("USF-7101", "rsoe-edis"): ("state_media", "date;site;weapon;outcome"),
    ("USF-7113", "defence.pk"): ("state_media", None),
    ("USF-7114", "defence.pk"): ("state_media", None),
    ("USF-7116", ""): ("state_media", None),
    ("USF-7117", ""): ("state_media", None),
    ("USF-7126", ""): ("state_media", None),
    ("USF-7129", ""): ("us_official", None),
    ("USF-7130", ""): ("us_official", None),
}
added = []
for c in cands:
    eid = c["event_id"]
    if eid in left_out:
        continue
    for (e, col), v in fix.items():
        if e == eid:
            c[col] = v
    added.append({k: c.get(k, "") for k in ifields})
for s in csrc:
    if s["event_id"] in left_out:
        continue
    for (e, dom), (system, _) in page_fix.items():
        if e == s["event_id"] and dom in s["url"] and s["system"] == "unattributed":
            s["system"] = system
    inc_row = next(a for a in added if a["event_id"] == s["event_id"])
    s.setdefault("notes", "")
    csrc_row = {k: s.get(k, "") for k in sfields}
    src.append(csrc_row)
for a in added:
    log(
        a["event_id"],
        "row",
        "absent",
        "added",
        a["source_url"],
        "calm or Observatory re-search (issue 19); second reader: accept",
    )

inc = [r for r in inc if r["event_id"] not in remove] + added
src = [s for s in src if s["event_id"] not in remove]
write(DATA / "incidents.csv", inc, ifields)
write(DATA / "sources.csv", src, sfields)
write(DATA / "duplicate_review.csv", review, list(review[0]))
old = read(DATA / "corrections_2026-11.csv")
write(DATA / "corrections_2026-11.csv", old + corr, list(old[0]))
print(
    f"added {len(added)}, removed {len(remove)}, corrections logged {len(corr)}; left out {sorted(left_out)}"
)

# 4. Source systems, blind sample.
coded = {s["url"]: s for s in read(DATA / "sources.csv")}
blind = [b for b in read(S / "systems_blind_coded.csv") if "not found" not in b["note"].lower()]
same = sum(coded[b["url"]]["system"] == b["system"] for b in blind if b["url"] in coded)
print(f"systems: {len(blind)} pages found by the blind coder; same system on {same}")
