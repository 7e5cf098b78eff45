"""The database's schema: tables, indexes and triggers as SQL text, and the vocabularies
its CHECK constraints enforce.

Kept apart from `triage.db` (connections and transactions) and `triage.migrations` (creating
a database and bringing an older one up to date) because it is data: a long text that
changes only with a schema version, read by `doctor` and the migration test too.
"""

from __future__ import annotations

import sqlite3

from rules.model import Outcome

SCHEMA_VERSION = 5

# What a pack can say (rules.model.Outcome) and what a reviewer can record.
OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)
DECISIONS: tuple[str, ...] = ("dismiss", "reduce", "not_eligible", "defer")

APPEND_ONLY = ("source_rows", "decisions", "notes", "audit", "audit_seals", "role_changes")

SCHEMA = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per distinct file content (sha256). A killed import leaves completed_at NULL and
-- is resumed by importing the same file again.
CREATE TABLE source_files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    encoding TEXT NOT NULL,
    size INTEGER NOT NULL,
    has_header INTEGER NOT NULL DEFAULT 0,
    column_map TEXT,
    first_imported_at TEXT NOT NULL,
    completed_at TEXT,
    rows_total INTEGER NOT NULL DEFAULT 0,
    rows_imported INTEGER NOT NULL DEFAULT 0,
    rows_duplicate INTEGER NOT NULL DEFAULT 0,
    rows_quarantined INTEGER NOT NULL DEFAULT 0
);

-- Every accepted record, with its original text and physical line number. The named
-- columns are trimmed copies of the fields the rules use; `raw` is the record as decoded.
-- `cyc_date` (CYC_DATE, the arrest cycle's date) came with schema 2: rows imported before
-- it hold '' and the rules fall back to the event date for them.
CREATE TABLE source_rows (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES source_files(id),
    line INTEGER NOT NULL,
    raw TEXT NOT NULL,
    row_hash TEXT NOT NULL UNIQUE,
    subject_id TEXT NOT NULL,
    cnt_order TEXT NOT NULL,
    stp_type TEXT NOT NULL,
    event_date TEXT NOT NULL,
    county TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    dob TEXT NOT NULL DEFAULT '',
    cii TEXT NOT NULL DEFAULT '',
    ofn TEXT NOT NULL DEFAULT '',
    offense_descr TEXT NOT NULL DEFAULT '',
    offense_toc TEXT NOT NULL DEFAULT '',
    disp_descr TEXT NOT NULL DEFAULT '',
    conv_stat TEXT NOT NULL DEFAULT '',
    sent_length TEXT NOT NULL DEFAULT '',
    sent_time_code TEXT NOT NULL DEFAULT '',
    comment_text TEXT NOT NULL DEFAULT '',
    convicted INTEGER NOT NULL DEFAULT 0,
    cyc_date TEXT NOT NULL DEFAULT '',
    UNIQUE (file_id, line)
);
CREATE INDEX source_rows_subject ON source_rows(subject_id, cnt_order);

-- An exact copy of an accepted row (same field values), seen again at file:line.
-- Counted, kept traceable, never doubled.
CREATE TABLE duplicate_rows (
    file_id INTEGER NOT NULL REFERENCES source_files(id),
    line INTEGER NOT NULL,
    row_id INTEGER NOT NULL REFERENCES source_rows(id),
    PRIMARY KEY (file_id, line)
);

-- Records that could not be accepted, with where and why. `raw` keeps the bytes as
-- text (undecodable bytes shown as \\x escapes) so nothing is ever dropped silently.
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    file_id INTEGER NOT NULL REFERENCES source_files(id),
    line INTEGER NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    UNIQUE (file_id, line)
);

CREATE TABLE people (
    subject_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    dob TEXT NOT NULL,
    cii TEXT NOT NULL,
    first_row_id INTEGER NOT NULL REFERENCES source_rows(id)
);
CREATE INDEX people_name ON people(name);
CREATE INDEX people_cii ON people(cii);

-- One per person and CNT_ORDER among convicted rows. Further convicted rows with the same
-- CNT_ORDER are sentence parts (`parts`); `conflicting` marks parts whose facts differ.
CREATE TABLE convictions (
    key TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL REFERENCES people(subject_id),
    cnt_order TEXT NOT NULL,
    first_row_id INTEGER NOT NULL REFERENCES source_rows(id),
    event_date TEXT NOT NULL,
    county TEXT NOT NULL,
    ofn TEXT NOT NULL DEFAULT '',
    offense_descr TEXT NOT NULL DEFAULT '',
    parts INTEGER NOT NULL DEFAULT 1,
    conflicting INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX convictions_subject ON convictions(subject_id);
CREATE INDEX convictions_ofn ON convictions(ofn);

-- Arrests, registrations, deaths and non-conviction court actions.
CREATE VIEW events AS
    SELECT id, subject_id, cnt_order, stp_type, event_date, county, offense_descr, comment_text
    FROM source_rows WHERE convicted = 0;

CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    pack_id TEXT NOT NULL,
    pack_title TEXT NOT NULL,
    pack_version TEXT NOT NULL,
    pack_hash TEXT NOT NULL,
    county TEXT NOT NULL,
    compute_at TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{{}}',
    started_at TEXT NOT NULL,
    finished_at TEXT,
    created_by TEXT NOT NULL,
    convictions INTEGER NOT NULL DEFAULT 0,
    seconds REAL
);

