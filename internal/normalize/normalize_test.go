package normalize

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/ingest"
)

// moduleRoot walks up from the test's directory to the directory of go.mod.
func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// sharedFile returns the path of a file under /work/shared (the module's
// sibling shared/ folder), failing the test when it is missing.
func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(moduleRoot(t), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("required shared file %s is missing: %v", rel, err)
	}
	return p
}

// records reads up to max records (0: all) of a shared file with ingest.
func records(t testing.TB, rel string, max int) []ingest.Record {
	t.Helper()
	f, err := ingest.Open(sharedFile(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []ingest.Record
	errStop := errors.New("enough")
	err = ingest.Read(context.Background(), f, filepath.Base(rel), func(r ingest.Record) error {
		out = append(out, r)
		if max > 0 && len(out) == max {
			return errStop
		}
		return nil
	}, func(e ingest.RecordError) { t.Errorf("ingest %s: %v", rel, e) })
	if err != nil && !errors.Is(err, errStop) {
		t.Fatal(err)
	}
	return out
}

// goldenCase is one sample file normalised with format detection.
type goldenCase struct {
	name string // golden file name under testdata/golden
	file string // path under /work/shared
	max  int    // records to read, 0 for all
}

var goldenCases = []goldenCase{
	{"wazuh_aecid_ossec_insect", "samples/wazuh/aecid_ossec_insect_sample.jsonl", 0},
	{"wazuh_aecid_ossec_spiral_correlation", "samples/wazuh/aecid_ossec_spiral_correlation_sample.jsonl", 0},
	{"wazuh_indexer_hit", "samples/wazuh/wazuh-indexer_amazon-security-lake_wazuh-event.sample.json", 0},
	{"suricata_cptc2017_eve", "samples/suricata/cptc2017_eve_alerts.jsonl", 0},
	{"suricata_aecid_2020_eve", "samples/suricata/aecid_2020_eve_alerts_from_wazuh_full_log.jsonl", 0},
	{"suricata_ibm_qradar_docs", "samples/suricata/ibm_qradar_docs_suricata_eve_alert.json", 0},
	{"splunk_cptc2017_search_results", "samples/splunk/cptc2017_splunk_search_results_suricata.json", 0},
	{"splunk_webhook_docs", "samples/splunk/splunk_docs_webhook_alert_action_payload.json", 0},
	{"splunk_xsoar_es_notable", "samples/splunk/xsoar-content_splunk_es_notable_event.json", 0},
	{"splunk_xsoar_es_notable_two", "samples/splunk/xsoar-content_splunk_es_notable_two_events.json", 0},
	{"cptc2017_nationalteam1_first50", "data/alerts/cptc-2017/NationalTeam1.json.gz", 50},
}

type goldenEntry struct {
	Line   int          `json:"line"`
	Format string       `json:"format,omitempty"`
	Error  string       `json:"error,omitempty"`
	Alert  *alert.Alert `json:"alert,omitempty"`
}

func TestGolden(t *testing.T) {
	update := os.Getenv("UPDATE_GOLDEN") != ""
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			var entries []goldenEntry
			for _, r := range records(t, tc.file, tc.max) {
				e := goldenEntry{Line: r.Line}
				a, err := Normalize("auto", r.Data)
				if err != nil {
					e.Error = err.Error()
				} else {
					if !bytes.Equal(a.Raw, r.Data) {
						t.Errorf("line %d: Raw is not the record", r.Line)
					}
					if a.Time.Location() != nil && a.Time.Location().String() != "UTC" {
						t.Errorf("line %d: time %v not in UTC", r.Line, a.Time)
					}
					a.Raw = nil
					e.Format, e.Alert = a.Source, &a
				}
				entries = append(entries, e)
			}
			got, err := json.MarshalIndent(entries, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", tc.name+".golden")
			if update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; diff it after UPDATE_GOLDEN=1", path)
			}
		})
	}
}

