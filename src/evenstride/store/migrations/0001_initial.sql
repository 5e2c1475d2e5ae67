-- SPDX-License-Identifier: MIT
-- evenstride store, schema version 1.
--
-- One row per activity (and per metric×source, per drift series) so that history queries read
-- thousands of small rows; the per-second samples and the full evenstride.run/1 document live
-- in activity_blobs, one row per activity, written in the same transaction.
-- Times: *_ts columns are seconds since the Unix epoch (UTC); *_at / start_time are ISO 8601.

CREATE TABLE athletes (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    created_at  TEXT    NOT NULL
);

CREATE TABLE activities (
    id                  INTEGER PRIMARY KEY,
    athlete_id          INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    -- the file kept for this activity (the richest of its copies)
    sha256              TEXT    NOT NULL,
    source_name         TEXT    NOT NULL,
    file_format         TEXT,
    richness            INTEGER NOT NULL DEFAULT 0,
    -- what the run was
    start_time          TEXT,
    start_ts            REAL,
    duration_s          REAL    NOT NULL,
    distance_m          REAL,
    sport               TEXT,
    sub_sport           TEXT,
    indoor              INTEGER,
    devices             TEXT    NOT NULL DEFAULT '[]',   -- JSON list of strings
    name                TEXT,
    gear                TEXT,
    -- data quality (doc.quality)
    n_samples           INTEGER,
    analysed_s          REAL,
    running_share       REAL,
    steady_share        REAL,
    -- form (doc.form.cadence_speed)
    cadence_at_reference_spm  REAL,
    reference_speed_m_s       REAL,
    cadence_slope_spm_per_m_s REAL,
    low_cadence_share         REAL,
    -- load inputs (from the samples and labels, see docs/store.md)
    moving_s            REAL,
    running_s           REAL,
    mean_speed_m_s      REAL,
    ascent_m            REAL,
    hr_mean_bpm         REAL,
    hr_max_bpm          REAL,
    hr_s                REAL,
    -- counts
    n_asymmetry         INTEGER NOT NULL DEFAULT 0,
    n_findings          INTEGER NOT NULL DEFAULT 0,
    n_warnings          INTEGER NOT NULL DEFAULT 0,
    -- provenance
    doc_schema          TEXT    NOT NULL,
    evenstride_version  TEXT    NOT NULL,
    imported_at         TEXT    NOT NULL
);
CREATE INDEX activities_athlete_start ON activities(athlete_id, start_ts);
CREATE INDEX activities_athlete_gear ON activities(athlete_id, gear);

-- Every file ever imported for an activity: the kept one and the copies found to be the same
-- activity (another export, another format). Makes "same file twice" a lookup, not a decode.
CREATE TABLE files (
    athlete_id   INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    sha256       TEXT    NOT NULL,    -- of the file's bytes after gzip is unwrapped
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    source_name  TEXT    NOT NULL,
    file_format  TEXT,
    role         TEXT    NOT NULL CHECK (role IN ('kept', 'duplicate')),
    external_id  TEXT,                -- e.g. strava:4163856655
    imported_at  TEXT    NOT NULL,
    PRIMARY KEY (athlete_id, sha256)
) WITHOUT ROWID;
CREATE INDEX files_activity ON files(activity_id);

-- Files decoded and skipped for a reason (not running, too little running): a re-import of the
-- same export does not decode them again while the evenstride version is the same.
CREATE TABLE skipped_files (
    athlete_id          INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    sha256              TEXT    NOT NULL,
    source_name         TEXT    NOT NULL,
    reason              TEXT    NOT NULL,
    evenstride_version  TEXT    NOT NULL,
    seen_at             TEXT    NOT NULL,
    PRIMARY KEY (athlete_id, sha256)
) WITHOUT ROWID;

-- One row per activity × metric × source (doc.asymmetry[] plus its drift in doc.fatigue).
CREATE TABLE asymmetry (
    activity_id          INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    metric               TEXT    NOT NULL,
    source               TEXT    NOT NULL,
    unit                 TEXT,
    left_value           REAL,
    right_value          REAL,
    balance_left_pct     REAL,
    balance_ci_low       REAL,
    balance_ci_high      REAL,
    symmetry_angle_pct   REAL,
    symmetry_index_pct   REAL,
    log_ratio            REAL,
    difference           REAL,
    index_name           TEXT,       -- which index ci_low/ci_high/class refer to
    ci_low               REAL,
    ci_high              REAL,
    n                    INTEGER,
    n_steps              INTEGER,
    n_effective          REAL,
    is_real              INTEGER,    -- 1 / 0 / NULL (too little data)
    larger_side          TEXT,
    class                TEXT,
    evidence_grade       TEXT,
    derived_from_balance INTEGER,
    drift_slope_per_h    REAL,
    drift_slope_ci_low   REAL,
    drift_slope_ci_high  REAL,
    drift_onset_s        REAL,
    drift_quarter_difference REAL,
    drift_significant    INTEGER,
    PRIMARY KEY (activity_id, metric, source)
) WITHOUT ROWID;
CREATE INDEX asymmetry_metric ON asymmetry(metric, source);

-- One row per activity × drift series (doc.fatigue: asymmetry keys and bilateral series).
CREATE TABLE drift (
    activity_id          INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    series               TEXT    NOT NULL,
    unit                 TEXT,
    slope_per_h          REAL,
    slope_ci_low         REAL,
    slope_ci_high        REAL,
    first_quarter        REAL,
    last_quarter         REAL,
    quarter_difference   REAL,
    onset_s              REAL,
    significant          INTEGER,
    n_windows            INTEGER,
    PRIMARY KEY (activity_id, series)
) WITHOUT ROWID;

-- Large values, kept apart so that scans of activities never page through them.
CREATE TABLE activity_blobs (
    activity_id  INTEGER PRIMARY KEY REFERENCES activities(id) ON DELETE CASCADE,
    doc_codec    TEXT    NOT NULL,   -- 'zlib' (of UTF-8 JSON)
    doc          BLOB    NOT NULL,   -- the whole evenstride.run/1 document
    samples      BLOB    NOT NULL    -- columnar sample blob (evenstride.store._blob)
);
