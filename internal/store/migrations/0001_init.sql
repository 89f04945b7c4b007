-- 0001: the initial schema. Times are Unix nanoseconds (UTC) in INTEGER
-- columns; model values are JSON in TEXT columns.

CREATE TABLE alerts (
	seq          INTEGER PRIMARY KEY AUTOINCREMENT,
	tenant       TEXT    NOT NULL,
	alert_id     TEXT    NOT NULL,
	time         INTEGER NOT NULL,
	received_at  INTEGER NOT NULL,
	decided_at   INTEGER NOT NULL,
	source       TEXT    NOT NULL,
	disposition  TEXT    NOT NULL,
	verdict      TEXT    NOT NULL,
	priority     TEXT    NOT NULL,
	score        INTEGER NOT NULL,
	alert        TEXT    NOT NULL,
	decision     TEXT    NOT NULL,
	UNIQUE (tenant, alert_id)
);
CREATE INDEX alerts_time ON alerts (tenant, time, seq);
CREATE INDEX alerts_disposition ON alerts (tenant, disposition, time, seq);
CREATE INDEX alerts_priority ON alerts (tenant, priority, time, seq);
-- No score index: a minimum score filters rows of a time-ordered scan, and
-- an index on score cannot give newest-first order.

CREATE TABLE entities (
	tenant TEXT    NOT NULL,
	kind   TEXT    NOT NULL,
	value  TEXT    NOT NULL,
	time   INTEGER NOT NULL,
	seq    INTEGER NOT NULL, -- alerts.seq; no foreign key, see below
	PRIMARY KEY (tenant, kind, value, time, seq)
) WITHOUT ROWID;
-- Entity rows are about 40% of the write cost (a dozen per alert), so they
-- carry only their primary key: a foreign key would need an index on seq
-- for deletes to be fast. The store writes them with their alert in one
-- transaction, and retention deletes them by time in the same transaction
-- as the alerts.

CREATE TABLE feedback (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	tenant      TEXT    NOT NULL,
	alert_id    TEXT    NOT NULL,
	time        INTEGER NOT NULL,
	analyst     TEXT    NOT NULL,
	verdict     TEXT    NOT NULL,
	disposition TEXT    NOT NULL,
	comment     TEXT    NOT NULL,
	FOREIGN KEY (tenant, alert_id) REFERENCES alerts (tenant, alert_id)
);
CREATE INDEX feedback_alert ON feedback (tenant, alert_id, id);
CREATE INDEX feedback_tenant ON feedback (tenant, id);

CREATE TABLE incidents (
	tenant   TEXT    NOT NULL,
	id       TEXT    NOT NULL,
	title    TEXT    NOT NULL,
	status   TEXT    NOT NULL,
	severity TEXT    NOT NULL,
	created  INTEGER NOT NULL,
	updated  INTEGER NOT NULL,
	body     TEXT,
	PRIMARY KEY (tenant, id)
);
CREATE INDEX incidents_updated ON incidents (tenant, updated);

CREATE TABLE incident_alerts (
	tenant      TEXT NOT NULL,
	incident_id TEXT NOT NULL,
	alert_id    TEXT NOT NULL,
	PRIMARY KEY (tenant, incident_id, alert_id),
	FOREIGN KEY (tenant, incident_id) REFERENCES incidents (tenant, id) ON DELETE CASCADE
);
CREATE INDEX incident_alerts_alert ON incident_alerts (tenant, alert_id);

CREATE TABLE enrichment_cache (
	provider   TEXT    NOT NULL,
	key        TEXT    NOT NULL,
	value      BLOB,
	negative   INTEGER NOT NULL,
	stored_at  INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (provider, key)
);
CREATE INDEX enrichment_cache_expires ON enrichment_cache (expires_at);

CREATE TABLE audit (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	tenant    TEXT    NOT NULL,
	time      INTEGER NOT NULL,
	kind      TEXT    NOT NULL,
	payload   BLOB    NOT NULL,
	prev_hash BLOB,
	hash      BLOB
);
CREATE INDEX audit_tenant ON audit (tenant, seq);

-- The audit log is append-only: the store refuses to change history even
-- when asked through raw SQL. The hash chain detects what these cannot stop
-- (an edit of the file itself).
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
-- INSERT OR REPLACE deletes the old row without firing the delete trigger
-- (recursive_triggers is off), so an insert may not reuse a sequence number.
CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
