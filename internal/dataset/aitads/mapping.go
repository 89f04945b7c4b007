package aitads

import (
	"strconv"
	"strings"
)

// compliance lists Wazuh's compliance group prefixes in the order its alerts
// carry them; each becomes a rule member named like the prefix without its
// trailing underscore, holding the rest of the tag.
var compliance = [...]string{"pci_dss_", "gpg13_", "gdpr_", "hipaa_", "nist_800_53_", "tsc_"}

const suricataAlertPrefix = prefixSuricata + "Alert - "

// compile builds the JSON of one name column value.
func compile(name string) *mapping {
	switch {
	case strings.HasPrefix(name, prefixWazuh):
		desc := name[len(prefixWazuh):]
		r, ok := wazuhRules[desc]
		if !ok {
			return unmapped(desc)
		}
		return &mapping{rule: ruleJSON(r.ID, r.Level, desc, r.Parent+r.Own, r.Mitre), tail: decoderJSON(r.Decoder)}
	case strings.HasPrefix(name, suricataAlertPrefix):
		// Wazuh's rule 86601 reads the signature from the EVE record, so
		// data.alert.signature is known; nothing else of the record is.
		tail := decoderJSON(suricataRule.Decoder)
		tail = append(tail, `,"data":{"event_type":"alert","alert":{"signature":`...)
		tail = appendString(tail, name[len(suricataAlertPrefix):])
		tail = append(tail, "}}"...)
		r := suricataRule
		return &mapping{rule: ruleJSON(r.ID, r.Level, name, r.Parent+r.Own, r.Mitre), tail: tail}
	case strings.HasPrefix(name, prefixAMiner):
		// The description keeps its "AMiner: " prefix: no Wazuh rule wrote
		// it, and the prefix is what tells an analyst where it came from.
		d, ok := aminerDetectors[name[len(prefixAMiner):]]
		if !ok {
			return &mapping{rule: ruleJSON(aminerRuleID, aminerLevel, name, "aminer", nil), unmapped: true}
		}
		return &mapping{rule: ruleJSON(aminerRuleID+":"+d.Short, aminerLevel, name, "aminer,"+d.Source, nil)}
	}
	return unmapped(name)
}

func unmapped(desc string) *mapping {
	return &mapping{rule: ruleJSON(unmappedRuleID, unmappedLevel, desc, unmappedGroup, nil), unmapped: true}
}

func decoderJSON(name string) []byte {
	if name == "" {
		return nil
	}
	return append(appendString([]byte(`,"decoder":{"name":`), name), '}')
}

// ruleJSON renders a Wazuh rule object. groups is the comma-separated group
// list as the ruleset writes it, compliance tags included.
func ruleJSON(id string, level int, desc, groups string, mitre []string) []byte {
	b := []byte(`{"level":`)
	b = strconv.AppendInt(b, int64(level), 10)
	b = append(b, `,"description":`...)
	b = appendString(b, desc)
	b = append(b, `,"id":`...)
	b = appendString(b, id)
	if len(mitre) > 0 {
		b = append(b, `,"mitre":{"id":`...)
		b = appendList(b, mitre)
		b = append(b, '}')
	}
	var plain []string
	var tagged [len(compliance)][]string
	for g := range strings.SplitSeq(groups, ",") {
		g = strings.TrimSpace(g)
		if g == "" {
			continue
		}
		i := complianceIndex(g)
		if i < 0 {
			plain = append(plain, g)
			continue
		}
		tagged[i] = append(tagged[i], g[len(compliance[i]):])
	}
	b = append(b, `,"groups":`...)
	b = appendList(b, plain)
	for i, vals := range tagged {
		if len(vals) == 0 {
			continue
		}
		b = append(b, ',')
		b = appendString(b, strings.TrimSuffix(compliance[i], "_"))
		b = append(b, ':')
		b = appendList(b, vals)
	}
	return append(b, '}')
}

func complianceIndex(g string) int {
	for i, p := range compliance {
		if strings.HasPrefix(g, p) {
			return i
		}
	}
	return -1
}

func appendList(b []byte, vals []string) []byte {
	b = append(b, '[')
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, v)
	}
	return append(b, ']')
}
