-- SPDX-License-Identifier: MIT
-- evenstride store, schema version 2: what the athlete enters, which no file holds.
--
-- shoe_info:   per athlete and gear name (the name as in activities.gear): type, heel-to-toe
--              drop, the distance at which to show a replacement reminder, retired flag.
-- session_rpe: per activity, the session RPE on the CR-10 scale (Foster 2001), with a note.
-- resting_hrv: per athlete and recording time, resting RMSSD from an R-R recording at rest
--              (a CSV of R-R intervals or a FIT file with hrv messages).

CREATE TABLE shoe_info (
    athlete_id  INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    type        TEXT    CHECK (type IS NULL OR type IN ('road', 'trail', 'track', 'racing')),
    drop_mm     REAL    CHECK (drop_mm IS NULL OR drop_mm >= 0),
    retire_km   REAL    CHECK (retire_km IS NULL OR retire_km > 0),
    retired     INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1)),
    updated_at  TEXT    NOT NULL,
    PRIMARY KEY (athlete_id, name)
) WITHOUT ROWID;

CREATE TABLE session_rpe (
    activity_id  INTEGER PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
    rpe          REAL    NOT NULL CHECK (rpe >= 0 AND rpe <= 10),
    note         TEXT,
    entered_at   TEXT    NOT NULL
);

CREATE TABLE resting_hrv (
    athlete_id   INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    recorded_at  TEXT    NOT NULL,   -- ISO 8601, UTC
    recorded_ts  REAL    NOT NULL,   -- seconds since the Unix epoch
    rmssd_ms     REAL    NOT NULL CHECK (rmssd_ms > 0),
    n_beats      INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    imported_at  TEXT    NOT NULL,
    PRIMARY KEY (athlete_id, recorded_ts)
) WITHOUT ROWID;
