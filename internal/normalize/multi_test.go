package normalize

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/winnow-soc/winnow/alert"
)

// testMulti is an envelope format used only by tests: {"items":[{"id":..}]}.
// It never claims a record in detection.
type testMulti struct{}

func init() { Register(testMulti{}) }

func (testMulti) Name() string               { return "test_multi" }
func (testMulti) Detect(Fields, []byte) bool { return false }
func (testMulti) Normalize(raw []byte) (alert.Alert, error) {
	return alert.Alert{}, errors.New("use NormalizeAll")
}

func (testMulti) NormalizeAll(raw []byte, emit func(alert.Alert) error) error {
	var env struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return err
	}
	for _, it := range env.Items {
		var v struct{ ID string }
		if err := json.Unmarshal(it, &v); err != nil {
			return err
		}
		if err := emit(alert.Alert{Source: "test_multi", ID: v.ID, Raw: it}); err != nil {
			return err
		}
	}
	return nil
}

func TestNormalizeAll(t *testing.T) {
	t.Run("envelope", func(t *testing.T) {
		var ids, raws []string
		err := NormalizeAll("test_multi", []byte(`{"items":[{"ID":"a"},{"ID":"b"}]}`), func(a alert.Alert) error {
			ids = append(ids, a.ID)
			raws = append(raws, string(a.Raw))
			return nil
		})
		if err != nil || len(ids) != 2 || ids[0] != "a" || ids[1] != "b" || raws[1] != `{"ID":"b"}` {
			t.Fatalf("ids %v raws %v err %v", ids, raws, err)
		}
	})
	t.Run("emit error stops", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := NormalizeAll("test_multi", []byte(`{"items":[{"ID":"a"},{"ID":"b"}]}`), func(alert.Alert) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Fatalf("n=%d err=%v", n, err)
		}
	})
	t.Run("single-alert format", func(t *testing.T) {
		raw := []byte(`{"timestamp":"2017-11-04T13:20:24.289881+0000","event_type":"alert","src_ip":"10.0.0.1","dest_ip":"10.0.0.2","alert":{"signature_id":1,"signature":"x","severity":2}}`)
		var got []alert.Alert
		if err := NormalizeAll("auto", raw, func(a alert.Alert) error { got = append(got, a); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Source != "suricata" || string(got[0].Raw) != string(raw) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		err := NormalizeAll("nope", []byte(`{}`), func(alert.Alert) error { return nil })
		if !errors.Is(err, ErrUnknownFormat) {
			t.Fatalf("err = %v", err)
		}
	})
}
