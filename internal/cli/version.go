package cli

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

func versionCommand() command {
	c := command{name: "version", summary: "Print the version of this build.", usage: "version"}
	c.run = func(_ context.Context, env *Env, args []string) error {
		if err := parse(env, flags(env, c), args, 0); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, Version())
		return nil
	}
	return c
}

// Version describes this build: module version, commit when known, Go version
// and platform.
func Version() string {
	v, rev := "(devel)", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				rev = " " + s.Value[:12]
			}
		}
	}
	return fmt.Sprintf("salve %s%s (%s %s/%s)", v, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
