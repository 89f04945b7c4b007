package aitads

// AMiner (github.com/ait-aecid/logdata-anomaly-miner) is an anomaly detector,
// not a Wazuh rule, and the AIT-ADS documentation names no Wazuh rule IDs for
// its alerts. Winnow therefore gives each AMiner detector a documented
// placeholder rule: ID "aminer:<short>", where <short> is the dataset's own
// short label for the detector (the `short` column), a level of
// aminerLevel, and the groups "aminer" plus the log source the detector
// watches. None of this is an official Wazuh value, and the IDs are
// deliberately not numeric so that they cannot be mistaken for one.

// aminerLevel is Winnow's placeholder Wazuh level for AMiner alerts: an
// unsupervised "something new or unusual" signal ranks with Wazuh's level 5
// rules (single 400 errors, single failed logins), not with its attack rules.
const aminerLevel = 5

// aminerDetector is one AMiner detector as it appears in AIT-ADS.
type aminerDetector struct {
	Short  string // AIT-ADS short label
	Source string // Wazuh-style group naming the watched log
}

// aminerDetectors maps the description after "AMiner: " to its detector; the
// short labels are the ones the dataset itself assigns.
var aminerDetectors = map[string]aminerDetector{
	"New characters in Apache Access referer.":                         {"A-Acc-Chr1", "apache_access"},
	"New characters in Apache Access request.":                         {"A-Acc-Chr2", "apache_access"},
	"Unusual occurrence frequencies of Apache Access request methods.": {"A-Acc-Clc", "apache_access"},
	"High entropy in Apache Access referer.":                           {"A-Acc-Ent1", "apache_access"},
	"High entropy in Apache Access request.":                           {"A-Acc-Ent2", "apache_access"},
	"High entropy in Apache Access user agent.":                        {"A-Acc-Ent3", "apache_access"},
	"Unusual occurrence frequencies of Apache Access logs.":            {"A-Acc-Frq", "apache_access"},
	"New request method in Apache Access log.":                         {"A-Acc-Val1", "apache_access"},
	"New status code in Apache Access log.":                            {"A-Acc-Val2", "apache_access"},
	"New event type.":                                                  {"A-All-Evt", "all_logs"},
	"New apparmor parameter combination in Audit logs.":                {"A-Aud-Com1", "audit"},
	"New cred_acq parameter combination in Audit logs.":                {"A-Aud-Com2", "audit"},
	"New cred_disp parameter combination in Audit logs.":               {"A-Aud-Com2", "audit"},
	"New cred_refr parameter combination in Audit logs.":               {"A-Aud-Com2", "audit"},
	"New login parameter combination in Audit logs.":                   {"A-Aud-Com3", "audit"},
	"New service_start parameter combination in Audit logs.":           {"A-Aud-Com4", "audit"},
	"New service_stop parameter combination in Audit logs.":            {"A-Aud-Com4", "audit"},
	"New syscall parameter combination in Audit logs.":                 {"A-Aud-Com5", "audit"},
	"New user_acct parameter combination in Audit logs.":               {"A-Aud-Com6", "audit"},
	"New user_auth parameter combination in Audit logs.":               {"A-Aud-Com6", "audit"},
	"New user_cmd parameter combination in Audit logs.":                {"A-Aud-Com6", "audit"},
	"New user_end parameter combination in Audit logs.":                {"A-Aud-Com6", "audit"},
	"New user_login parameter combination in Audit logs.":              {"A-Aud-Com6", "audit"},
	"New user_start parameter combination in Audit logs.":              {"A-Aud-Com6", "audit"},
	"New characters in DNS domain.":                                    {"A-Dns-Chr", "dns"},
	"Unusual occurrence frequencies of DNS log events.":                {"A-Dns-Clc1", "dns"},
	"Unusual occurrence frequencies of DNS query IPs.":                 {"A-Dns-Clc2", "dns"},
	"Unusual occurrence frequencies of DNS query records.":             {"A-Dns-Clc3", "dns"},
	"High entropy in DNS domain.":                                      {"A-Dns-Ent", "dns"},
	"Unusual occurrence frequencies of query records in DNS logs.":     {"A-Dns-Frq", "dns"},
	"New ip address in DNS logs.":                                      {"A-Dns-Val1", "dns"},
	"New query record in DNS logs.":                                    {"A-Dns-Val2", "dns"},
	"CPU value deviates from average in monitoring logs.":              {"A-Mon-Avg", "monitoring"},
	"CPU value out of expected range in monitoring logs.":              {"A-Mon-Rng", "monitoring"},
}
