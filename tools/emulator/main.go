// Command emulator runs emulated Atlassian Data Center instances for
// testing the provider against:
//
//	go run ./tools/emulator -instance jira=jira@127.0.0.1:0 -instance wiki=confluence@127.0.0.1:0/wiki
//
// Once every instance listens it prints one JSON line per instance
// ({"name","type","url","server_id"}) and runs until SIGINT or SIGTERM.
//
// With -ready-file PATH it also writes those lines to PATH, atomically
// (a temporary file renamed into place) and only once every instance
// listens, and removes the file again when it stops. A script then waits
// for a non-empty file instead of counting lines of a growing one, and a
// start that fails (a port already taken) exits with status 1 before any
// file appears:
//
//	emulator -instance jira=jira@127.0.0.1:2990 -ready-file instances.json &
//	timeout 60 sh -c "until [ -s instances.json ]; do kill -0 $! || exit 1; sleep 1; done"
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/applinks-iac/terraform-provider-applinks/internal/emulator"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// instanceLine is what the command prints for each started instance.
type instanceLine struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	URL      string `json:"url"`
	ServerID string `json:"server_id"`
}

func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("emulator", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var instances []emulator.InstanceConfig
	flags.Func("instance", "`NAME=TYPE@HOST:PORT[/CONTEXT]` to run (repeatable); PORT 0 picks a free port", func(s string) error {
		cfg, err := emulator.ParseInstanceFlag(s)
		if err != nil {
			return err
		}
		instances = append(instances, cfg)
		return nil
	})
	var opts emulator.Options
	flags.StringVar(&opts.DataDir, "data", "", "directory to persist instance state in")
	flags.BoolVar(&opts.Control, "control", false, "serve the test-control API under /_emulator/")
	flags.BoolVar(&opts.AllowAllHosts, "allow-all-hosts", false, "allow loopback peers, like -Dapplinks.allow.all.hosts=true")
	flags.BoolVar(&opts.OAuth2SkipBaseURLHTTPS, "oauth2-skip-base-url-https", false, "serve OAuth 2.0 on an http:// base URL, like -Datlassian.oauth2.provider.skip.base.url.https.requirement=true")
	flags.BoolVar(&opts.OAuth2SkipRedirectURLHTTPS, "oauth2-skip-redirect-url-https", false, "allow http:// OAuth 2.0 redirect URLs, like -Datlassian.oauth2.provider.skip.redirect.url.https.requirement=true")
	verbose := flags.Bool("v", false, "log requests to stderr")
	readyFile := flags.String("ready-file", "", "write the instances' JSON lines to `PATH` once every instance listens, and remove it on exit")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "unexpected arguments: %q\n", flags.Args())
		return 2
	}
	if len(instances) == 0 {
		fmt.Fprintln(stderr, "at least one -instance is required")
		flags.Usage()
		return 2
	}
	if *verbose {
		opts.Logger = log.New(stderr, "emulator: ", log.LstdFlags|log.Lmicroseconds)
	}

	// Subscribe before starting so a signal during startup is not lost.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)

	// A file left by an earlier run must not announce instances that are
	// not listening yet.
	if *readyFile != "" {
		if err := os.Remove(*readyFile); err != nil && !errors.Is(err, os.ErrNotExist) {
			fmt.Fprintln(stderr, err)
			return 1
		}
	}
	server, err := emulator.Start(opts, instances...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	var lines bytes.Buffer
	encoder := json.NewEncoder(&lines)
	for _, inst := range server.Instances() {
		line := instanceLine{Name: inst.Name(), Type: inst.Type(), URL: inst.URL(), ServerID: inst.ServerID()}
		if err := encoder.Encode(line); err != nil {
			fmt.Fprintln(stderr, err)
			_ = server.Close()
			return 1
		}
	}
	if _, err := stdout.Write(lines.Bytes()); err != nil {
		fmt.Fprintln(stderr, err)
		_ = server.Close()
		return 1
	}
	if *readyFile != "" {
		if err := writeFileAtomically(*readyFile, lines.Bytes()); err != nil {
			fmt.Fprintf(stderr, "writing the ready file: %s\n", err)
			_ = server.Close()
			return 1
		}
		defer os.Remove(*readyFile)
	}
	<-signals
	if err := server.Close(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

// writeFileAtomically writes data to a temporary file beside path and
// renames it into place, so a reader sees either no file or all of it.
func writeFileAtomically(path string, data []byte) error {
	temp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	_, writeErr := temp.Write(data)
	closeErr := temp.Close()
	if err := errors.Join(writeErr, closeErr); err != nil {
		_ = os.Remove(temp.Name())
		return err
	}
	if err := os.Rename(temp.Name(), path); err != nil {
		_ = os.Remove(temp.Name())
		return err
	}
	return nil
}
