package aitads

// wazuhRule is one rule of the official Wazuh ruleset, copied from its XML
// definition: Parent is the name attribute of the enclosing <group> element
// and Own the rule's own <group> text, both verbatim, so that every entry can
// be checked against the cited file. Wazuh splits the compliance tags
// (pci_dss_*, gdpr_*, ...) out of the groups into their own alert fields;
// compile does the same.
type wazuhRule struct {
	ID      string
	Level   int
	Parent  string
	Own     string
	Mitre   []string
	Decoder string // decoder name when the rule chain pins one (decoded_as)
}

// wazuhRules maps the rule description, as it appears after "Wazuh: " in the
// AIT-ADS name column, to its rule. Sources are files of
// github.com/wazuh/wazuh ruleset/rules at the commit given. Where two rules
// share a description the choice is explained beside the entry.
var wazuhRules = map[string]wazuhRule{
	// ruleset/rules/0240-ids_rules.xml @ 1d1693968f7bae1cfaba63b91d95cb5f4d99181f
	"First time this IDS alert is generated.": {ID: "20100", Level: 8, Parent: "ids,", Own: "fts,"},
	"IDS event.": {ID: "20101", Level: 6, Parent: "ids,"},
	"Multiple IDS events from same source ip.": {ID: "20151", Level: 10, Parent: "ids,",
		Own: "pci_dss_10.6.1,pci_dss_11.4,gdpr_IV_35.7.d,hipaa_164.312.b,nist_800_53_AU.6,nist_800_53_SI.4,tsc_CC7.2,tsc_CC7.3,tsc_CC6.1,tsc_CC6.8,"},
	"Multiple IDS alerts for same id.": {ID: "20152", Level: 10, Parent: "ids,",
		Own: "pci_dss_10.6.1,pci_dss_11.4,gdpr_IV_35.7.d,hipaa_164.312.b,nist_800_53_AU.6,nist_800_53_SI.4,tsc_CC7.2,tsc_CC7.3,tsc_CC6.1,tsc_CC6.8,"},
	// 20161 and 20162 have two <description> elements that Wazuh concatenates.
	"Multiple IDS events from same source ip (ignoring now this srcip and id).": {ID: "20161", Level: 11, Parent: "ids,", Own: "gdpr_IV_35.7.d,"},
	"Multiple IDS alerts for same id (ignoring now this id).":                   {ID: "20162", Level: 11, Parent: "ids,", Own: "gdpr_IV_35.7.d,"},

	// ruleset/rules/0245-web_rules.xml @ 332a8bc262dd48767075ca9e4438aadbcb82934d
	"Web server 400 error code.": {ID: "31101", Level: 5, Parent: "web,accesslog,",
		Own: "attack,pci_dss_6.5,pci_dss_11.4,gdpr_IV_35.7.d,nist_800_53_SA.11,nist_800_53_SI.4,tsc_CC6.6,tsc_CC7.1,tsc_CC8.1,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"Common web attack.": {ID: "31104", Level: 6, Parent: "web,accesslog,", Mitre: []string{"T1055", "T1083", "T1190"},
		Own: "attack,pci_dss_6.5,pci_dss_11.4,pci_dss_6.5.1,gdpr_IV_35.7.d,nist_800_53_SA.11,nist_800_53_SI.4,tsc_CC6.6,tsc_CC7.1,tsc_CC8.1,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"Web server 500 error code (Internal Error).": {ID: "31122", Level: 5, Parent: "web,accesslog,", Own: "system_error,"},
	// Two <description> elements, concatenated by Wazuh.
	"Multiple web server 400 error codes from same source ip.": {ID: "31151", Level: 10, Parent: "web,accesslog,", Mitre: []string{"T1595.002"},
		Own: "web_scan,recon,pci_dss_6.5,pci_dss_11.4,gdpr_IV_35.7.d,nist_800_53_SA.11,nist_800_53_SI.4,tsc_CC6.6,tsc_CC7.1,tsc_CC8.1,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},

	// ruleset/rules/0270-web_appsec_rules.xml @ 08b749bbaeff2dfec0d3b779030b5835a67ce60f
	"CMS (WordPress or Joomla) login attempt.": {ID: "31509", Level: 3, Parent: "web,appsec,attack,",
		Own: "pci_dss_6.5,pci_dss_11.4,pci_dss_6.5.10,pci_dss_10.2.4,pci_dss_10.2.5,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_SA.11,nist_800_53_SI.4,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.6,tsc_CC7.1,tsc_CC8.1,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"Suspicious URL access.": {ID: "31516", Level: 6, Parent: "web,appsec,attack,", Mitre: []string{"T1055"},
		Own: "pci_dss_6.5,pci_dss_11.4,gdpr_IV_35.7.d,nist_800_53_SA.11,nist_800_53_SI.4,tsc_CC6.6,tsc_CC7.1,tsc_CC8.1,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},

	// ruleset/rules/0250-apache_rules.xml @ 023335b9925b546f5ab68edca8c5eb85ab383b08.
	// Both descriptions exist twice: 30105/30106 for Apache 2.2 error logs and
	// 30305/30306 for Apache 2.4 (AH01630, AH01276). The AIT testbed's web
	// servers run Apache 2.4 on Ubuntu, so the 2.4 rules are the ones that fired.
	"Apache: Attempt to access forbidden file or directory.": {ID: "30305", Level: 5, Parent: "apache,web,", Decoder: "apache-errorlog",
		Own: "access_denied,pci_dss_6.5.8,pci_dss_10.2.4,gdpr_IV_35.7.d,hipaa_164.312.b,nist_800_53_SA.11,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.6,tsc_CC7.1,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"Apache: Attempt to access forbidden directory index.": {ID: "30306", Level: 5, Parent: "apache,web,", Decoder: "apache-errorlog", Mitre: []string{"T1190"},
		Own: "access_denied,pci_dss_6.5.8,pci_dss_10.2.4,gdpr_IV_35.7.d,hipaa_164.312.b,nist_800_53_SA.11,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.6,tsc_CC7.1,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},

	// ruleset/rules/0155-dovecot_rules.xml @ 82a22d72d15e9873c0ab7591099e04051dd1e8de
	"Dovecot Authentication Success.": {ID: "9701", Level: 3, Parent: "dovecot,", Decoder: "dovecot", Mitre: []string{"T1078"},
		Own: "authentication_success,pci_dss_10.2.5,gpg13_7.1,gpg13_7.2,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	// 9771 has the same description for the dovecot-info decoder; 9705
	// (decoder dovecot) is the one the brute-force rule 9751 counts.
	"Dovecot Invalid User Login Attempt.": {ID: "9705", Level: 5, Parent: "dovecot,", Decoder: "dovecot",
		Own: "invalid_login,authentication_failed,pci_dss_10.2.4,pci_dss_10.2.5,gpg13_7.1,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"Dovecot brute force attack (multiple auth failures).": {ID: "9751", Level: 10, Parent: "dovecot,", Decoder: "dovecot", Mitre: []string{"T1110"},
		Own: "authentication_failures,pci_dss_10.2.4,pci_dss_10.2.5,pci_dss_11.4,gpg13_7.1,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,nist_800_53_SI.4,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},

	// ruleset/rules/0320-clam_av_rules.xml @ 1216676a84d208e68f7c913689a3b8b7216b57d6
	"ClamAV database update": {ID: "52507", Level: 3, Parent: "clamd,freshclam,", Decoder: "freshclam",
		Own: "virus,pci_dss_5.2,gpg13_4.4,gdpr_IV_35.7.d,nist_800_53_SI.3,tsc_A1.2,"},

	// ruleset/rules/0085-pam_rules.xml @ 27997ffd76ea187a238708dbd974ede8d88dc604
	"PAM: Login session opened.": {ID: "5501", Level: 3, Parent: "pam,syslog,", Decoder: "pam", Mitre: []string{"T1078"},
		Own: "authentication_success,pci_dss_10.2.5,gpg13_7.8,gpg13_7.9,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"PAM: Login session closed.": {ID: "5502", Level: 3, Parent: "pam,syslog,", Decoder: "pam",
		Own: "pci_dss_10.2.5,gpg13_7.8,gpg13_7.9,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"PAM: User login failed.": {ID: "5503", Level: 5, Parent: "pam,syslog,", Decoder: "pam", Mitre: []string{"T1110.001"},
		Own: "authentication_failed,pci_dss_10.2.4,pci_dss_10.2.5,gpg13_7.8,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"PAM: Multiple failed logins in a small period of time.": {ID: "5551", Level: 10, Parent: "pam,syslog,", Decoder: "pam", Mitre: []string{"T1110"},
		Own: "authentication_failures,pci_dss_10.2.4,pci_dss_10.2.5,pci_dss_11.4,gpg13_7.8,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,nist_800_53_SI.4,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},

	// ruleset/rules/0095-sshd_rules.xml @ 01cf495416025ea1bb3388c2702b7269e2a353a7
	"sshd: insecure connection attempt (scan).": {ID: "5706", Level: 6, Parent: "syslog,sshd,", Decoder: "sshd", Mitre: []string{"T1021.004"},
		Own: "recon,pci_dss_11.4,gpg13_4.12,gdpr_IV_35.7.d,nist_800_53_SI.4,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"sshd: authentication success.": {ID: "5715", Level: 3, Parent: "syslog,sshd,", Decoder: "sshd", Mitre: []string{"T1021"},
		Own: "authentication_success,pci_dss_10.2.5,gpg13_7.1,gpg13_7.2,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},

	// ruleset/rules/0020-syslog_rules.xml @ 04021c4b76eb700b91286f7ac47dff0baa978147.
	// T1169 (Sudo) is what the ruleset says; ATT&CK has since replaced it
	// with T1548.003.
	"syslog: User authentication failure.": {ID: "2501", Level: 5, Parent: "syslog,access_control,",
		Own: "authentication_failed,pci_dss_10.2.4,pci_dss_10.2.5,gpg13_7.8,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.1,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"User successfully changed UID.": {ID: "5304", Level: 3, Parent: "syslog,su,", Decoder: "su", Mitre: []string{"T1078"},
		Own: "authentication_success,pci_dss_10.2.5,gpg13_7.6,gpg13_7.8,gdpr_IV_35.7.d,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"Successful sudo to ROOT executed.": {ID: "5402", Level: 3, Parent: "syslog,sudo,", Decoder: "sudo", Mitre: []string{"T1169"},
		Own: "pci_dss_10.2.5,pci_dss_10.2.2,gpg13_7.6,gpg13_7.8,gpg13_7.13,gdpr_IV_32.2,hipaa_164.312.b,nist_800_53_AU.14,nist_800_53_AC.7,nist_800_53_AC.6,tsc_CC6.8,tsc_CC7.2,tsc_CC7.3,"},
	"First time user executed sudo.": {ID: "5403", Level: 4, Parent: "syslog,sudo,", Decoder: "sudo", Mitre: []string{"T1169"}},

	// ruleset/rules/0365-auditd_rules.xml @ 266a89b4dddcdb2b17c9d43fa964d11dd75b9c49
	"Auditd: SELinux permission check.": {ID: "80730", Level: 3, Parent: "audit,", Decoder: "auditd",
		Own: "audit_selinux,gdpr_IV_30.1.g,gdpr_IV_35.7.d,hipaa_164.312.b,nist_800_53_AU.6,pci_dss_10.6.1,tsc_CC7.2,tsc_CC7.3,"},
}

// suricataRule is rule 86601 of ruleset/rules/0475-suricata_rules.xml
// @ 304c90783f3182d5744ab6cf433a4bbb1b81fa51, description
// "Suricata: Alert - $(alert.signature)" (the Wazuh 4.x release the AIT
// testbed ran wrote it without the trailing dot that commit adds). Every
// "Suricata: Alert - <signature>" row maps to it.
var suricataRule = wazuhRule{ID: "86601", Level: 3, Parent: "ids,suricata,", Decoder: "json"}