CREATE TABLE determinations (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    key TEXT NOT NULL REFERENCES convictions(key),
    subject_id TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN {OUTCOMES!r}),
    label TEXT NOT NULL,
    reason TEXT NOT NULL,
    step_id TEXT NOT NULL,
    citation TEXT NOT NULL DEFAULT '',
    flags TEXT NOT NULL DEFAULT '',
    forced_review INTEGER NOT NULL DEFAULT 0,
    suggested_outcome TEXT,
    suggested_label TEXT NOT NULL DEFAULT '',
    suggested_reason TEXT NOT NULL DEFAULT '',
    trace TEXT NOT NULL DEFAULT '[]',
    section TEXT NOT NULL DEFAULT '',
    felony INTEGER NOT NULL DEFAULT 0,
    conviction_date TEXT NOT NULL DEFAULT '',
    county TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, key)
);
CREATE INDEX determinations_outcome ON determinations(run_id, outcome, subject_id);
CREATE INDEX determinations_subject ON determinations(run_id, subject_id);

-- Reviewer decisions: append-only. Each entry records the state it leads to (`decision`,
-- NULL after undoing the first decision) and the state before it (`previous`). `version`
-- counts entries per conviction; UNIQUE(key, version) is what makes a lost update
-- impossible: two reviewers who both saw version 3 cannot both write version 4.
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('decide', 'undo')),
    decision TEXT CHECK (decision IS NULL OR decision IN {DECISIONS!r}),
    previous TEXT,
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    run_id INTEGER REFERENCES runs(id),
    suggested TEXT,
    batch TEXT,
    undoes INTEGER REFERENCES decisions(id),
    grounds TEXT NOT NULL DEFAULT '',
    note_id INTEGER REFERENCES notes(id),
    UNIQUE (key, version)
);
CREATE INDEX decisions_reviewer ON decisions(reviewer, created_at);
CREATE INDEX decisions_created ON decisions(created_at);

-- Latest decision per conviction, kept by a trigger so the queue can filter on it fast.
CREATE TABLE current_decisions (
    key TEXT PRIMARY KEY,
    subject_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    decision TEXT,
    reviewer TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    decision_id INTEGER NOT NULL REFERENCES decisions(id)
);
CREATE INDEX current_decisions_subject ON current_decisions(subject_id);

CREATE TRIGGER decisions_current AFTER INSERT ON decisions BEGIN
    INSERT INTO current_decisions (key, subject_id, version, decision, reviewer, decided_at,
                                   decision_id)
    VALUES (NEW.key, NEW.subject_id, NEW.version, NEW.decision, NEW.reviewer, NEW.created_at,
            NEW.id)
    ON CONFLICT (key) DO UPDATE SET
        version = excluded.version, decision = excluded.decision,
        reviewer = excluded.reviewer, decided_at = excluded.decided_at,
        decision_id = excluded.decision_id
    WHERE excluded.version > current_decisions.version;
END;

-- Notes on a person (key NULL) or on one conviction. Append-only.
CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    subject_id TEXT NOT NULL,
    key TEXT,
    reviewer TEXT NOT NULL,
    created_at TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX notes_subject ON notes(subject_id);

