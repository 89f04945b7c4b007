package content

import (
	"math"
	"strings"
	"testing"
)

func TestDecodeStrict(t *testing.T) {
	var v struct {
		A int `yaml:"a"`
	}
	if err := DecodeStrict([]byte("a: 3\n"), &v); err != nil || v.A != 3 {
		t.Fatalf("a: 3 -> %+v, %v", v, err)
	}
	if err := DecodeStrict([]byte("a: 3\nb: 4\n"), &v); err == nil || !strings.Contains(err.Error(), "field b not found") {
		t.Errorf("unknown field accepted: %v", err)
	}
}

func TestChecker(t *testing.T) {
	var c Checker
	c.Num("ok", 5, 0, 10)
	c.Num("nan", math.NaN(), 0, 10)
	c.Num("high", 11, 0, 10)
	c.Count("low", -1, 0, 3)
	c.Count("fine", 2, 0, 3)
	err := c.Err()
	for _, want := range []string{"nan: NaN", "high: 11 is outside [0, 10]", "low: -1 is outside [0, 3]"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Err() = %v, want it to mention %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "ok:") || strings.Contains(err.Error(), "fine:") {
		t.Errorf("valid values reported: %v", err)
	}
	var empty Checker
	if empty.Err() != nil {
		t.Error("no problems must give a nil error")
	}
}
