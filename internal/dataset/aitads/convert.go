package aitads

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Labels written to the labels file.
const (
	LabelTruePositive  = "true_positive"
	LabelFalsePositive = "false_positive"
)

// Name prefixes of the AIT-ADS name column, one per alert producer.
const (
	prefixWazuh    = "Wazuh: "
	prefixSuricata = "Suricata: "
	prefixAMiner   = "AMiner: "
)

// Fallback rules for names that no table covers. They are counted in
// Stats.Unmapped; their IDs are not numeric so that they cannot pass for
// official Wazuh rules. Level 3 is the lowest level Wazuh alerts on by default.
const (
	unmappedRuleID = "unmapped"
	unmappedLevel  = 3
	unmappedGroup  = "ait_ads_unmapped"
	aminerRuleID   = "aminer"
	managerName    = "wazuh-manager"
	timestampFmt   = "2006-01-02T15:04:05.000000Z07:00"
	maxUnixSeconds = 253402300799 // 9999-12-31T23:59:59Z, the last RFC 3339 second
)

// Errors of Convert. Row errors wrap ErrMalformed with the row number.
var (
	ErrMalformed = errors.New("malformed ait-ads csv")
	ErrScenario  = errors.New("invalid scenario name")
)

// columns are the CSV columns Convert needs, in the dataset's order.
var columns = [...]string{"time", "name", "ip", "host", "short", "time_label", "event_label"}

const (
	colTime = iota
	colName
	colIP
	colHost
	colShort
	colTimeLabel
	colEventLabel
)

// Stats counts what Convert wrote.
type Stats struct {
	Rows           int
	TruePositives  int
	FalsePositives int
	// Unmapped counts rows per name column value that no rule table covers;
	// those rows were converted with the documented fallback rule.
	Unmapped map[string]int
}

// Convert reads one scenario's CSV (gzip or plain), writes Wazuh alerts.json
// lines to alerts and `alert_id,label` CSV rows (after a header row) to
// labels, and returns counts. A row's label is true_positive when its
// event_label is not "-", else false_positive. The alert ID is
// "<scenario>-<row number>" (1-based data row), so that it is stable and
// traceable. Convert stops at the first malformed row.
func Convert(r io.Reader, scenario string, alerts, labels io.Writer) (Stats, error) {
	st := Stats{Unmapped: map[string]int{}}
	if err := checkScenario(scenario); err != nil {
		return st, err
	}
	in, err := decompress(r)
	if err != nil {
		return st, err
	}
	cr := csv.NewReader(in)
	cr.ReuseRecord = true
	idx, err := header(cr)
	if err != nil {
		return st, err
	}
	aw := bufio.NewWriterSize(alerts, 64<<10)
	lw := bufio.NewWriterSize(labels, 16<<10)
	if _, err := lw.WriteString("alert_id,label\n"); err != nil {
		return st, fmt.Errorf("write labels: %w", err)
	}
	c := newConverter(scenario)
	var line, lab []byte
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return st, fmt.Errorf("%w: row %d: %w", ErrMalformed, row, err)
		}
		var f [len(columns)]string
		for i, j := range idx {
			f[i] = rec[j]
		}
		var tp bool
		line, tp, err = c.appendAlert(line[:0], row, &f)
		if err != nil {
			return st, fmt.Errorf("%w: row %d: %w", ErrMalformed, row, err)
		}
		if _, err := aw.Write(line); err != nil {
			return st, fmt.Errorf("write alerts: %w", err)
		}
		lab = appendLabel(lab[:0], scenario, row, tp)
		if _, err := lw.Write(lab); err != nil {
			return st, fmt.Errorf("write labels: %w", err)
		}
		st.Rows++
		if tp {
			st.TruePositives++
		} else {
			st.FalsePositives++
		}
		if c.last.unmapped {
			st.Unmapped[f[colName]]++
		}
	}
	if err := aw.Flush(); err != nil {
		return st, fmt.Errorf("write alerts: %w", err)
	}
	if err := lw.Flush(); err != nil {
		return st, fmt.Errorf("write labels: %w", err)
	}
	return st, nil
}

// checkScenario keeps scenario names to characters that need no quoting in
// CSV, JSON or file names.
func checkScenario(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty", ErrScenario)
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return fmt.Errorf("%w: %q", ErrScenario, s)
		}
	}
	return nil
}

// decompress returns r itself, or a gzip reader over it when r starts with
// the gzip magic bytes.
func decompress(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read ait-ads csv: %w", err)
	}
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: open gzip: %w", ErrMalformed, err)
		}
		return zr, nil
	}
	return br, nil
}

