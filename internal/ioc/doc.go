// Package ioc extracts canonical observables (IPs, domains, URLs, emails,
// hashes, CVEs) from alert text and structured fields, and classifies IPs and
// domains.
//
// Invariants: extraction is a pure function of its input and the Extractor's
// options (no I/O, deterministic order: first appearance in the text); it runs
// in time linear in the input with a hand-written single-pass scanner (no
// regular expressions); every value it reports is canonical (lower-case
// domains, hashes and email domains, refanged URLs with lower-case scheme and
// host, IPs in net/netip form without zone) and is accepted unchanged by
// Extractor.Add for the same type; text without observables allocates nothing.
//
// Domains are validated against the public suffix list
// (golang.org/x/net/publicsuffix): a candidate is a domain only when its
// suffix is ICANN-managed or a listed private suffix, or when it ends in a
// built-in or configured internal suffix. Because some file extensions are
// real TLDs (.zip, .mov, .sh, .py ...), a bare word such as "update.zip"
// found in free text is taken for a file name; it is reported as a domain
// only when it was defanged ("update[.]zip") or is the host of a URL or the
// domain of an email address. docs/adr/0002-public-suffix.md records why.
//
// Defanged forms are refanged before validation: hxxp, hxxps, fxp, [.], (.),
// {.}, [dot], (dot), [@], (@), [at], (at), [:], [://] and [/].
// IPv6 literals are validated with net/netip; an interface zone (%eth0) is
// dropped from the value, and a literal needs a decimal digit so that C++ and
// Perl names such as "a::b" are not taken for addresses. A hex run is a hash
// only at exactly 32, 40 or 64 digits between non-word bytes, so a SHA-512
// yields nothing. Internationalised (non-ASCII) domains are not extracted.
package ioc
