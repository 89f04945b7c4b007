// Command gen regenerates package attack's embedded knowledge base from
// MITRE's ATT&CK STIX bundle. It is run by go generate in internal/attack and
// writes attack_data.json and ATTACK_LICENSE.txt into the output directory;
// running it twice on the same inputs writes the same bytes.
package main
