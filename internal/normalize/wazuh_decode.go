package normalize

import (
	"bytes"
	"errors"
	"fmt"
)

// wazuhDecode reads a record that jsonscan.Valid accepted as the
// encoding/json decoder it replaced did: a record holding the text
// "_source" is first read as an indexer hit, and a record whose hit has no
// _source object is read as an alert itself. Within each, keys match as
// encoding/json matches them (scanField), repeated members
// overwrite or merge, null leaves a struct alone, and a value of the wrong
// JSON type for a struct is an error.
func wazuhDecode(raw []byte) (hitID text, r *wazuhRecord, err error) {
	if bytes.Contains(raw, []byte(`"_source"`)) {
		var h wazuhHitScan
		if err := wazuhTop(raw, h.set, h.sub); err != nil {
			return "", nil, fmt.Errorf("decode wazuh hit: %w", err)
		}
		hitID, r = h.id, h.source
	}
	if r == nil {
		r = new(wazuhRecord)
		if err := wazuhTop(raw, r.set, r.sub); err != nil {
			return "", nil, fmt.Errorf("decode wazuh alert: %w", err)
		}
	}
	return hitID, r, nil
}

// wazuhTop reads the top-level object of raw; null reads as nothing.
func wazuhTop(raw []byte, set func(k, v []byte) error, sub scanSub) error {
	i := scanSpace(raw, 0)
	switch {
	case i < len(raw) && raw[i] == 'n':
		return nil
	case i >= len(raw) || raw[i] != '{':
		return errors.New("record is not a JSON object")
	}
	_, err := scanObject(raw, set, sub)
	return err
}

// wazuhHitScan is the wazuhHit being read.
type wazuhHitScan struct {
	id     text
	source *wazuhRecord
}

var wazuhHitNames = []string{"_id", "_source"}

func (h *wazuhHitScan) set(k, v []byte) error {
	switch scanField(k, wazuhHitNames) {
	case "_id":
		return h.id.UnmarshalJSON(v)
	case "_source":
		if v[0] != 'n' {
			return errJSONType("_source", v)
		}
		h.source = nil
	}
	return nil
}

func (h *wazuhHitScan) sub(k []byte) (func(k, v []byte) error, scanSub) {
	if scanField(k, wazuhHitNames) != "_source" {
		return nil, nil
	}
	if h.source == nil {
		h.source = new(wazuhRecord)
	}
	return h.source.set, h.source.sub
}

// The names read at each level, for scanField.
var (
	wazuhRecordNames   = []string{"id", "timestamp", "@timestamp", "rule", "agent", "data", "full_log", "previous_output", "syscheck"}
	wazuhRuleNames     = []string{"id", "level", "description", "groups", "info", "mitre"}
	wazuhMitreNames    = []string{"id"}
	wazuhAgentNames    = []string{"id", "name", "ip"}
	wazuhSyscheckNames = []string{"path", "md5_after", "sha1_after", "sha256_after"}
	wazuhDataNames     = []string{"srcip", "srcport", "dstip", "dstport", "srcuser", "dstuser", "url", "src_ip", "src_port", "dest_ip", "dest_port", "alert", "http"}
	wazuhEVEAlertNames = []string{"category"}
	wazuhEVEHTTPNames  = []string{"hostname", "url"}
)

// wazuhStruct handles a struct member given something other than an
// object: null leaves the struct as it is, anything else is an error.
func wazuhStruct(name string, v []byte) error {
	if v[0] != 'n' {
		return errJSONType(name, v)
	}
	return nil
}

func (r *wazuhRecord) set(k, v []byte) error {
	var t *text
	switch name := scanField(k, wazuhRecordNames); name {
	case "id":
		t = &r.ID
	case "timestamp":
		t = &r.Timestamp
	case "@timestamp":
		t = &r.AtTimestamp
	case "full_log":
		t = &r.FullLog
	case "previous_output":
		t = &r.PreviousOutput
	case "":
		return nil
	default:
		return wazuhStruct(name, v)
	}
	return t.UnmarshalJSON(v)
}

