"""Copy ElastiCache reserved-node prices into sizing/catalog/data/reserved_prices.csv (run by hand, committed).

    python scripts/import_reserved_prices.py GIT_DIR [COMMIT]

GIT_DIR is a clone of github.com/yeo/ec2.shop, whose data/elasticache/ keeps copies of
the AWS pricing page's price files (the same source, and by default the same commit,
951cd0d, as the on-demand prices in prices.csv). For every region in regions.csv and
each term, it reads the All Upfront offer of every node type and writes the effective
hourly rate (the upfront fee over the term's 8,760 hours a year) beside the on-demand
rate the same file quotes. The reserved offers carry no engine (they were published
before Valkey): they are the Redis OSS rates.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

OUT = Path(__file__).resolve().parent.parent / "sizing" / "catalog" / "data"
CLASSES = ("Memory optimized", "Standard", "Network optimized")
TERMS = {1: "1 year", 3: "3 year"}
HOURS_PER_YEAR = 8760
"""AWS prices terms in 365-day years."""


def main(git_dir: str, commit: str = "951cd0d") -> None:
    regions = [row["region"] for row in csv.DictReader((OUT / "regions.csv").open())]
    rows = []
    published = set()
    skipped: list[str] = []
    for region in regions:
        for years, term in TERMS.items():
            for kind in CLASSES:
                name = quote(f"elasticache-reservedinstance-{term}-All Upfront-{region}-{kind}.json")
                shown = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:data/elasticache/{name}"],
                                       capture_output=True, text=True, check=False)
                if shown.returncode != 0 or not shown.stdout.strip():
                    continue  # the region has no offers of that class (no file, or an empty one)
                try:
                    document = json.loads(shown.stdout)
                except json.JSONDecodeError:
                    skipped.append(name)  # a failed download kept as the file's content
                    continue
                published.add(document["manifest"]["hawkFilePublicationDate"][:10])
                for offers in document["regions"].values():
                    for offer in offers.values():
                        upfront = float(offer["riupfront:PricePerUnit"])
                        on_demand = float(offer["OnDemand:PricePerUnit"])
                        if upfront > 0 and on_demand > 0:
                            rows.append((region, offer["Instance Type"], years,
                                         round(upfront / (years * HOURS_PER_YEAR), 6), on_demand))
    with (OUT / "reserved_prices.csv").open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["region", "node_type", "term_years", "reserved_usd_per_hour", "on_demand_usd_per_hour"])
        writer.writerows(sorted(set(rows)))
    print(f"{len(set(rows))} offers, published {', '.join(sorted(published))}; {len(skipped)} files unreadable (no offers of that class there)")


if __name__ == "__main__":
    main(*sys.argv[1:])
