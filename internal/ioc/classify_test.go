package ioc

import (
	"net/netip"
	"testing"
)

func TestClassifyIP(t *testing.T) {
	tests := []struct{ ip, want string }{
		{"127.0.0.1", "loopback"}, {"127.255.0.9", "loopback"}, {"::1", "loopback"},
		{"10.1.2.3", "private"}, {"172.16.0.1", "private"}, {"172.31.255.255", "private"},
		{"192.168.1.1", "private"}, {"100.64.0.1", "private"}, {"100.127.255.255", "private"},
		{"fd00::1", "private"}, {"fc00::1", "private"},
		{"169.254.1.1", "reserved"}, {"fe80::1", "reserved"}, {"224.0.0.251", "reserved"},
		{"ff02::1", "reserved"}, {"0.0.0.0", "reserved"}, {"::", "reserved"},
		{"0.1.2.3", "reserved"}, {"192.0.2.1", "reserved"}, {"198.51.100.7", "reserved"},
		{"203.0.113.200", "reserved"}, {"2001:db8::1", "reserved"}, {"240.0.0.1", "reserved"},
		{"255.255.255.255", "reserved"}, {"198.18.0.1", "reserved"}, {"198.19.255.255", "reserved"},
		{"8.8.8.8", "public"}, {"172.32.0.1", "public"}, {"100.128.0.1", "public"},
		{"198.20.0.1", "public"}, {"2606:4700::1111", "public"},
		{"::ffff:10.0.0.1", "private"}, {"::ffff:8.8.4.4", "public"},
	}
	for _, tc := range tests {
		t.Run(tc.ip, func(t *testing.T) {
			if got := ClassifyIP(netip.MustParseAddr(tc.ip)); got != tc.want {
				t.Errorf("ClassifyIP(%s) = %q, want %q", tc.ip, got, tc.want)
			}
		})
	}
	if got := ClassifyIP(netip.Addr{}); got != "reserved" {
		t.Errorf("ClassifyIP(zero) = %q, want reserved", got)
	}
}

func TestClassifyDomain(t *testing.T) {
	x := New(Options{InternalDomains: []string{"corp.example.com", " Branch.Example.NET. ", ""}})
	tests := []struct{ d, want string }{
		{"corp.example.com", "internal"}, {"ws1.CORP.example.com", "internal"},
		{"ws1.corp.example.com.", "internal"}, {"a.branch.example.net", "internal"},
		{"printer.local", "internal"}, {"db.internal", "internal"}, {"nas.lan", "internal"},
		{"router.home.arpa", "internal"}, {"local", "internal"},
		{"example.com", "external"}, {"evilcorp.example.com", "external"},
		{"corp.example.com.evil.org", "external"}, {"mylocal", "external"}, {"", "external"},
	}
	for _, tc := range tests {
		t.Run(tc.d, func(t *testing.T) {
			if got := x.ClassifyDomain(tc.d); got != tc.want {
				t.Errorf("ClassifyDomain(%q) = %q, want %q", tc.d, got, tc.want)
			}
		})
	}
}