-- A reviewer's lease on a case (a person). Expired leases may be taken by anyone.
CREATE TABLE claims (
    subject_id TEXT PRIMARY KEY,
    reviewer TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX claims_reviewer ON claims(reviewer);

-- The audit trail: append-only and hash-chained (see triage/audit.py).
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '{{}}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
"""  # noqa: S608 - fixed constants, no user input


# Schema 4: who may do what, and where each reviewer left off. `role_changes` is
# append-only (a grant or a revoke is a fact, like a decision); an account's role is its
# latest row. `reviewer_state` is a reviewer's own convenience (saved filter, sort, last
# case), overwritten freely and never evidence of anything.
ACCOUNTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS role_changes (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('reviewer', 'supervisor', 'none')),
    changed_by TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS role_changes_account ON role_changes(account, id);
CREATE TABLE IF NOT EXISTS reviewer_state (
    reviewer TEXT PRIMARY KEY,
    state TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);
"""


# One seal per audit entry written while the office's audit key was at hand: an HMAC of the
# entry's hash under a key kept outside the database (see triage/auditkey.py). IF NOT EXISTS
# because databases made before seals get the table (empty) when opened.
SEALS_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_seals (
    entry_id INTEGER PRIMARY KEY REFERENCES audit(id),
    key_id TEXT NOT NULL,
    mac TEXT NOT NULL
);
"""


# Derived, rebuildable: one row per run, outcome ('*' = any) and person with matching
# convictions, so the review queue pages and counts over an index instead of grouping every
# determination on each screen. Filled by `triage.review.queue.refresh_cases`; `pending` is
# recounted for a person whenever one of their decisions changes. IF NOT EXISTS because
# databases made before it existed get it on first use. No foreign keys to runs: a failed
# run is deleted by the classifier, and `run_started_at` tells a reused run id apart.
CASES_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_cases (
    run_id INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    name TEXT NOT NULL,
    dob TEXT NOT NULL,
    cii TEXT NOT NULL,
    convictions INTEGER NOT NULL,
    pending INTEGER NOT NULL,
    label TEXT NOT NULL,
    reason TEXT NOT NULL,
    flags TEXT NOT NULL,
    county TEXT NOT NULL,
    first_date TEXT NOT NULL,
    PRIMARY KEY (run_id, outcome, subject_id)
);
CREATE INDEX IF NOT EXISTS review_cases_name ON review_cases(run_id, outcome, name, subject_id);
CREATE INDEX IF NOT EXISTS review_cases_date
    ON review_cases(run_id, outcome, first_date, subject_id);
CREATE INDEX IF NOT EXISTS review_cases_reason
    ON review_cases(run_id, outcome, reason, subject_id);
CREATE INDEX IF NOT EXISTS review_cases_county
    ON review_cases(run_id, outcome, county, subject_id);
CREATE INDEX IF NOT EXISTS review_cases_pending
    ON review_cases(run_id, outcome, pending, subject_id);
CREATE INDEX IF NOT EXISTS review_cases_subject ON review_cases(subject_id);
CREATE TABLE IF NOT EXISTS review_case_runs (
    run_id INTEGER PRIMARY KEY,
    run_started_at TEXT NOT NULL,
    refreshed_at TEXT NOT NULL,
    complete INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS determinations_key ON determinations(key);
CREATE INDEX IF NOT EXISTS decisions_undoes ON decisions(undoes);
CREATE INDEX IF NOT EXISTS current_decisions_reviewer ON current_decisions(reviewer);
"""


# Schema 5: views for people who read the file with other tools (`sqlite-utils rows`,
# Datasette), never read by triage itself. `review_status` is the supervisor's sheet: one
# row per conviction of the active run (`db.active_run_id`: the activated run, else the
# newest finished one) with what the run said and where review stands. Created through
# sqlite-utils (`migrations.create_views`), in a new database and by migration 4 -> 5.
VIEWS: dict[str, str] = {
    "review_status": """SELECT
    d.run_id, d.key, d.subject_id, p.name, p.dob, p.cii, d.county, d.conviction_date,
    d.section, c.offense_descr AS offense, d.outcome, d.label, d.reason, d.citation, d.flags,
    d.suggested_outcome AS suggestion, d.suggested_reason AS suggestion_reason,
    cd.decision, cd.version AS decision_version, cd.reviewer, cd.decided_at,
    coalesce(dec.grounds, '') AS grounds, n.text AS note
FROM determinations d
JOIN people p ON p.subject_id = d.subject_id
JOIN convictions c ON c.key = d.key
LEFT JOIN current_decisions cd ON cd.key = d.key
LEFT JOIN decisions dec ON dec.id = cd.decision_id
LEFT JOIN notes n ON n.id = dec.note_id
WHERE d.run_id = coalesce(
    (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'active_run'),
    (SELECT max(id) FROM runs WHERE finished_at IS NOT NULL))
ORDER BY d.key""",
}


def append_only_triggers() -> str:
    """The triggers that make APPEND_ONLY tables refuse UPDATE and DELETE."""
    parts = []
    for table in APPEND_ONLY:
        for op in ("UPDATE", "DELETE"):
            parts.append(
                f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} BEGIN "
                f"SELECT RAISE(ABORT, '{table} is append-only'); END;"
            )
    return "\n".join(parts)


def split(script: str) -> list[str]:
    """Split a schema script into statements, keeping trigger bodies whole."""
    statements: list[str] = []
    buf: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        buf.append(line)
        text = "\n".join(buf)
        if sqlite3.complete_statement(text):
            statements.append(text)
            buf = []
    if buf:
        statements.append("\n".join(buf))
    return statements


def create_script() -> str:
    """Everything a new database is made of, in order."""
    return SCHEMA + SEALS_SCHEMA + CASES_SCHEMA + ACCOUNTS_SCHEMA + append_only_triggers()
