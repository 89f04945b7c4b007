package intel

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/winnow-soc/winnow/alert"
)

func TestSmoke(t *testing.T) {
	d := "/work/shared/data/"
	feeds := []Feed{
		{Kind: Maltrail, Path: d + "intel/maltrail.tar.gz"},
		{Kind: IPsum, Path: d + "intel/ipsum.tar.gz"},
		{Kind: Tor, Path: d + "intel/tor.tar.gz"},
		{Kind: MISPWarninglists, Path: d + "intel/misp-warninglists.tar.gz"},
		{Kind: STIX, Path: d + "intel/unit42-playbooks.tar.gz"},
		{Kind: ASN, Path: d + "geo/asn-ipv4.tar.gz"},
		{Kind: MMDBCountry, Path: d + "geo/geo-whois-asn-country-ipv4.mmdb"},
	}
	for _, f := range feeds {
		st := time.Now()
		s, err := Load(context.Background(), []Feed{f})
		fmt.Println(f.Kind, time.Since(st), err, s.Status()[0].Entries)
	}
	st := time.Now()
	s, err := Load(context.Background(), feeds)
	fmt.Println("all", time.Since(st), err)
	for _, o := range []alert.Observable{{Type: "ipv4", Value: "8.8.8.8"}, {Type: "ipv4", Value: "185.142.236.226"}, {Type: "domain", Value: "a.tpddata.com"}, {Type: "ipv4", Value: "77.90.185.20"}, {Type: "domain", Value: "www.google.com"}, {Type: "url", Value: "http://tpddata.com/skins/skin-6.thm"},{Type: "domain", Value: "foo.duckdns.org"}} {
		fmt.Printf("%v: %+v\n", o, s.Lookup(nil, o))
	}
}
