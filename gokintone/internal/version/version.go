// Package version holds the version of the Go core. The wheel's build sets it to the Python
// distribution's version (setup.py links with -ldflags "-X <this package>.version=<version>",
// which changes only the link step, so the compiled packages stay shared with go test); other
// builds, go test among them, report "devel".
package version

// version is set by the linker; see the package comment.
var version = "devel"

// String returns the version of the Go core.
func String() string { return version }
