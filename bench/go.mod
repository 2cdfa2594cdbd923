module spflab/bench

go 1.26.7

require spflab v0.0.0

require go.yaml.in/yaml/v3 v3.0.6 // indirect

require (
	blitiri.com.ar/go/spf v1.6.0
	github.com/miekg/dns v1.1.73 // indirect
	golang.org/x/net v0.57.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)

replace spflab => ../
