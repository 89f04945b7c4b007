package normalize

import "testing"

func TestDetectLEEF(t *testing.T) {
	syslogDetectTable(t, "leef", []string{
		"cef_leef/ibm_qradar_docs_trendmicro_deepsecurity_leef2.0.txt",
		"cef_leef/rsyslog_tests_paloalto_panos_leef1.0_traffic.txt",
	})
}
