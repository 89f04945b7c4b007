// Package all is Winnow's standard build of connectors: importing it for
// its side effects registers every connector under connectors/ with the
// connector registry. It holds blank imports only.
package all
