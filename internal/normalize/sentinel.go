package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/jsonscan"
)

// Microsoft Sentinel SecurityAlert and SecurityIncident rows as Log
// Analytics returns them: one JSON object per row, either with typed
// values (query API) or with every value a string (CSV export read by
// internal/ingest, "" for empty cells), and the query API's table envelope
// {"tables":[{"columns":[...],"rows":[[...]]}]} holding many rows.
// Dynamic columns (Entities, ExtendedProperties, AlertIds, ...) may be JSON
// kept in a string or plain JSON. References:
// https://learn.microsoft.com/azure/azure-monitor/reference/tables/securityalert,
// https://learn.microsoft.com/azure/azure-monitor/reference/tables/securityincident,
// https://learn.microsoft.com/azure/sentinel/entities-reference
func init() { Register(sentinel{}) }

type sentinel struct{}

func (sentinel) Name() string { return "sentinel" }

// Detect claims rows carrying the key columns of either table, and table
// envelopes whose columns include one of them.
func (sentinel) Detect(fs Fields, _ []byte) bool {
	if sentinelIsRow(fs) {
		return true
	}
	t := fs.Value("tables")
	return len(t) > 0 && t[0] == '[' &&
		(bytes.Contains(t, []byte(`"SystemAlertId"`)) || bytes.Contains(t, []byte(`"IncidentNumber"`)))
}

func sentinelIsRow(fs Fields) bool {
	return fs.Has("SystemAlertId") && (fs.Has("AlertName") || fs.Has("AlertSeverity")) ||
		fs.Has("IncidentNumber") && (fs.Has("IncidentName") || fs.Has("AlertIds"))
}

// sentinelRow holds the columns Winnow reads from either table.
type sentinelRow struct {
	Type          text
	TimeGenerated text
	StartTime     text
	Description   text
	ProviderName  text
	Status        text

	// SecurityAlert
	AlertName          text
	DisplayName        text
	AlertSeverity      text
	ProductName        text
	VendorOriginalID   text
	SystemAlertID      text
	CompromisedEntity  text
	AlertType          text
	Tactics            text
	Techniques         []byte
	SubTechniques      []byte
	Entities           []byte
	ExtendedProperties []byte

	// SecurityIncident
	IncidentNumber       text
	IncidentName         text
	Title                text
	Severity             text
	Classification       text
	ClassificationReason text
	ProviderIncidentID   text
	FirstActivityTime    text
	CreatedTime          text
	AlertIDs             []byte
	AdditionalData       []byte
	Owner                []byte
	Labels               []byte
	RelatedRuleIDs       []byte
}

func (r *sentinelRow) set(key string, v []byte) error {
	var t *text
	var dyn *[]byte
	switch key {
	case "Type":
		t = &r.Type
	case "TimeGenerated":
		t = &r.TimeGenerated
	case "StartTime", "StartTimeUtc":
		t = &r.StartTime
	case "Description":
		t = &r.Description
	case "ProviderName":
		t = &r.ProviderName
	case "Status":
		t = &r.Status
	case "AlertName":
		t = &r.AlertName
	case "DisplayName":
		t = &r.DisplayName
	case "AlertSeverity":
		t = &r.AlertSeverity
	case "ProductName":
		t = &r.ProductName
	case "VendorOriginalId":
		t = &r.VendorOriginalID
	case "SystemAlertId":
		t = &r.SystemAlertID
	case "CompromisedEntity":
		t = &r.CompromisedEntity
	case "AlertType":
		t = &r.AlertType
	case "Tactics":
		t = &r.Tactics
	case "IncidentNumber":
		t = &r.IncidentNumber
	case "IncidentName":
		t = &r.IncidentName
	case "Title":
		t = &r.Title
	case "Severity":
		t = &r.Severity
	case "Classification":
		t = &r.Classification
	case "ClassificationReason":
		t = &r.ClassificationReason
	case "ProviderIncidentId":
		t = &r.ProviderIncidentID
	case "FirstActivityTime":
		t = &r.FirstActivityTime
	case "CreatedTime":
		t = &r.CreatedTime
	case "Techniques":
		dyn = &r.Techniques
	case "SubTechniques":
		dyn = &r.SubTechniques
	case "Entities":
		dyn = &r.Entities
	case "ExtendedProperties":
		dyn = &r.ExtendedProperties
	case "AlertIds":
		dyn = &r.AlertIDs
	case "AdditionalData":
		dyn = &r.AdditionalData
	case "Owner":
		dyn = &r.Owner
	case "Labels":
		dyn = &r.Labels
	case "RelatedAnalyticRuleIds":
		dyn = &r.RelatedRuleIDs
	default:
		return nil
	}
	if t != nil {
		if err := t.UnmarshalJSON(v); err != nil {
			return fmt.Errorf("sentinel column %s: %w", key, err)
		}
		return nil
	}
	d, err := sentinelDynamic(v)
	if err != nil {
		return fmt.Errorf("sentinel column %s: %w", key, err)
	}
	*dyn = d
	return nil
}

