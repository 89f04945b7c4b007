package alert

// Severity is Winnow's five-step severity scale (OCSF severity_id 1-5).
type Severity string

// The severities, from least to most severe.
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank orders severities: 0 for unknown, 1 for info up to 5 for critical.
// It equals the OCSF severity_id.
func (s Severity) Rank() int {
	switch s {
	case SeverityInfo:
		return 1
	case SeverityLow:
		return 2
	case SeverityMedium:
		return 3
	case SeverityHigh:
		return 4
	case SeverityCritical:
		return 5
	}
	return 0
}

// SeverityFromRank is the inverse of Rank; out-of-range ranks are clamped.
func SeverityFromRank(r int) Severity {
	switch {
	case r <= 1:
		return SeverityInfo
	case r == 2:
		return SeverityLow
	case r == 3:
		return SeverityMedium
	case r == 4:
		return SeverityHigh
	}
	return SeverityCritical
}
