package update

// Defaults returns the upstream sources of the feeds Winnow's loaders read,
// the same data sets as the project's reference copies under shared/data
// (which are repacked as tar.gz; the updater stores what upstream serves).
// No digests are pinned because every feed changes daily or weekly.
//
//   - ipsum: IPsum, suspicious IPs with blacklist counts, one "IP<TAB>count"
//     line each (stamparm/ipsum, Unlicense), updated daily.
//   - tor: Tor exit node IPs, one per line (SecOps-Institute/Tor-IP-Addresses,
//     MIT); upstream has not been updated since 2024-02-27.
//   - maltrail: the stamparm/maltrail repository archive (MIT); the static
//     trails sit under maltrail-master/trails/static/.
//   - misp-warninglists: the MISP/misp-warninglists repository archive (CC0);
//     the lists sit under misp-warninglists-main/lists/<name>/list.json.
//   - asn: IPv4 range to AS number and organisation, CSV "start,end,asn,org"
//     (npm @ip-location-db/asn, CC BY 4.0: keep the attribution).
//   - country: IPv4 to country code, MaxMind DB format (npm
//     @ip-location-db/geo-whois-asn-country-mmdb, CC0). The package README
//     announces that npm publishing is deprecated in favour of GitHub
//     releases of sapics/ip-location-db; the jsDelivr URL works while the
//     last npm version stays published.
//
// GitHub archive URLs answer with a redirect to codeload.github.com, within
// Update's redirect limit. Sizes are capped well above today's files (the
// Maltrail archive is the largest, tens of MiB).
func Defaults() []Source {
	return []Source{
		{
			Name:     "ipsum",
			URL:      "https://raw.githubusercontent.com/stamparm/ipsum/master/ipsum.txt",
			File:     "ipsum.txt",
			MaxBytes: 64 << 20,
		},
		{
			Name:     "tor",
			URL:      "https://raw.githubusercontent.com/SecOps-Institute/Tor-IP-Addresses/master/tor-exit-nodes.lst",
			File:     "tor-exit-nodes.lst",
			MaxBytes: 16 << 20,
		},
		{
			Name: "maltrail",
			URL:  "https://github.com/stamparm/maltrail/archive/refs/heads/master.tar.gz",
			File: "maltrail.tar.gz",
		},
		{
			Name: "misp-warninglists",
			URL:  "https://github.com/MISP/misp-warninglists/archive/refs/heads/main.tar.gz",
			File: "misp-warninglists.tar.gz",
		},
		{
			Name:     "asn",
			URL:      "https://cdn.jsdelivr.net/npm/@ip-location-db/asn/asn-ipv4.csv",
			File:     "asn-ipv4.csv",
			MaxBytes: 256 << 20,
		},
		{
			Name:     "country",
			URL:      "https://cdn.jsdelivr.net/npm/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country-ipv4.mmdb",
			File:     "geo-whois-asn-country-ipv4.mmdb",
			MaxBytes: 128 << 20,
		},
	}
}
