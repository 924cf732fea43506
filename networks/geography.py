"""Sweden's län and kommuner (SCB codes) from networks/data/kommuner.csv."""

import csv
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "kommuner.csv"


def read_rows():
    with DATA_FILE.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_geography(Lan, Kommun):
    """Create or update every län and kommun. Idempotent; takes the model classes so that
    migrations can pass their historical models."""
    rows = read_rows()
    lans = {}
    for row in rows:
        if row["lanskod"] not in lans:
            lan, _ = Lan.objects.update_or_create(code=row["lanskod"], defaults={"name": row["lan"]})
            lans[row["lanskod"]] = lan
    for row in rows:
        Kommun.objects.update_or_create(
            code=row["kommunkod"], defaults={"name": row["kommun"], "lan": lans[row["lanskod"]]}
        )
    return len(lans), len(rows)
