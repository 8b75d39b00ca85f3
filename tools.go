//go:build tools

// Package tools pins the build tools of the Python extension in go.mod: setup.py builds gopy
// and goimports from exactly these versions (never from @latest).
package tools

import (
	_ "github.com/go-python/gopy"
	_ "golang.org/x/tools/cmd/goimports"
)
