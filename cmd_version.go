package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// runVersion is "spflab --version": the module version and the VCS
// revision the binary was built from.
func runVersion(stdout io.Writer) int {
	info, ok := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionText(info, ok))
	return exitOK
}

// versionText words the build information: "spflab v1.2.0 (revision
// 5fc7269a1b2c, 2025-01-02T03:04:05Z, modified) go1.26.8".
func versionText(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "spflab (no build information)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	var vcs []string
	if rev := settings["vcs.revision"]; rev != "" {
		vcs = append(vcs, "revision "+rev[:min(len(rev), 12)])
		if t := settings["vcs.time"]; t != "" {
			vcs = append(vcs, t)
		}
		if settings["vcs.modified"] == "true" {
			vcs = append(vcs, "modified")
		}
	} else {
		vcs = append(vcs, "revision unknown: built without VCS information")
	}
	return fmt.Sprintf("spflab %s (%s) %s", version, strings.Join(vcs, ", "), info.GoVersion)
}