// header reads the header row and returns, for each needed column, its index.
func header(cr *csv.Reader) ([len(columns)]int, error) {
	var idx [len(columns)]int
	rec, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return idx, fmt.Errorf("%w: no header row", ErrMalformed)
	}
	if err != nil {
		return idx, fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	var missing []string
	for i, name := range columns {
		idx[i] = -1
		for j, h := range rec {
			if strings.TrimPrefix(h, "\ufeff") == name {
				idx[i] = j
				break
			}
		}
		if idx[i] < 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return idx, fmt.Errorf("%w: header lacks columns %s", ErrMalformed, strings.Join(missing, ", "))
	}
	return idx, nil
}

// converter builds alert lines for one scenario. It caches the JSON of each
// distinct name's rule, since a scenario has a few dozen names and up to
// hundreds of thousands of rows.
type converter struct {
	scenario string
	location []byte
	cache    map[string]*mapping
	last     *mapping
}

// mapping is the precomputed JSON of one name: the rule object and the
// decoder and data members that follow the alert ID.
type mapping struct {
	rule     []byte
	tail     []byte
	unmapped bool
}

func newConverter(scenario string) *converter {
	loc := appendString([]byte(`,"location":`), "ait-ads/"+scenario)
	return &converter{scenario: scenario, location: append(loc, "}\n"...), cache: map[string]*mapping{}}
}

// appendAlert appends one alert line for the row's fields and reports
// whether the row is a true positive.
func (c *converter) appendAlert(dst []byte, row int, f *[len(columns)]string) ([]byte, bool, error) {
	sec, usec, err := parseUnix(f[colTime])
	if err != nil {
		return dst, false, err
	}
	if f[colName] == "" {
		return dst, false, errors.New("empty name")
	}
	if f[colEventLabel] == "" {
		return dst, false, errors.New("empty event_label")
	}
	m := c.cache[f[colName]]
	if m == nil {
		m = compile(f[colName])
		c.cache[f[colName]] = m
	}
	c.last = m
	dst = append(dst, `{"timestamp":"`...)
	dst = time.Unix(sec, usec*1000).UTC().AppendFormat(dst, timestampFmt)
	dst = append(dst, `","rule":`...)
	dst = append(dst, m.rule...)
	dst = append(dst, `,"agent":{`...)
	if f[colHost] != "" {
		dst = append(dst, `"name":`...)
		dst = appendString(dst, f[colHost])
	}
	if f[colIP] != "" {
		if f[colHost] != "" {
			dst = append(dst, ',')
		}
		dst = append(dst, `"ip":`...)
		dst = appendString(dst, f[colIP])
	}
	dst = append(dst, `},"manager":{"name":"`+managerName+`"},"id":"`...)
	dst = appendID(dst, c.scenario, row)
	dst = append(dst, '"')
	dst = append(dst, m.tail...)
	dst = append(dst, c.location...)
	return dst, f[colEventLabel] != "-", nil
}

func appendID(dst []byte, scenario string, row int) []byte {
	dst = append(dst, scenario...)
	dst = append(dst, '-')
	return strconv.AppendInt(dst, int64(row), 10)
}

func appendLabel(dst []byte, scenario string, row int, tp bool) []byte {
	dst = appendID(dst, scenario, row)
	if tp {
		return append(dst, ","+LabelTruePositive+"\n"...)
	}
	return append(dst, ","+LabelFalsePositive+"\n"...)
}

// parseUnix parses Unix seconds with an optional fraction, kept to the
// microsecond.
func parseUnix(s string) (sec, usec int64, err error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || !digits(whole) || hasFrac && (frac == "" || !digits(frac)) {
		return 0, 0, fmt.Errorf("time %q is not Unix seconds", s)
	}
	sec, err = strconv.ParseInt(whole, 10, 64)
	if err != nil || sec > maxUnixSeconds {
		return 0, 0, fmt.Errorf("time %q out of range", s)
	}
	for i := range 6 {
		usec *= 10
		if i < len(frac) {
			usec += int64(frac[i] - '0')
		}
	}
	return sec, usec, nil
}

func digits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendString appends s as a JSON string. Plain printable ASCII, the whole
// of the real data, is copied directly; anything else goes through
// encoding/json, which also replaces invalid UTF-8.
func appendString(dst []byte, s string) []byte {
	for i := range len(s) {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always marshals
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}
