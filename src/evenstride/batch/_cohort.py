# SPDX-License-Identifier: MIT
"""Cohort norms no anchor publishes: percentiles of each asymmetry metric in the lake, by speed
band, sex and age band (where an athletes table gives them) and by device — with DuckDB over
the summary Parquet, written as a transparent, versioned reference table
(``cohort/cohort-vN.json`` and ``.parquet``) that :mod:`evenstride.assessment.cohort` loads.

Method (one SQL statement, :data:`COHORT_SQL`):

1. Runs whose judgement is not "insufficient data", on any sport the lake calls running, and
   not a dropped copy in ``duplicates/`` (the same run from another export, the import's rule).
2. Per athlete and stratum: the median over that athlete's runs (so an athlete with 300 runs
   weighs as much as one with 3: the percentiles describe athletes, not files).
3. Per stratum: ``quantile_cont`` of those athlete medians at 5, 10, 25, 50, 75, 90, 95 %,
   with the number of athletes and runs. Strata of fewer than ``min_athletes`` athletes are left
   out of the table.

Values: ``balance_left_pct`` (signed, % left; channels that report a balance) and
``abs_index`` (|symmetry angle| in % for ratio-scale metrics, |left − right| in the metric's unit
otherwise — the value the assessment classifies).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import posixpath
from datetime import UTC, datetime
from typing import Any, Final

from evenstride.batch._lake import Lake
from evenstride.batch._unit import code_version
from evenstride.exceptions import UserInputError

COHORT_SCHEMA: Final = "evenstride.cohort/1"
QUANTILES: Final = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
#: Speed bands of the run's mean running speed (m/s): lower edges.
SPEED_EDGES: Final = (2.5, 3.0, 3.5, 4.0)
#: Age bands (years at the run): lower edges.
AGE_EDGES: Final = (30, 40, 50, 60)
DEFAULT_MIN_ATHLETES: Final = 5


def _band_sql(col: str, edges: tuple[float, ...], fmt: str) -> str:
    parts = [f"WHEN {col} IS NULL THEN 'unknown'", f"WHEN {col} < {edges[0]} THEN "
             f"'<{fmt.format(edges[0])}'"]
    for lo, hi in itertools.pairwise(edges):
        parts.append(f"WHEN {col} < {hi} THEN '{fmt.format(lo)}-{fmt.format(hi)}'")
    parts.append(f"ELSE '>={fmt.format(edges[-1])}'")
    return "CASE " + " ".join(parts) + " END"


_KEYS = "metric, source, index_name, value"
_SETS = [(), ("speed_band",), ("speed_band", "sex"), ("speed_band", "sex", "age_band"),
         ("sex",), ("sex", "age_band"), ("device",)]
_STRATA = ("speed_band", "sex", "age_band", "device")


def cohort_sql(summary_glob: str, athletes: str | None,
               duplicates_glob: str | None = None) -> str:
    """The statement (printed into the table's ``method.sql``); runs that ``duplicates/``
    names as dropped copies (the same run from another export) are left out."""
    speed = _band_sql("mean_speed_m_s", SPEED_EDGES, "{:.1f}")
    if athletes is not None:
        join = f"LEFT JOIN read_csv_auto('{athletes}', all_varchar=true) a USING (athlete_id)"
        sex = "COALESCE(NULLIF(upper(a.sex), ''), 'unknown')"
        age = _band_sql("(TRY_CAST(substr(s.start_time, 1, 4) AS INTEGER) "
                        "- TRY_CAST(a.birth_year AS INTEGER))", AGE_EDGES, "{:.0f}")
    else:
        join, sex, age = "", "'unknown'", "'unknown'"
    not_dup = ("" if duplicates_glob is None else
               f" AND s.sha256 NOT IN (SELECT dropped_sha256 FROM "
               f"read_parquet('{duplicates_glob}'))")
    sets = ", ".join("(" + ", ".join([_KEYS, "athlete_id", *s]) + ")" for s in _SETS)
    qs = ", ".join(str(q) for q in QUANTILES)
    return f"""
WITH runs AS (
  SELECT s.athlete_id, s.metric, s.source_channel AS source, s.index_name,
         COALESCE(s.device, 'unknown') AS device, {speed} AS speed_band, {sex} AS sex,
         {age} AS age_band, s.balance_left_pct,
         abs(CASE WHEN s.index_name = 'difference' THEN s.difference
                  ELSE s.symmetry_angle_pct END) AS abs_index
  FROM read_parquet('{summary_glob}') s {join}
  WHERE COALESCE(s.sport, 'running') = 'running' AND s.class <> 'insufficient data'{not_dup}
),
long AS (
  SELECT athlete_id, metric, source, index_name, device, speed_band, sex, age_band,
         'balance_left_pct' AS value, balance_left_pct AS x FROM runs
  WHERE balance_left_pct IS NOT NULL
  UNION ALL
  SELECT athlete_id, metric, source, index_name, device, speed_band, sex, age_band,
         'abs_index' AS value, abs_index AS x FROM runs WHERE abs_index IS NOT NULL
),
per_athlete AS (
  SELECT {_KEYS}, athlete_id, speed_band, sex, age_band, device,
         GROUPING(speed_band, sex, age_band, device) AS g,
         median(x) AS x, count(*) AS runs
  FROM long GROUP BY GROUPING SETS ({sets})
)
SELECT {_KEYS}, g, speed_band, sex, age_band, device,
       count(*) AS n_athletes, sum(runs)::BIGINT AS n_runs,
       quantile_cont(x, [{qs}]) AS q
FROM per_athlete GROUP BY {_KEYS}, g, speed_band, sex, age_band, device
ORDER BY {_KEYS}, g DESC, speed_band, sex, age_band, device
"""


def build_cohort(lake_url: str, *, athletes: str | None = None,
                 min_athletes: int = DEFAULT_MIN_ATHLETES) -> dict[str, Any]:
    """Compute the cohort table; write ``cohort/cohort-vN.json|.parquet`` when it differs from
    the latest version (a rerun on an unchanged lake writes nothing). Returns the table."""
    import duckdb

    lake = Lake(lake_url)
    protocols = lake.fs.protocol if isinstance(lake.fs.protocol, tuple) else (lake.fs.protocol,)
    if "file" not in protocols:
        raise UserInputError("the cohort runs on a local lake only here (DuckDB's httpfs "
                             "reads s3:// too; see docs/scale.md)", path=lake_url)
    if not lake.files("summary", ".parquet"):
        raise UserInputError("no summary rows in this lake (run 'evenstride batch' first)",
                             path=lake_url)
    glob = posixpath.join(lake.root, "summary", "*", "*.parquet")
    dglob = (posixpath.join(lake.root, "duplicates", "*", "*.parquet").replace("'", "''")
             if lake.files("duplicates", ".parquet") else None)
    sql = cohort_sql(glob.replace("'", "''"), None if athletes is None
                     else athletes.replace("'", "''"), dglob)
    try:
        con = duckdb.connect()
        res = con.execute(sql).fetchall()
        cols = [d[0] for d in con.description]
    except duckdb.Error as exc:
        raise UserInputError(f"cohort query failed ({' '.join(str(exc).split())})",
                             path=athletes or lake_url) from None
    rows = []
    for r in res:
        d = dict(zip(cols, r, strict=True))
        if d["n_athletes"] < min_athletes:
            continue
        g = int(d.pop("g"))
        row = {k: d[k] for k in ("metric", "source", "index_name", "value")}
        for i, k in enumerate(_STRATA):  # GROUPING bit set = not grouped by it = "all"
            row[k] = "all" if g & (1 << (len(_STRATA) - 1 - i)) else d[k]
        row["n_athletes"] = int(d["n_athletes"])
        row["n_runs"] = int(d["n_runs"])
        for q, v in zip(QUANTILES, d["q"], strict=True):
            row[f"p{round(q * 100):02d}"] = round(float(v), 4)
        rows.append(row)
    body = {"quantiles": list(QUANTILES), "speed_edges_m_s": list(SPEED_EDGES),
            "age_edges_years": list(AGE_EDGES), "min_athletes": min_athletes, "rows": rows}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    existing = lake.files("cohort", ".json")
    latest = lake.read_json(existing[-1]) if existing else None
    if latest is not None and latest.get("content_sha256") == digest:
        return dict(latest)
    n = 1 + max((int(posixpath.basename(p)[len("cohort-v"):-len(".json")]) for p in existing),
                default=0)
    table = {
        "schema": COHORT_SCHEMA,
        "version": f"v{n}",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "content_sha256": digest,
        "source": "evenstride cohort: the runs of this lake (not a published reference)",
        "method": {
            "per_athlete": "median over the athlete's runs in the stratum",
            "across_athletes": "quantile_cont (linear interpolation)",
            "excluded": "runs judged 'insufficient data'; non-running sports; the dropped "
                        "copies of duplicates/ (the same run from another export)",
            "sql": " ".join(sql.split()),
        },
        **body,
    }
    import pyarrow as pa
    import pyarrow.parquet as pq

    lake.write_json(lake.path("cohort", f"cohort-v{n:04d}.json"), table)
    buf = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pylist(rows), buf)
    lake._put(lake.path("cohort", f"cohort-v{n:04d}.parquet"), buf.getvalue().to_pybytes())
    return table
