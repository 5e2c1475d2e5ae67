-- SPDX-License-Identifier: MIT
-- evenstride store, schema version 4: prescribed programs and how they went.
--
-- plans:        one row per prescribed program (evenstride.program/1 JSON); the newest
--               'active' plan of an athlete is the current one.
-- session_logs: one row per logged session of a plan: done or skipped, RPE and pain (0–10).
-- retests:      one row per retested measure: value before (from the plan's findings), after,
--               and the minimal detectable change used for the outcome check.

CREATE TABLE plans (
    id          INTEGER PRIMARY KEY,
    athlete_id  INTEGER NOT NULL REFERENCES athletes(id) ON DELETE CASCADE,
    created_at  TEXT    NOT NULL,
    start_date  TEXT    NOT NULL CHECK (date(start_date) IS NOT NULL),
    program     TEXT    NOT NULL CHECK (json_valid(program)),
    status      TEXT    NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'replaced', 'finished', 'stopped'))
);
CREATE INDEX plans_athlete ON plans (athlete_id, status, id);

CREATE TABLE session_logs (
    id                  INTEGER PRIMARY KEY,
    plan_id             INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    log_date            TEXT    NOT NULL CHECK (date(log_date) IS NOT NULL),
    done                INTEGER NOT NULL CHECK (done IN (0, 1)),
    rpe                 REAL    CHECK (rpe IS NULL OR rpe BETWEEN 0 AND 10),
    pain_during         REAL    CHECK (pain_during IS NULL OR pain_during BETWEEN 0 AND 10),
    pain_next_morning   REAL    CHECK (pain_next_morning IS NULL
                                       OR pain_next_morning BETWEEN 0 AND 10),
    note                TEXT    NOT NULL DEFAULT '',
    entered_at          TEXT    NOT NULL
);
CREATE INDEX session_logs_plan ON session_logs (plan_id, log_date);

CREATE TABLE retests (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    retest_date TEXT    NOT NULL CHECK (date(retest_date) IS NOT NULL),
    measure     TEXT    NOT NULL CHECK (length(measure) > 0),
    before      REAL,
    after       REAL,
    mdc         REAL    CHECK (mdc IS NULL OR mdc >= 0),
    note        TEXT    NOT NULL DEFAULT '',
    entered_at  TEXT    NOT NULL
);
CREATE INDEX retests_plan ON retests (plan_id, retest_date);
