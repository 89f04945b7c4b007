package respond

import (
	"strconv"

	"github.com/winnow-soc/winnow/alert"
)

// Summary is the sentence the reasoning gives about an alert's actions:
// none proposed, recorded in shadow mode, or proposed with how many wait
// for approval. Nothing is ever executed in this build.
func Summary(mode string, d alert.Disposition, actions []alert.Action) string {
	switch {
	case d == alert.AutoClose:
		return ""
	case len(actions) == 0:
		return "No response action proposed."
	case mode == "shadow" || !knownMode(mode):
		return "Shadow mode: " + strconv.Itoa(len(actions)) + " action(s) recorded, none executed."
	}
	approval := 0
	for _, a := range actions {
		if a.RequiresApproval {
			approval++
		}
	}
	return strconv.Itoa(len(actions)) + " action(s) proposed, " + strconv.Itoa(approval) + " awaiting approval; none executed."
}

func knownMode(m string) bool {
	switch m {
	case "shadow", "assisted", "semi_autonomous", "autonomous":
		return true
	}
	return false
}
