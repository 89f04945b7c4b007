package normalize

import "testing"

// TestDetectSplunkNotable: the ES notables are splunk_notable and no
// other sample is; the search exports and the webhook body stay splunk.
func TestDetectSplunkNotable(t *testing.T) {
	own := map[string]bool{}
	for _, f := range splunkNotableSamples {
		own[f] = true
	}
	detectTable(t, "splunk_notable", own)
	detectTable(t, "splunk", map[string]bool{
		"samples/splunk/cptc2017_splunk_search_results_suricata.json":  true,
		"samples/splunk/splunk_docs_webhook_alert_action_payload.json": true,
	})
}
