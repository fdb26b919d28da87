"""Copy the ElastiCache facts the engine needs into sizing/catalog/data/ (run by hand, committed).

    python scripts/import_reference.py ../shared/reference/elasticache

Reads the reference tables (node types, per-region prices and availability, regions) and
writes compact CSVs that name their sources. The engine reads only sizing/catalog/data/ at run time.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "sizing" / "catalog" / "data"


def main(reference: Path) -> None:
    node_rows = list(csv.DictReader((reference / "node_types.csv").open()))
    with (OUT / "node_types.csv").open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["node_type", "family", "vcpu", "vcpu_sourced", "memory_gib", "maxmemory_bytes",
                         "baseline_gbps", "burst_gbps", "data_tiering_ssd_gib", "engines",
                         "min_valkey_version", "min_redis_version"])
        for row in node_rows:
            sourced = row["vcpu"].isdigit()
            vcpu = row["vcpu"] if sourced else row["vcpu_hint_if_unsourced"].split("num_threads=")[1].split()[0]
            burst = row["burst_gbps"] if row["burst_gbps"] not in ("", "N/A") else row["baseline_gbps"]
            writer.writerow([row["node_type"], row["family"], vcpu, "yes" if sourced else "no", row["memory_gib"],
                             row["maxmemory_bytes"], row["baseline_gbps"], burst, row["data_tiering_ssd_gib"] or "0",
                             row["engines"], row["min_valkey_version"], row["min_redis_oss_version"]])
    with (OUT / "prices.csv").open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["region", "node_type", "listed_2026_10", "redis_usd_per_hour", "valkey_usd_per_hour"])
        for row in csv.DictReader((reference / "node_type_region_availability.csv").open()):
            writer.writerow([row["region"], row["node_type"], row["listed_in_price_list_2026_10"],
                             row["redis_usd_per_hour_2025_03_14"], row["valkey_usd_per_hour_2025_03_14"]])
    with (OUT / "parameters.csv").open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["family", "name", "allowed", "default", "modifiable", "change"])
        for row in csv.DictReader((reference / "parameters.csv").open()):
            writer.writerow([row["family"], row["name"], row["allowed_values_or_range"], row["default"],
                             row["modifiable"], row["reboot_required"]])
    with (OUT / "regions.csv").open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["region", "description", "global_datastore_supported"])
        for row in csv.DictReader((reference / "regions.csv").open()):
            writer.writerow([row["region"], row["description"], row["global_datastore_supported"]])


if __name__ == "__main__":
    main(Path(sys.argv[1]))