// TestDetect is the detection table of record: every sample file under
// ../shared/samples (and the CPTC export) maps to the format that must claim
// each of its records, or to ErrUnknownFormat when none may. A sample file
// that is not in the table fails the test, so a new sample must be added.
func TestDetect(t *testing.T) {
	unknown := ""
	tests := map[string]string{
		"samples/wazuh/aecid_ossec_insect_sample.jsonl":                                                                 "wazuh",
		"samples/wazuh/aecid_ossec_spiral_correlation_sample.jsonl":                                                     "wazuh",
		"samples/wazuh/wazuh-indexer_amazon-security-lake_wazuh-event.sample.json":                                      "wazuh",
		"samples/suricata/cptc2017_eve_alerts.jsonl":                                                                    "suricata",
		"samples/suricata/aecid_2020_eve_alerts_from_wazuh_full_log.jsonl":                                              "suricata",
		"samples/suricata/ibm_qradar_docs_suricata_eve_alert.json":                                                      "suricata",
		"samples/splunk/cptc2017_splunk_search_results_suricata.json":                                                   "splunk",
		"samples/splunk/splunk_docs_webhook_alert_action_payload.json":                                                  "splunk",
		"samples/splunk/xsoar-content_splunk_es_notable_event.json":                                                     "splunk_notable",
		"samples/splunk/xsoar-content_splunk_es_notable_two_events.json":                                                "splunk_notable",
		"data/alerts/cptc-2017/NationalTeam1.json.gz":                                                                   "splunk",
		"samples/elastic/kibana_es_archive_alerts-security_8.1.0_first2docs.json":                                       "elastic",
		"samples/elastic/elastic-endpoint-package_endpoint_alerts_sample_event.json":                                    "elastic",
		"samples/crowdstrike_sentinelone/elastic-integrations_crowdstrike_falcon_stream_EppDetectionSummaryEvent.jsonl": "crowdstrike",
		"samples/crowdstrike_sentinelone/elastic-integrations_sentinelone_threats_api_v2.1.jsonl":                       "sentinelone",
		"samples/google_secops/elastic-integrations_google_secops_alert_v2_detections.jsonl":                            "google_secops",
		"samples/email_phishing/elastic-integrations_proofpoint_tap_clicks_permitted.jsonl":                             "proofpoint",
		"samples/email_phishing/elastic-integrations_proofpoint_tap_messages_delivered_subset.jsonl":                    "proofpoint",
		"samples/email_phishing/defender-xdr_api_incident_OfficeATP_user_reported_phish.docs_example.json":              "defender",
		"samples/email_phishing/secrl_SecurityAlert_MDO_email_alerts.csv":                                               "sentinel",
		"samples/sentinel_defender/secrl_SecurityAlert_sample.csv":                                                      "sentinel",
		"samples/sentinel_defender/secrl_SecurityIncident_all8.csv":                                                     "sentinel",
		"samples/sentinel_defender/msgraph_security_alerts_v2_list_response.docs_example.json":                          "msgraph",
		"samples/sentinel_defender/msgraph_security_incidents_list_response.docs_example.json":                          "msgraph",
		"samples/sentinel_defender/defender-xdr_api_list_incidents_response.docs_example.json":                          "defender",
		"samples/ocsf/aws_securityhub_guardduty.detection_finding_2004.ocsf.json":                                       "ocsf",
		"samples/ocsf/okta_threat_detected.detection_finding_2004.ocsf.json":                                            "ocsf",
		"samples/ocsf/prowler.detection_finding_2004.ocsf.json":                                                         "ocsf",
		"samples/ocsf/falco.security_finding_2001.ocsf.json":                                                            "ocsf",
		"samples/ocsf/qradar_offense.security_finding_2001.ocsf.json":                                                   "ocsf",
		"samples/ocsf/securityscorecard_malware.security_finding_2001.ocsf.json":                                        "ocsf",
		// Vendor-native payloads with no normaliser of their own: never guessed.
		"samples/ocsf/aws_securityhub_guardduty.raw.json":                      unknown,
		"samples/ocsf/okta_threat_detected.raw.json":                           unknown,
		"samples/ocsf/falco.raw.json":                                          unknown,
		"samples/ocsf/qradar_offense.raw.json":                                 unknown,
		"samples/cef_leef/azure-sentinel_withsecure_elements_cef_subset.txt":   "cef",
		"samples/cef_leef/azure-sentinel_radiflow_isid_syslog_cef_subset.txt":  "cef",
		"samples/cef_leef/rsyslog_tests_paloalto_panos_leef1.0_traffic.txt":    "leef",
		"samples/cef_leef/ibm_qradar_docs_trendmicro_deepsecurity_leef2.0.txt": "leef",
	}
	notSamples := map[string]bool{"PROVENANCE.md": true, "schemas/WEBHOOK_AND_API_FIELDS.md": true}

	root := sharedFile(t, "samples")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if _, ok := tests["samples/"+filepath.ToSlash(rel)]; !ok && !notSamples[filepath.ToSlash(rel)] {
			t.Errorf("sample %s is not in the detection table", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	files := make([]string, 0, len(tests))
	for f := range tests {
		files = append(files, f)
	}
	slices.Sort(files)
	for _, file := range files {
		want := tests[file]
		t.Run(filepath.Base(file), func(t *testing.T) {
			recs := records(t, file, 200)
			if len(recs) == 0 {
				t.Fatalf("no records in %s", file)
			}
			for _, r := range recs {
				f, err := Detect(r.Data)
				switch {
				case want == unknown && !errors.Is(err, ErrUnknownFormat):
					t.Errorf("line %d: Detect = %v, %v; want ErrUnknownFormat", r.Line, f, err)
				case want != unknown && (err != nil || f.Name() != want):
					t.Errorf("line %d: Detect = %v, %v; want %s", r.Line, f, err, want)
				}
			}
		})
	}
}

func TestNormalizeFormatSelection(t *testing.T) {
	eveLine := []byte(`{"timestamp":"2017-11-04T13:20:24.289881+0000","event_type":"alert","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","alert":{"signature_id":1,"signature":"x","severity":2}}`)
	tests := []struct {
		name    string
		format  string
		raw     []byte
		source  string
		wantErr error
	}{
		{"auto", "auto", eveLine, "suricata", nil},
		{"empty means auto", "", eveLine, "suricata", nil},
		{"named", "suricata", eveLine, "suricata", nil},
		{"not registered", "qradar", eveLine, "", ErrUnknownFormat},
		{"named but wrong shape", "wazuh", eveLine, "", nil},
		{"no format matches", "auto", []byte(`{"hello":"world"}`), "", ErrUnknownFormat},
		{"not an object", "auto", []byte(`[1,2]`), "", ErrUnknownFormat},
		{"eve flow is not an alert", "auto", []byte(`{"event_type":"flow","alert":{}}`), "", ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Normalize(tt.format, tt.raw)
			if tt.source == "" {
				if err == nil {
					t.Fatalf("Normalize succeeded with source %q, want an error", a.Source)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Source != tt.source || !bytes.Equal(a.Raw, tt.raw) || a.Tenant != "" {
				t.Errorf("got source %q tenant %q raw %q", a.Source, a.Tenant, a.Raw)
			}
		})
	}
}

func TestRegistry(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) {
		t.Errorf("Names() is not sorted: %v", names)
	}
	for _, want := range []string{"splunk", "suricata", "wazuh"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v, missing %s", names, want)
		}
	}
	for _, n := range Names() {
		f, ok := Lookup(n)
		if !ok || f.Name() != n {
			t.Errorf("Lookup(%q) = %v, %v", n, f, ok)
		}
	}
	if _, ok := Lookup("nope"); ok {
		t.Error("Lookup of an unregistered name succeeded")
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a name twice did not panic")
		}
	}()
	Register(suricata{})
}
