// Package pipeline wires Winnow's stages into one engine. It holds no
// triage logic itself: each stage lives in its own package and the engine
// calls them in a fixed order, so the whole pipeline can be built in a test.
//
//	          raw record (file, line, bytes)
//	                │
//	 ingest ──▶ normalize ──▶ ioc ──▶ enrich ──▶ attack ──▶ score ──▶ classify ──▶ decision
//	(framing)   (vendor →    (observ-  (offline   (ATT&CK    (factors   (verdict,
//	            alert.Alert)  ables)    intel,     techniques) 0-100)    disposition,
//	                                    assets,                          priority,
//	                                    identities)                      actions, reasoning)
//
// Invariants: Decide is deterministic for a given alert, configuration and
// content version, does no I/O, and is safe for concurrent use. Input order
// is preserved by Run even though records are decided in parallel.
package pipeline
