package pipeline_test

import (
	"context"
	"fmt"
	"time"

	"github.com/winnow-soc/winnow/alert"
	"github.com/winnow-soc/winnow/internal/config"
	"github.com/winnow-soc/winnow/internal/intel"
	"github.com/winnow-soc/winnow/internal/pipeline"
)

// Build an engine on the built-in configuration with no intel feeds and
// decide one alert. Decide is pure: no I/O, and safe for concurrent use.
func ExampleEngine_Decide() {
	eng, err := pipeline.New(context.Background(), config.Default(), pipeline.Options{Intel: intel.Empty()})
	if err != nil {
		fmt.Println(err)
		return
	}
	a := alert.Alert{
		Source:   "suricata",
		ID:       "example-1",
		Time:     time.Date(2026, 3, 2, 10, 15, 0, 0, time.UTC),
		Title:    "ET SCAN Potential VNC Scan 5900-5920",
		Severity: alert.SeverityMedium,
		Rule:     alert.Rule{Category: "Attempted Information Leak"},
		Entities: alert.Entities{
			Src: []alert.Endpoint{{IP: "203.0.113.7", Port: 51515}},
			Dst: []alert.Endpoint{{IP: "10.0.1.20", Port: 5900}},
		},
	}
	d, err := eng.Decide(&a)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("tenant:", d.Tenant)
	fmt.Println("disposition:", d.Disposition, d.Verdict, d.Priority)
	fmt.Println("score:", d.Score)
	for _, f := range d.Factors {
		fmt.Printf("  %-22s %+5.1f\n", f.Name, f.Contribution)
	}
	for _, o := range d.Observables {
		fmt.Println("observable:", o.Type, o.Value, o.Class, o.Role)
	}
	// Output:
	// tenant: default
	// disposition: review needs_review P4
	// score: 31
	//   base                   +10.0
	//   source_severity        +12.0
	//   attack_stage            +4.0
	//   technique_prevalence    +5.0
	// observable: ipv4 203.0.113.7 reserved src
	// observable: ipv4 10.0.1.20 private dst
}
