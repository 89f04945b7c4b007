package config

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