func (r *wazuhRecord) sub(k []byte) (func(k, v []byte) error, scanSub) {
	switch scanField(k, wazuhRecordNames) {
	case "rule":
		return r.Rule.set, r.Rule.sub
	case "agent":
		return r.Agent.set, nil
	case "data":
		return r.Data.set, r.Data.sub
	case "syscheck":
		return r.Syscheck.set, nil
	}
	return nil, nil
}

func (ru *wazuhRule) set(k, v []byte) error {
	var t *text
	switch scanField(k, wazuhRuleNames) {
	case "id":
		t = &ru.ID
	case "level":
		t = &ru.Level
	case "description":
		t = &ru.Description
	case "info":
		t = &ru.Info
	case "groups":
		return wazuhTexts(v, &ru.Groups)
	case "mitre":
		return wazuhStruct("rule.mitre", v)
	default:
		return nil
	}
	return t.UnmarshalJSON(v)
}

func (ru *wazuhRule) sub(k []byte) (func(k, v []byte) error, scanSub) {
	if scanField(k, wazuhRuleNames) == "mitre" {
		return ru.Mitre.set, nil
	}
	return nil, nil
}

func (m *wazuhMitre) set(k, v []byte) error {
	if scanField(k, wazuhMitreNames) == "id" {
		return wazuhTexts(v, &m.ID)
	}
	return nil
}

// wazuhTexts decodes v as texts.UnmarshalJSON does, without encoding/json
// for the array: an empty array gives an empty, not a nil, list.
func wazuhTexts(v []byte, dst *texts) error {
	if v[0] != '[' {
		return dst.UnmarshalJSON(v)
	}
	out := texts{}
	err := scanTexts(v, &out)
	*dst = out
	return err
}

func (a *wazuhAgent) set(k, v []byte) error {
	var t *text
	switch scanField(k, wazuhAgentNames) {
	case "id":
		t = &a.ID
	case "name":
		t = &a.Name
	case "ip":
		t = &a.IP
	default:
		return nil
	}
	return t.UnmarshalJSON(v)
}

func (s *wazuhSyscheck) set(k, v []byte) error {
	var t *text
	switch scanField(k, wazuhSyscheckNames) {
	case "path":
		t = &s.Path
	case "md5_after":
		t = &s.MD5After
	case "sha1_after":
		t = &s.SHA1After
	case "sha256_after":
		t = &s.SHA256After
	default:
		return nil
	}
	return t.UnmarshalJSON(v)
}

func (d *wazuhData) set(k, v []byte) error {
	var t *text
	switch name := scanField(k, wazuhDataNames); name {
	case "srcip":
		t = &d.SrcIP
	case "srcport":
		t = &d.SrcPort
	case "dstip":
		t = &d.DstIP
	case "dstport":
		t = &d.DstPort
	case "srcuser":
		t = &d.SrcUser
	case "dstuser":
		t = &d.DstUser
	case "url":
		t = &d.URL
	case "src_ip":
		t = &d.EveSrcIP
	case "src_port":
		t = &d.EveSport
	case "dest_ip":
		t = &d.EveDstIP
	case "dest_port":
		t = &d.EveDport
	case "alert", "http":
		return wazuhStruct("data."+name, v)
	default:
		return nil
	}
	return t.UnmarshalJSON(v)
}

func (d *wazuhData) sub(k []byte) (func(k, v []byte) error, scanSub) {
	switch scanField(k, wazuhDataNames) {
	case "alert":
		return d.Alert.set, nil
	case "http":
		return d.HTTP.set, nil
	}
	return nil, nil
}

func (a *wazuhEVEAlert) set(k, v []byte) error {
	if scanField(k, wazuhEVEAlertNames) == "category" {
		return a.Category.UnmarshalJSON(v)
	}
	return nil
}

func (h *wazuhEVEHTTP) set(k, v []byte) error {
	switch scanField(k, wazuhEVEHTTPNames) {
	case "hostname":
		return h.Hostname.UnmarshalJSON(v)
	case "url":
		return h.URL.UnmarshalJSON(v)
	}
	return nil
}
