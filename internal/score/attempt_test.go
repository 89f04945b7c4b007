package score

import (
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

func TestAuthFailureOnly(t *testing.T) {
	tests := []struct {
		name string
		a    *alert.Alert
		want bool
	}{
		{"nil alert", nil, false},
		{"wazuh 5763 sshd brute force", &alert.Alert{Title: "sshd: brute force trying to get access to the system. Authentication failed.",
			Rule: alert.Rule{ID: "5763", Tags: []string{"syslog", "sshd", "authentication_failures"}}}, true},
		{"wazuh 5710 invalid user", &alert.Alert{Title: "sshd: Attempt to login using a non-existent user",
			Rule: alert.Rule{ID: "5710", Tags: []string{"syslog", "sshd", "invalid_login", "authentication_failed"}}}, true},
		{"windows 4625 upper case group", &alert.Alert{Title: "Logon failure - Unknown user or bad password",
			Rule: alert.Rule{Tags: []string{"windows", "Authentication_Failed"}}}, true},
		{"wazuh 5715 sshd success", &alert.Alert{Title: "sshd: authentication success.",
			Rule: alert.Rule{ID: "5715", Tags: []string{"syslog", "sshd", "authentication_success"}}}, false},
		{"failures followed by a success", &alert.Alert{Title: "Multiple authentication failures followed by a success.",
			Rule: alert.Rule{ID: "40112", Tags: []string{"authentication_failures"}}}, false},
		{"failure tag with a success tag", &alert.Alert{Title: "sshd: brute force",
			Rule: alert.Rule{Tags: []string{"authentication_failures", "authentication_success"}}}, false},
		{"failure tag with valid accounts technique", &alert.Alert{Title: "login after failures",
			Rule: alert.Rule{Tags: []string{"authentication_failed"}}, Techniques: []string{"t1078.003"}}, false},
		{"brute force without failure tags", &alert.Alert{Title: "ET SCAN Rapid IMAP Connections - Possible Brute Force Attack"}, false},
		{"malware alert", &alert.Alert{Title: "AgentTesla", Rule: alert.Rule{Tags: []string{"virus"}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AuthFailureOnly(tt.a); got != tt.want {
				t.Errorf("AuthFailureOnly = %v, want %v", got, tt.want)
			}
		})
	}
}

func BenchmarkAuthFailureOnly(b *testing.B) {
	a := &alert.Alert{Title: "sshd: brute force trying to get access to the system. Authentication failed.",
		Rule: alert.Rule{ID: "5763", Tags: []string{"syslog", "sshd", "authentication_failures"}}}
	b.ReportAllocs()
	for b.Loop() {
		if !AuthFailureOnly(a) {
			b.Fatal("not an attempt")
		}
	}
}
