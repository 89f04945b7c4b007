-- Online enrichment quota counters: one row per provider and period
-- ("day:2026-11-23", "month:2026-11"), so a restart does not reset them.
CREATE TABLE enrichment_quota (
	provider TEXT    NOT NULL,
	period   TEXT    NOT NULL,
	used     INTEGER NOT NULL,
	PRIMARY KEY (provider, period)
);
