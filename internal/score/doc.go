// Package score computes Winnow's explainable 0-100 risk score: the clamped,
// rounded sum of named factor contributions, each with a one-sentence detail
// naming its evidence, so that Score == clamp(round(sum), 0, 100) always holds.
//
// Scoring is a pure stage: it does no I/O, keeps no state and is
// deterministic, so the same input and the same weights version (the
// `version` of content/weights.yaml) give the same Result byte for byte.
// Weights adapt to the alert's category (brute_force, malware, phishing,
// scanning, lateral_movement, exfiltration, web_attack, other), which is
// derived by a pure function of the alert. docs/scoring.md documents every
// factor and weight.
package score