// sentinelDynamic returns the JSON of a dynamic column: the text of a
// string cell (which may be JSON, or a plain list such as "T1059, T1105"),
// or the value itself when it is an array or object; nil when empty.
func sentinelDynamic(v []byte) ([]byte, error) {
	switch v[0] {
	case '"':
		var t text
		if err := t.UnmarshalJSON(v); err != nil {
			return nil, err
		}
		if s := strings.TrimSpace(string(t)); s != "" {
			return []byte(s), nil
		}
		return nil, nil
	case '[', '{':
		return v, nil
	}
	return nil, nil
}

// sentinelList reads a dynamic list: a JSON array, or a comma or semicolon
// separated string.
func sentinelList(b []byte) ([]string, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if b[0] == '[' {
		var ts texts
		if err := json.Unmarshal(b, &ts); err != nil {
			return nil, err
		}
		return ts, nil
	}
	var out []string
	for _, s := range strings.FieldsFunc(string(b), func(r rune) bool { return r == ',' || r == ';' }) {
		out = appendUnique(out, strings.TrimSpace(s))
	}
	return out, nil
}

func (sentinel) Normalize(raw []byte) (alert.Alert, error) {
	var out alert.Alert
	n := 0
	err := sentinel{}.NormalizeAll(raw, func(a alert.Alert) error {
		n++
		if n > 1 {
			return errors.New("sentinel table holds several rows: use NormalizeAll")
		}
		out = a
		return nil
	})
	if err != nil {
		return alert.Alert{}, err
	}
	if n == 0 {
		return alert.Alert{}, errors.New("sentinel table holds no rows")
	}
	if bytes.Equal(out.Raw, raw) {
		out.Raw = nil // the registry sets it
	}
	return out, nil
}

// NormalizeAll emits one alert for a row, or one per row of a table
// envelope, each with the row rebuilt as a JSON object as its Raw.
func (sentinel) NormalizeAll(raw []byte, emit func(alert.Alert) error) error {
	if !jsonscan.Valid(raw) {
		return errors.New("sentinel record is not valid JSON")
	}
	var a alert.Alert
	isRow := false
	err := withFields(raw, func(fs Fields) error {
		if isRow = sentinelIsRow(fs); !isRow {
			return nil
		}
		var err error
		a, err = sentinelRowFields(raw, fs)
		return err
	})
	if err != nil {
		return err
	}
	if isRow {
		a.Raw = raw
		return emit(a)
	}
	return sentinelTables(raw, emit)
}

