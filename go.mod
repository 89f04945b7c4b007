module github.com/winnow-soc/winnow

go 1.26.0

require (
	github.com/oschwald/maxminddb-golang/v2 v2.9.0
	go.uber.org/goleak v1.3.0
	go.yaml.in/yaml/v3 v3.0.5
	golang.org/x/net v0.62.0
)

require golang.org/x/sys v0.49.0 // indirect
