package enrich

import (
	"slices"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

func TestRelationsFromProviders(t *testing.T) {
	obs := []alert.Observable{
		{Type: alert.URL, Value: "http://evil.example.net/a.exe"},
		{Type: alert.URL, Value: "http://203.0.113.9:8080/x"},
		{Type: alert.IPv4, Value: "203.0.113.9", Findings: []alert.Finding{
			{Source: "asn", Categories: []string{"asn"}, Detail: "AS64500 Example Net"},
			{Source: "shodan", Categories: []string{"hostname:Mail.Example.NET", "asn:AS64500", "hostname:"}},
		}},
	}
	got := Relations(obs)
	want := []alert.Relation{
		{From: "ipv4:203.0.113.9", To: "asn:AS64500", Kind: "belongs_to", Source: "asn"},
		{From: "ipv4:203.0.113.9", To: "asn:AS64500", Kind: "belongs_to", Source: "shodan"},
		{From: "ipv4:203.0.113.9", To: "domain:mail.example.net", Kind: "resolves_from", Source: "shodan"},
		{From: "url:http://203.0.113.9:8080/x", To: "ipv4:203.0.113.9", Kind: "hosted_on", Source: "url"},
		{From: "url:http://evil.example.net/a.exe", To: "domain:evil.example.net", Kind: "hosted_on", Source: "url"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Relations =\n%+v\nwant\n%+v", got, want)
	}
}
