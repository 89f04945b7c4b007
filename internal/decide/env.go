package decide

import (
	"reflect"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"
	"cel.dev/cel-go/interpreter"
)

// CEL object type names of the native structs (package name and type).
const (
	typeAlert      = "decide.Alert"
	typeAsset      = "decide.Asset"
	typeUser       = "decide.User"
	typeObservable = "decide.Observable"
	typeIncident   = "decide.Incident"
)

// newEnv declares the typed variables documented in doc.go. Struct fields
// take their CEL names from the yaml tags, so a rule, its test input and
// the documentation use the same names. Only the standard CEL library is
// offered: ext.Strings' replace and join can build a string the square of
// the alert's size in one call, before any cost limit is checked.
func newEnv() (*cel.Env, error) {
	return cel.NewEnv(
		ext.NativeTypes(
			reflect.TypeFor[Alert](), reflect.TypeFor[Asset](), reflect.TypeFor[User](),
			reflect.TypeFor[Observable](), reflect.TypeFor[Incident](),
			ext.ParseStructTag("yaml"),
		),
		cel.Variable("alert", cel.ObjectType(typeAlert)),
		cel.Variable("score", cel.IntType),
		cel.Variable("disposition", cel.StringType),
		cel.Variable("verdict", cel.StringType),
		cel.Variable("category", cel.StringType),
		cel.Variable("techniques", cel.ListType(cel.StringType)),
		cel.Variable("tactics", cel.ListType(cel.StringType)),
		cel.Variable("asset", cel.ObjectType(typeAsset)),
		cel.Variable("user", cel.ObjectType(typeUser)),
		cel.Variable("observables", cel.ListType(cel.ObjectType(typeObservable))),
		cel.Variable("incident", cel.ObjectType(typeIncident)),
		cel.Variable("mode", cel.StringType),
		cel.Variable("tenant", cel.StringType),
		cel.Variable("hour", cel.IntType),
	)
}

// activation resolves the variables straight from an Input, without
// building a map per alert.
type activation struct{ in *Input }

var _ interpreter.Activation = activation{}

func (a activation) ResolveName(name string) (any, bool) {
	in := a.in
	switch name {
	case "alert":
		return &in.Alert, true
	case "score":
		return in.Score, true
	case "disposition":
		return in.Disposition, true
	case "verdict":
		return in.Verdict, true
	case "category":
		return in.Category, true
	case "techniques":
		return nonNil(in.Techniques), true
	case "tactics":
		return nonNil(in.Tactics), true
	case "asset":
		return &in.Asset, true
	case "user":
		return &in.User, true
	case "observables":
		if in.Observables == nil {
			return []Observable{}, true
		}
		return in.Observables, true
	case "incident":
		return &in.Incident, true
	case "mode":
		return in.Mode, true
	case "tenant":
		return in.Tenant, true
	case "hour":
		return in.Hour, true
	}
	return nil, false
}

func (activation) Parent() interpreter.Activation { return nil }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
