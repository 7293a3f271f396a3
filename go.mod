module github.com/gofast-sde/gofast

go 1.26

require (
	github.com/leanovate/gopter v0.2.11
	gonum.org/v1/gonum v0.17.0
)
