// Package aitads converts the AIT Alert Data Set (AIT-ADS; Landauer et al.,
// "Introducing a New Alert Data Set for Multi-Step Attack Analysis",
// CSET 2024, CC BY 4.0, doi:10.5281/zenodo.8263181) from its CSV form back
// into native Wazuh alerts.json lines plus a labels file, so that the real
// Wazuh normaliser and the whole pipeline can be measured on it.
//
// Invariants: the output is a pure function of the input bytes and the
// scenario name; every data row yields exactly one alert line and one label
// row, in input order, with the alert ID "<scenario>-<row>" (1-based data
// row); Wazuh rule IDs, levels, groups and MITRE IDs come only from the
// cited official ruleset table (rules.go); AMiner alerts and names no table
// covers get documented, non-numeric placeholder rule IDs ("aminer:<short>",
// "aminer", "unmapped") and the latter are counted in Stats.Unmapped. The
// dataset's ip column is the address of the host that raised the alert, so
// it becomes agent.ip, never data.srcip; full_log is never invented.
package aitads