// sentinelTables walks the query API envelope.
func sentinelTables(raw []byte, emit func(alert.Alert) error) error {
	var env struct {
		Tables []struct {
			Columns []struct {
				Name string `json:"name"`
			} `json:"columns"`
			Rows [][]json.RawMessage `json:"rows"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return fmt.Errorf("decode sentinel tables: %w", err)
	}
	if len(env.Tables) == 0 {
		return errors.New("sentinel record is neither a SecurityAlert nor a SecurityIncident row")
	}
	for ti, tb := range env.Tables {
		for ri, row := range tb.Rows {
			if len(row) != len(tb.Columns) {
				return fmt.Errorf("sentinel table %d row %d: %d values for %d columns", ti, ri, len(row), len(tb.Columns))
			}
			var b bytes.Buffer
			b.WriteByte('{')
			for i, c := range tb.Columns {
				if i > 0 {
					b.WriteByte(',')
				}
				k, _ := json.Marshal(c.Name) // a string always marshals
				b.Write(k)
				b.WriteByte(':')
				b.Write(row[i])
			}
			b.WriteByte('}')
			obj := b.Bytes()
			a, err := sentinelNormalizeRow(obj)
			if err != nil {
				return fmt.Errorf("sentinel table %d row %d: %w", ti, ri, err)
			}
			a.Raw = obj
			if err := emit(a); err != nil {
				return err
			}
		}
	}
	return nil
}

func sentinelNormalizeRow(raw []byte) (alert.Alert, error) {
	var a alert.Alert
	err := withFields(raw, func(fs Fields) error {
		var err error
		a, err = sentinelRowFields(raw, fs)
		return err
	})
	return a, err
}

// sentinelRowFields normalises a row from its scanned columns.
func sentinelRowFields(raw []byte, fs Fields) (alert.Alert, error) {
	var r sentinelRow
	for _, f := range fs {
		if err := r.set(string(f.Key), f.Value); err != nil {
			return alert.Alert{}, err
		}
	}
	if r.SystemAlertID != "" || r.AlertName != "" {
		return r.securityAlert(raw)
	}
	if r.IncidentNumber != "" || r.IncidentName != "" {
		return r.securityIncident(raw)
	}
	return alert.Alert{}, errors.New("sentinel row without SystemAlertId, AlertName, IncidentNumber or IncidentName")
}

func (r *sentinelRow) securityAlert(raw []byte) (alert.Alert, error) {
	t, err := msgraphTime("sentinel", r.StartTime, r.TimeGenerated)
	if err != nil {
		return alert.Alert{}, err
	}
	a := alert.Alert{Time: t}
	a.Source = "sentinel"
	a.ID = firstOf(r.SystemAlertID, r.VendorOriginalID)
	if a.ID == "" {
		a.ID = alert.ContentID("sentinel", raw)
	}
	a.Title = firstOf(r.DisplayName, r.AlertName)
	if a.Title == "" {
		return alert.Alert{}, errors.New("sentinel alert without DisplayName or AlertName")
	}
	a.Description = string(r.Description)
	a.SourceSeverity = string(r.AlertSeverity)
	a.Severity = sentinelSeverity(a.SourceSeverity)
	var ext struct {
		IncidentID      text `json:"IncidentId"`
		Category        text `json:"Category"`
		MDECategory     text `json:"MicrosoftDefenderAtp.Category"`
		MitreTechniques text `json:"MitreTechniques"`
		ThreatName      text `json:"ThreatName"`
	}
	if len(r.ExtendedProperties) > 0 && r.ExtendedProperties[0] == '{' {
		if err := json.Unmarshal(r.ExtendedProperties, &ext); err != nil {
			return alert.Alert{}, fmt.Errorf("sentinel ExtendedProperties: %w", err)
		}
	}
	tactics, _ := sentinelList([]byte(r.Tactics)) // a plain string: never fails
	a.Rule = alert.Rule{
		ID:       string(r.AlertType),
		Name:     firstOf(r.AlertName, r.DisplayName),
		Category: firstOf(ext.Category, ext.MDECategory),
		Tags:     []string{"sentinel:alert"},
	}
	for _, tac := range tactics {
		if tac != "Unknown" {
			if a.Rule.Category == "" {
				a.Rule.Category = tac
			}
			a.Rule.Tags = append(a.Rule.Tags, "tactic:"+tac)
		}
	}
	if r.ProductName != "" {
		a.Rule.Tags = append(a.Rule.Tags, "product:"+string(r.ProductName))
	}
	if r.ProviderName != "" {
		a.Rule.Tags = append(a.Rule.Tags, "provider:"+string(r.ProviderName))
	}
	if r.VendorOriginalID != "" && string(r.VendorOriginalID) != a.ID {
		// The product's own alert ID (Defender's da6375..._1), for joining
		// with the same alert read from its own API.
		a.Rule.Tags = append(a.Rule.Tags, "vendor_alert:"+string(r.VendorOriginalID))
	}
	if ext.IncidentID != "" {
		a.Rule.Tags = append(a.Rule.Tags, "provider_incident:"+string(ext.IncidentID))
	}
	if ext.ThreatName != "" {
		a.Rule.Tags = append(a.Rule.Tags, "threat:"+string(ext.ThreatName))
	}
	for _, col := range []struct {
		name string
		v    []byte
	}{{"Techniques", r.Techniques}, {"SubTechniques", r.SubTechniques}, {"MitreTechniques", []byte(ext.MitreTechniques)}} {
		ids, err := sentinelList(col.v)
		if err != nil {
			return alert.Alert{}, fmt.Errorf("sentinel %s: %w", col.name, err)
		}
		for _, id := range ids {
			if isTechniqueID(id) {
				a.Techniques = appendUnique(a.Techniques, id)
			}
		}
	}
	if err := sentinelEntities(&a, r.Entities); err != nil {
		return alert.Alert{}, err
	}
	sentinelCompromised(&a, string(r.CompromisedEntity))
	return a, nil
}

func (r *sentinelRow) securityIncident(raw []byte) (alert.Alert, error) {
	t, err := msgraphTime("sentinel", r.FirstActivityTime, r.CreatedTime, r.TimeGenerated)
	if err != nil {
		return alert.Alert{}, err
	}
	a := alert.Alert{Time: t}
	a.Source = "sentinel"
	a.ID = firstOf(r.IncidentName, r.IncidentNumber)
	a.Title = string(r.Title)
	if a.Title == "" {
		a.Title = "Sentinel incident " + string(firstOf(r.IncidentNumber, r.IncidentName))
	}
	a.Description = string(r.Description)
	a.SourceSeverity = string(r.Severity)
	a.Severity = sentinelSeverity(a.SourceSeverity)
	a.Rule = alert.Rule{Name: a.Title, Tags: []string{"sentinel:incident"}}
	if r.IncidentNumber != "" {
		a.Rule.Tags = append(a.Rule.Tags, "incident_number:"+string(r.IncidentNumber))
	}
	for _, kv := range [][2]text{
		{"provider", r.ProviderName}, {"provider_incident", r.ProviderIncidentID}, {"status", r.Status},
		{"classification", r.Classification}, {"classification_reason", r.ClassificationReason},
	} {
		if kv[1] != "" {
			a.Rule.Tags = append(a.Rule.Tags, string(kv[0])+":"+string(kv[1]))
		}
	}
	rules, err := sentinelList(r.RelatedRuleIDs)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("sentinel RelatedAnalyticRuleIds: %w", err)
	}
	if len(rules) > 0 {
		a.Rule.ID = rules[0]
	}
	if len(r.Owner) > 0 && r.Owner[0] == '{' {
		var o struct {
			AssignedTo text `json:"assignedTo"`
		}
		if err := json.Unmarshal(r.Owner, &o); err != nil {
			return alert.Alert{}, fmt.Errorf("sentinel Owner: %w", err)
		}
		if o.AssignedTo != "" {
			a.Rule.Tags = append(a.Rule.Tags, "owner:"+string(o.AssignedTo))
		}
	}
	if len(r.Labels) > 0 && r.Labels[0] == '[' {
		var labels []struct {
			Name text `json:"labelName"`
		}
		if err := json.Unmarshal(r.Labels, &labels); err != nil {
			return alert.Alert{}, fmt.Errorf("sentinel Labels: %w", err)
		}
		for _, l := range labels {
			if l.Name != "" {
				a.Rule.Tags = append(a.Rule.Tags, "label:"+string(l.Name))
			}
		}
	}
	ids, err := sentinelList(r.AlertIDs)
	if err != nil {
		return alert.Alert{}, fmt.Errorf("sentinel AlertIds: %w", err)
	}
	for _, id := range ids {
		a.Rule.Tags = append(a.Rule.Tags, "alert:"+id)
	}
	if len(r.AdditionalData) > 0 && r.AdditionalData[0] == '{' {
		var ad struct {
			Tactics    texts `json:"tactics"`
			Techniques texts `json:"techniques"`
		}
		if err := json.Unmarshal(r.AdditionalData, &ad); err != nil {
			return alert.Alert{}, fmt.Errorf("sentinel AdditionalData: %w", err)
		}
		for _, tac := range ad.Tactics {
			a.Rule.Tags = append(a.Rule.Tags, "tactic:"+tac)
		}
		for _, id := range ad.Techniques {
			if isTechniqueID(id) {
				a.Techniques = appendUnique(a.Techniques, id)
			}
		}
	}
	return a, nil
}

// sentinelSeverity maps the severity names Sentinel and Defender share.
//
//	Informational -> info, Low -> low, Medium -> medium, High -> high,
//	Critical -> critical; anything else (UnSpecified, "") -> info.
func sentinelSeverity(s string) alert.Severity {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return alert.SeverityCritical
	case "high":
		return alert.SeverityHigh
	case "medium":
		return alert.SeverityMedium
	case "low":
		return alert.SeverityLow
	}
	return alert.SeverityInfo
}
