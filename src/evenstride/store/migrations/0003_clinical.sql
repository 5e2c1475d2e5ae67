-- SPDX-License-Identifier: MIT
-- evenstride store, schema version 3: the clinical side the athlete enters.
--
-- athlete_profile: per athlete, the AthleteProfile as JSON (dominant leg, injuries and
--                  surgeries, other sports, habits, body mass, leg lengths).
-- test_results:    one row per validated test result (evenstride.clinical.protocols): protocol
--                  key, side, value in the protocol's unit, extras as JSON, date.
-- symptoms:        one row per logged symptom: side, region, kind, severity 0–10, timing,
--                  optional run and onset, red-flag descriptors as a JSON list.

CREATE TABLE athlete_profile (
    athlete_id  INTEGER PRIMARY KEY REFERENCES athletes(id) ON DELETE CASCADE,
    profile     TEXT    NOT NULL CHECK (json_valid(profile)),
    updated_at  TEXT    NOT NULL
);

CREATE TABLE test_results (
    id          INTEGER PRIMARY KEY,
    athlete_id  INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    protocol    TEXT    NOT NULL CHECK (length(protocol) > 0),
    side        TEXT    NOT NULL CHECK (side IN ('left', 'right', 'both', 'none')),
    value       REAL    NOT NULL,
    unit        TEXT    NOT NULL,
    test_date   TEXT    NOT NULL CHECK (date(test_date) IS NOT NULL),
    extra       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(extra)),
    note        TEXT    NOT NULL DEFAULT '',
    entered_at  TEXT    NOT NULL
);
CREATE INDEX test_results_athlete ON test_results (athlete_id, protocol, test_date);

CREATE TABLE symptoms (
    id           INTEGER PRIMARY KEY,
    athlete_id   INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    symptom_date TEXT    NOT NULL CHECK (date(symptom_date) IS NOT NULL),
    side         TEXT    NOT NULL CHECK (side IN ('left', 'right', 'both', 'none')),
    region       TEXT    NOT NULL CHECK (length(region) > 0),
    kind         TEXT    NOT NULL CHECK (kind IN ('soreness', 'pain', 'tightness')),
    severity     INTEGER NOT NULL CHECK (severity >= 0 AND severity <= 10),
    timing       TEXT    NOT NULL CHECK (timing IN ('during', 'after', 'next_morning')),
    -- no foreign key: a symptom stays when its run is re-imported or removed
    activity_id  INTEGER,
    onset_km     REAL    CHECK (onset_km IS NULL OR onset_km >= 0),
    onset_min    REAL    CHECK (onset_min IS NULL OR onset_min >= 0),
    flags        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(flags)),
    note         TEXT    NOT NULL DEFAULT '',
    entered_at   TEXT    NOT NULL
);
CREATE INDEX symptoms_athlete ON symptoms (athlete_id, symptom_date);
