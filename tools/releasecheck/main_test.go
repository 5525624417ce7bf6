package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	testVersion  = "0.4.0-SNAPSHOT-abc1234"
	testManifest = `{"version":1,"metadata":{"protocol_versions":["6.0"]}}` + "\n"
)

var testPlatforms = []string{"linux/amd64", "windows/arm64"}

// writeDist lays out what goreleaser writes for testPlatforms, letting
// change alter a file's content (by name) before the checksums are taken.
func writeDist(t *testing.T, change func(name string, content []byte) []byte) (dist, manifest string) {
	t.Helper()
	dir := t.TempDir()
	dist = filepath.Join(dir, "dist")
	if err := os.Mkdir(dist, 0o700); err != nil {
		t.Fatal(err)
	}
	manifest = filepath.Join(dir, "terraform-registry-manifest.json")
	write := func(path string, content []byte) {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(manifest, []byte(testManifest))
	write(filepath.Join(dist, "metadata.json"),
		[]byte(`{"project_name":"terraform-provider-applinks","tag":"v0.0.0","version":"`+testVersion+`"}`))

	prefix := "terraform-provider-applinks_" + testVersion
	// As in a snapshot, the manifest is in SHA256SUMS but not in dist/.
	digest := sha256.Sum256([]byte(testManifest))
	var sums strings.Builder
	fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(digest[:]), prefix+"_manifest.json")
	files := map[string][]byte{}
	for _, platform := range testPlatforms {
		goos, goarch, _ := strings.Cut(platform, "/")
		binary := "terraform-provider-applinks_v" + testVersion
		if goos == "windows" {
			binary += ".exe"
		}
		var archive bytes.Buffer
		zw := zip.NewWriter(&archive)
		w, err := zw.Create(binary)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, "\x7fELF...main.version=%s...", testVersion)
		if w, err = zw.Create("README.md"); err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(w, "# readme")
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		files[prefix+"_"+goos+"_"+goarch+".zip"] = archive.Bytes()
	}
	for name, content := range files {
		if change != nil {
			content = change(name, content)
		}
		write(filepath.Join(dist, name), content)
		digest := sha256.Sum256(content)
		fmt.Fprintf(&sums, "%s  %s\n", hex.EncodeToString(digest[:]), name)
	}
	sumsContent := []byte(sums.String())
	if change != nil {
		sumsContent = change("SHA256SUMS", sumsContent)
	}
	write(filepath.Join(dist, prefix+"_SHA256SUMS"), sumsContent)
	return dist, manifest
}

func TestCheckPassesWhatGoreleaserWrites(t *testing.T) {
	dist, manifest := writeDist(t, nil)
	var stdout, stderr bytes.Buffer
	code := run([]string{"-dist", dist, "-manifest", manifest, "-platforms", strings.Join(testPlatforms, ",")}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "2 archives") {
		t.Errorf("output %q", stdout.String())
	}
}

func TestCheckFindsWhatTheRegistryWouldRefuse(t *testing.T) {
	prefix := "terraform-provider-applinks_" + testVersion
	for _, tc := range []struct {
		name      string
		platforms []string
		change    func(name string, content []byte) []byte
		want      string
	}{
		{
			name:      "a platform without its archive",
			platforms: append([]string{"darwin/arm64"}, testPlatforms...),
			want:      "SHA256SUMS does not list " + prefix + "_darwin_arm64.zip",
		},
		{
			name:      "an archive of a platform not asked for",
			platforms: testPlatforms[:1],
			want:      "SHA256SUMS lists " + prefix + "_windows_arm64.zip, which is no archive",
		},
		{
			name: "a checksum file missing the manifest",
			change: func(name string, content []byte) []byte {
				if name != "SHA256SUMS" {
					return content
				}
				var kept []string
				for _, line := range strings.Split(strings.TrimSpace(string(content)), "\n") {
					if !strings.HasSuffix(line, "_manifest.json") {
						kept = append(kept, line)
					}
				}
				return []byte(strings.Join(kept, "\n") + "\n")
			},
			want: "SHA256SUMS does not list " + prefix + "_manifest.json",
		},
		{
			name: "a manifest digest that is not the repository manifest's",
			change: func(name string, content []byte) []byte {
				if name != "SHA256SUMS" {
					return content
				}
				lines := strings.Split(string(content), "\n")
				lines[0] = strings.Repeat("1", 64) + lines[0][64:]
				return []byte(strings.Join(lines, "\n"))
			},
			want: "SHA256SUMS gives " + prefix + "_manifest.json the digest 1111",
		},
		{
			name: "two provider binaries in an archive",
			change: func(name string, content []byte) []byte {
				if !strings.HasSuffix(name, "_linux_amd64.zip") {
					return content
				}
				var archive bytes.Buffer
				zw := zip.NewWriter(&archive)
				for _, binary := range []string{"terraform-provider-applinks_v" + testVersion, "terraform-provider-applinks"} {
					w, _ := zw.Create(binary)
					_, _ = w.Write([]byte("main.version=" + testVersion))
				}
				_ = zw.Close()
				return archive.Bytes()
			},
			want: "want terraform-provider-applinks_v" + testVersion + " alone",
		},
		{
			name: "a binary without the version",
			change: func(name string, content []byte) []byte {
				if !strings.HasSuffix(name, "_linux_amd64.zip") {
					return content
				}
				var archive bytes.Buffer
				zw := zip.NewWriter(&archive)
				w, _ := zw.Create("terraform-provider-applinks_v" + testVersion)
				_, _ = w.Write([]byte("main.version=dev"))
				_ = zw.Close()
				return archive.Bytes()
			},
			want: "does not carry the version " + testVersion,
		},
		{
			name: "a digest that does not match",
			change: func(name string, content []byte) []byte {
				if name != "SHA256SUMS" {
					return content
				}
				lines := strings.Split(string(content), "\n")
				for i, line := range lines {
					if strings.HasSuffix(line, "_windows_arm64.zip") {
						lines[i] = strings.Repeat("0", 64) + line[64:]
					}
				}
				return []byte(strings.Join(lines, "\n"))
			},
			want: "SHA256SUMS gives " + prefix + "_windows_arm64.zip the digest",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dist, manifest := writeDist(t, tc.change)
			platforms := tc.platforms
			if platforms == nil {
				platforms = testPlatforms
			}
			var stdout, stderr bytes.Buffer
			code := run([]string{"-dist", dist, "-manifest", manifest, "-platforms", strings.Join(platforms, " ")}, &stdout, &stderr)
			if code != 1 {
				t.Fatalf("exit %d, want 1:\n%s%s", code, stdout.String(), stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("problems lack %q:\n%s", tc.want, stderr.String())
			}
		})
	}
}
