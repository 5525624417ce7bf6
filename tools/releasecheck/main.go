// Command releasecheck verifies a goreleaser dist folder against what the
// Terraform Registry (and OpenTofu's) take from a provider release:
//
//	go run ./tools/releasecheck -dist dist -manifest terraform-registry-manifest.json \
//	    -platforms linux/amd64,darwin/arm64,...
//
// one zip per platform, named <project>_<version>_<os>_<arch>.zip, holding
// the provider binary <project>_v<version> (.exe on Windows) built with that
// version; the <project>_<version>_SHA256SUMS file, listing exactly those
// zips and <project>_<version>_manifest.json with their right digests; and
// that manifest the same as the repository's. A snapshot leaves the manifest
// out of dist/ (the release uploads the repository's file under that name,
// beside SHA256SUMS), so its digest is held to the repository's file. The
// project name and version are read from goreleaser's dist/metadata.json.
// It prints one line per problem and exits 1 when there is any.
package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("releasecheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dist := fs.String("dist", "dist", "goreleaser's output folder")
	manifest := fs.String("manifest", "terraform-registry-manifest.json", "the repository's registry manifest")
	platforms := fs.String("platforms", "", "the os/arch pairs the release must carry, comma- or space-separated")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	wanted := strings.FieldsFunc(*platforms, func(r rune) bool { return r == ',' || r == ' ' })
	if len(wanted) == 0 {
		fmt.Fprintln(stderr, "releasecheck: -platforms is required")
		return 2
	}
	release, problems := check(*dist, *manifest, wanted)
	for _, p := range problems {
		fmt.Fprintf(stderr, "releasecheck: %s\n", p)
	}
	if len(problems) > 0 {
		return 1
	}
	fmt.Fprintf(stdout, "releasecheck: %s %s: %d archives, SHA256SUMS and manifest as the registry needs them\n",
		release.project, release.version, len(wanted))
	return 0
}

type release struct {
	project, version string
}

// check returns every problem found, not only the first, so one run shows
// all that a change to .goreleaser.yml broke.
func check(dist, manifestPath string, platforms []string) (release, []string) {
	var r release
	var problems []string
	fail := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	var metadata struct {
		ProjectName string `json:"project_name"`
		Version     string `json:"version"`
	}
	if err := readJSON(filepath.Join(dist, "metadata.json"), &metadata); err != nil {
		return r, []string{fmt.Sprintf("reading goreleaser's metadata: %v", err)}
	}
	r = release{project: metadata.ProjectName, version: metadata.Version}
	if r.project != "terraform-provider-applinks" {
		fail("project name %q: the registry needs terraform-provider-applinks", r.project)
	}
	prefix := r.project + "_" + r.version

	sums, err := readSums(filepath.Join(dist, prefix+"_SHA256SUMS"))
	if err != nil {
		return r, append(problems, err.Error())
	}
	manifestName := prefix + "_manifest.json"
	listed := map[string]bool{}
	for name, sum := range sums {
		listed[name] = true
		path := filepath.Join(dist, name)
		if _, err := os.Stat(path); name == manifestName && os.IsNotExist(err) {
			path = manifestPath
		}
		got, err := fileSHA256(path)
		if err != nil {
			fail("SHA256SUMS lists %s, which cannot be read: %v", name, err)
		} else if got != sum {
			fail("SHA256SUMS gives %s the digest %s, but it has %s", name, sum, got)
		}
	}

	for _, platform := range platforms {
		goos, goarch, ok := strings.Cut(platform, "/")
		if !ok {
			fail("platform %q is not os/arch", platform)
			continue
		}
		archive := prefix + "_" + goos + "_" + goarch + ".zip"
		if !listed[archive] {
			fail("SHA256SUMS does not list %s", archive)
		}
		delete(listed, archive)
		binary := r.project + "_v" + r.version
		if goos == "windows" {
			binary += ".exe"
		}
		if err := checkArchive(filepath.Join(dist, archive), binary, r.version); err != nil {
			fail("%s: %v", archive, err)
		}
	}

	if !listed[manifestName] {
		fail("SHA256SUMS does not list %s", manifestName)
	}
	delete(listed, manifestName)
	want, err := os.ReadFile(manifestPath)
	if err != nil {
		fail("reading the repository's manifest: %v", err)
	} else if got, err := os.ReadFile(filepath.Join(dist, manifestName)); err == nil && !bytes.Equal(got, want) {
		fail("%s differs from %s", manifestName, manifestPath)
	} else if err != nil && !os.IsNotExist(err) {
		fail("the manifest beside SHA256SUMS: %v", err)
	}

	for _, extra := range sortedKeys(listed) {
		fail("SHA256SUMS lists %s, which is no archive of the platforms asked for", extra)
	}
	return r, problems
}

// checkArchive holds a zip to what the registry unpacks: the provider
// binary at its top, built with the release's version, and no other
// provider binary beside it (goreleaser adds the README and CHANGELOG).
func checkArchive(path, binary, version string) error {
	archive, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer archive.Close()
	var binaries []string
	for _, f := range archive.File {
		if strings.HasPrefix(f.Name, "terraform-provider-") {
			binaries = append(binaries, f.Name)
		}
	}
	if len(binaries) != 1 || binaries[0] != binary {
		return fmt.Errorf("holds the binaries %v, want %s alone", binaries, binary)
	}
	f, err := archive.Open(binary)
	if err != nil {
		return err
	}
	defer f.Close()
	content, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	// -X main.version puts the version's bytes into the binary; one built
	// without the release's ldflags reports "dev" to Terraform.
	if !bytes.Contains(content, []byte(version)) {
		return fmt.Errorf("%s does not carry the version %s (ldflags -X main.version missing?)", binary, version)
	}
	return nil
}

// readSums reads a SHA256SUMS file: "<hex digest>  <file name>" per line.
func readSums(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the checksum file: %w", err)
	}
	defer f.Close()
	sums := map[string]string{}
	scanner := bufio.NewScanner(f)
	for line := 1; scanner.Scan(); line++ {
		fields := strings.Fields(scanner.Text())
		if len(fields) != 2 || len(fields[0]) != sha256.Size*2 {
			return nil, fmt.Errorf("%s line %d is not \"<sha256>  <file>\": %q", filepath.Base(path), line, scanner.Text())
		}
		sums[fields[1]] = fields[0]
	}
	return sums, scanner.Err()
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
