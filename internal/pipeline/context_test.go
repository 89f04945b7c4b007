package pipeline

import (
	"testing"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/config"
)

func contextTenant() *config.Tenant {
	return &config.Tenant{
		ID: "t1",
		Assets: []config.Asset{
			{Name: "fin-lt-04", Criticality: "high", Owner: "c.martin", Tags: []string{"laptop"}},
			{Name: "fin-ws-02", Criticality: "medium", Owner: "c.martin", Tags: []string{"workstation"}},
			{Name: "erp-db-01", Criticality: "critical", Owner: "c.martin", Tags: []string{"production_database"}},
			{Name: "ws-shared", Criticality: "low", Owner: "finance", Tags: []string{"workstation"}},
			{Name: "mail01", IPs: []string{"10.0.0.25"}, Criticality: "high", Tags: []string{"mail"}},
		},
		Identities: []config.Identity{
			{User: "c.martin", VIP: true, Role: "executive"},
			{User: "root", Role: "admin"},
		},
	}
}

func TestAssetContextRecipientWorkstation(t *testing.T) {
	e := &Engine{}
	tn := contextTenant()
	email := func(to ...string) *alert.Email { return &alert.Email{From: "x@evil.test", To: to} }
	tests := []struct {
		name string
		a    alert.Alert
		want string
	}{
		{"recipient's most critical personal machine", alert.Alert{Entities: alert.Entities{Email: email("c.martin@corp.example.com")}}, "fin-lt-04"},
		{"unknown recipient", alert.Alert{Entities: alert.Entities{Email: email("nobody@corp.example.com")}}, ""},
		{"team-owned machines are nobody's", alert.Alert{Entities: alert.Entities{Email: email("finance@corp.example.com")}}, ""},
		{"a host in the alert wins", alert.Alert{Entities: alert.Entities{Hosts: []alert.Host{{Name: "mail01"}},
			Email: email("c.martin@corp.example.com")}}, "mail01"},
		{"not an email alert", alert.Alert{Entities: alert.Entities{Users: []alert.User{{Name: "c.martin"}}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.assetContext(tn, &tt.a, nil).Name; got != tt.want {
				t.Errorf("asset %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUserContextAuthFailureOnly(t *testing.T) {
	e := &Engine{}
	tn := contextTenant()
	root := []alert.User{{Name: "root"}}
	tests := []struct {
		name string
		a    alert.Alert
		want string
	}{
		{"failed logins involve no identity", alert.Alert{Title: "sshd: brute force trying to get access to the system. Authentication failed.",
			Rule: alert.Rule{ID: "5763", Tags: []string{"sshd", "authentication_failures"}}, Entities: alert.Entities{Users: root}}, ""},
		{"a success involves the account", alert.Alert{Title: "sshd: authentication success.",
			Rule: alert.Rule{ID: "5715", Tags: []string{"sshd", "authentication_success"}}, Entities: alert.Entities{Users: root}}, "root"},
		{"other alerts involve their users", alert.Alert{Title: "sudo to root", Entities: alert.Entities{Users: root}}, "root"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.userContext(tn, &tt.a).Name; got != tt.want {
				t.Errorf("user %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResponseAsset(t *testing.T) {
	e := &Engine{}
	tn := &config.Tenant{ID: "t1", Assets: []config.Asset{
		{Name: "mkt-ws-12", IPs: []string{"10.0.7.21"}, Criticality: "medium", Tags: []string{"workstation"}},
		{Name: "dc01", IPs: []string{"10.0.0.10"}, Criticality: "critical", Tags: []string{"domain_controller"}},
		{Name: "web-prod-01", IPs: []string{"10.0.1.20"}, Criticality: "high"},
	}}
	ep := func(ip string) []alert.Endpoint { return []alert.Endpoint{{IP: ip}} }
	tests := []struct {
		name      string
		a         alert.Alert
		wantScore string
		want      string
	}{
		{"lateral movement contains the source, not the server reached",
			alert.Alert{Entities: alert.Entities{Hosts: []alert.Host{{Name: "mkt-ws-12"}}, Src: ep("10.0.7.21"), Dst: ep("10.0.0.10")}},
			"dc01", "mkt-ws-12"},
		{"network alert from an internal source",
			alert.Alert{Entities: alert.Entities{Src: ep("10.0.7.21"), Dst: ep("10.0.0.10")}}, "dc01", "mkt-ws-12"},
		{"inbound attack falls back to the target",
			alert.Alert{Entities: alert.Entities{Src: ep("192.42.116.17"), Dst: ep("10.0.1.20")}}, "web-prod-01", "web-prod-01"},
		{"alert on the host itself",
			alert.Alert{Entities: alert.Entities{Hosts: []alert.Host{{Name: "web-prod-01"}}, Src: ep("192.42.116.17")}}, "web-prod-01", "web-prod-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := e.assetContext(tn, &tt.a, nil)
			if sc.Name != tt.wantScore {
				t.Errorf("scoring asset %q, want %q", sc.Name, tt.wantScore)
			}
			if got := e.responseAsset(tn, &tt.a, sc).Name; got != tt.want {
				t.Errorf("response asset %q, want %q", got, tt.want)
			}
		})
	}
}
