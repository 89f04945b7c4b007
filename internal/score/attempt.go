package score

import (
	"strings"

	"github.com/winnow-soc/winnow/alert"
)

// failureTags are the rule tags (Wazuh groups and the like) of detections
// that saw only failed authentication.
var failureTags = []string{"authentication_failed", "authentication_failures", "invalid_login"}

// successTags are the rule tags of detections that saw a login succeed.
var successTags = []string{"authentication_success"}

// AuthFailureOnly reports whether the alert is a failed authentication
// attempt and nothing more: a rule tag says authentication failed (Wazuh
// groups authentication_failed, authentication_failures, invalid_login),
// no tag says it succeeded, no technique is Valid Accounts (T1078) and the
// title does not mention a success ("multiple failures followed by a
// success"). Such an alert shows an attack on the door, not an account in
// the attacker's hands: the targeted account was not compromised, so it is
// not an involved identity, and the alert is at most of low severity,
// while its source is still worth blocking. A later success from the same
// source is a different alert and is not covered.
func AuthFailureOnly(a *alert.Alert) bool {
	if a == nil {
		return false
	}
	failed := false
	for _, t := range a.Rule.Tags {
		switch {
		case hasFold(successTags, t):
			return false
		case hasFold(failureTags, t):
			failed = true
		}
	}
	if !failed {
		return false
	}
	for _, id := range a.Techniques {
		if techniqueMatch(strings.ToUpper(strings.TrimSpace(id)), "T1078") {
			return false
		}
	}
	return !containsFold(a.Title, "success") && !containsFold(a.Rule.Name, "success")
}

func hasFold(set []string, s string) bool {
	for _, x := range set {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
