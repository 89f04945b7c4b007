package config

import "github.com/winnow-soc/winnow/alert"

// thresholdFields is a bit set of the Thresholds fields a file wrote.
type thresholdFields uint8

const (
	setEscalate thresholdFields = 1 << iota
	setInvestigate
	setReview
	setAutoCloseBelow
)

// UnmarshalYAML records which fields the file wrote so that ApplyDefaults
// fills only the omitted ones. It uses the decoder-callback form on purpose:
// that form keeps the decoder's KnownFields strictness, which a
// yaml.Node-based unmarshaler would lose.
func (t *Thresholds) UnmarshalYAML(unmarshal func(any) error) error {
	var raw struct {
		Escalate       *int `yaml:"escalate"`
		Investigate    *int `yaml:"investigate"`
		Review         *int `yaml:"review"`
		AutoCloseBelow *int `yaml:"auto_close_below"`
	}
	if err := unmarshal(&raw); err != nil {
		return err
	}
	*t = Thresholds{}
	for _, f := range []struct {
		v   *int
		dst *int
		bit thresholdFields
	}{
		{raw.Escalate, &t.Escalate, setEscalate},
		{raw.Investigate, &t.Investigate, setInvestigate},
		{raw.Review, &t.Review, setReview},
		{raw.AutoCloseBelow, &t.AutoCloseBelow, setAutoCloseBelow},
	} {
		if f.v != nil {
			*f.dst = *f.v
			t.set |= f.bit
		}
	}
	return nil
}

// Disposition maps a 0-100 score to what happens next:
//
//	score >  Escalate     escalate
//	score >= Investigate  investigate
//	score >= Review       review
//	otherwise             auto-close
//
// In ModeSemiAutonomous a score below Review auto-closes only when it is
// also below AutoCloseBelow; otherwise it goes to review. The other modes
// auto-close everything below Review (shadow and assisted only record or
// propose that).
func (t Thresholds) Disposition(score int, mode Mode) alert.Disposition {
	switch {
	case score > t.Escalate:
		return alert.Escalate
	case score >= t.Investigate:
		return alert.Investigate
	case score >= t.Review:
		return alert.Review
	case mode == ModeSemiAutonomous && score >= t.AutoCloseBelow:
		return alert.Review
	}
	return alert.AutoClose
}
