// Command emulator runs emulated Atlassian Data Center instances for
// testing the provider against:
//
//	go run ./tools/emulator -instance jira=jira@127.0.0.1:0 -instance wiki=confluence@127.0.0.1:0/wiki
//
// Once every instance listens it prints one JSON line per instance
// ({"name","type","url","server_id"}) and runs until SIGINT or SIGTERM.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
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

	server, err := emulator.Start(opts, instances...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	encoder := json.NewEncoder(stdout)
	for _, inst := range server.Instances() {
		line := instanceLine{Name: inst.Name(), Type: inst.Type(), URL: inst.URL(), ServerID: inst.ServerID()}
		if err := encoder.Encode(line); err != nil {
			fmt.Fprintln(stderr, err)
			_ = server.Close()
			return 1
		}
	}
	<-signals
	if err := server.Close(); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}
