package main

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	build := func(version string, settings ...string) *debug.BuildInfo {
		info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "spflab", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			info.Settings = append(info.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return info
	}
	for _, tt := range []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{build("v1.2.0", "vcs", "git", "vcs.revision", "5fc7269a1b2c3d4e5f60718293a4b5c6d7e8f901", "vcs.time", "2025-01-02T03:04:05Z", "vcs.modified", "false"), true,
			"spflab v1.2.0 (revision 5fc7269a1b2c, 2025-01-02T03:04:05Z) go1.26.8"},
		{build("", "vcs.revision", "5fc7269", "vcs.modified", "true"), true, "spflab (devel) (revision 5fc7269, modified) go1.26.8"},
		{build("(devel)", "-buildmode", "exe"), true, "spflab (devel) (revision unknown: built without VCS information) go1.26.8"},
		{nil, false, "spflab (no build information)"},
	} {
		if got := versionText(tt.info, tt.ok); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
	for _, arg := range []string{"--version", "version"} {
		code, stdout, stderr := spflab(arg)
		if code != exitOK || !strings.HasPrefix(stdout, "spflab ") || strings.Count(stdout, "\n") != 1 || stderr != "" {
			t.Errorf("spflab %s: exit %d, stdout %q, stderr %q", arg, code, stdout, stderr)
		}
	}
}
