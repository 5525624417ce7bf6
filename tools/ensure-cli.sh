#!/usr/bin/env bash
# Prints the path of a Terraform or OpenTofu CLI for the acceptance tests,
# building it first when this machine has none of that version.
#
#   tools/ensure-cli.sh terraform 1.8.5
#   tools/ensure-cli.sh tofu 1.12.6
#
# A CLI on PATH that reports the asked version is used as it is. Otherwise
# the binary lives in a cache outside the clone, one folder per name and
# version, so it is built once per machine and every clone and CI run
# reuses it:
#
#   ${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-applinks/cli/<name>-<version>/<name>
#
# How each one builds from the Go module proxy, measured on two cores:
# - Terraform up to 1.8 with `go install` (1.5.7 in 3 minutes, 1.8.5 in 8,
#   with a warm Go build cache; 1.5.7 cold on busy cores took 16).
#   From 1.9 on it cannot: the module's zip lacks the folders its go.mod
#   replace directives point at, so install a release from HashiCorp.
# - OpenTofu refuses `go install` (its go.mod has replace directives), but
#   builds with `go build ./cmd/tofu` inside the downloaded module (5 to 8
#   minutes each).
# Both are linked with version.dev=no, as their releases are, so that they
# report 1.8.5 and not 1.8.5-dev, which version checks read as older.
set -euo pipefail

if [ "$#" -ne 2 ]; then
  echo "usage: $0 terraform|tofu VERSION" >&2
  exit 2
fi
name="$1"
version="${2#v}"
case "${name}" in
  terraform) module="github.com/hashicorp/terraform" ;;
  tofu) module="github.com/opentofu/opentofu" ;;
  *)
    echo "ensure-cli: unknown CLI ${name}: terraform or tofu" >&2
    exit 2
    ;;
esac

# reported_version prints the version a CLI binary reports. OpenTofu writes
# warnings about the CLI configuration to stdout, so only the JSON field is
# taken.
reported_version() {
  "$1" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p'
}

if found="$(command -v "${name}" 2>/dev/null)" && [ "$(reported_version "${found}")" = "${version}" ]; then
  echo "${found}"
  exit 0
fi

cache="${XDG_CACHE_HOME:-${HOME}/.cache}/terraform-provider-applinks/cli"
bin_dir="${cache}/${name}-${version}"
if [ -x "${bin_dir}/${name}" ]; then
  echo "${bin_dir}/${name}"
  exit 0
fi

if [ "${name}" = terraform ] && [ "$(printf '%s\n' 1.9.0 "${version}" | sort -V | head -n 1)" = 1.9.0 ]; then
  echo "ensure-cli: Terraform ${version} cannot be built from the Go module proxy (from 1.9 on its module" >&2
  echo "lacks the folders its go.mod replace directives point at). Install it from" >&2
  echo "https://releases.hashicorp.com/terraform/${version}/ onto PATH, or put the binary at ${bin_dir}/terraform." >&2
  exit 1
fi

# The module's source comes from the proxy first, so that a machine without
# network to it fails here with a message, not in the middle of a build.
if ! download="$(go mod download -json "${module}@v${version}" 2>&1)"; then
  echo "ensure-cli: cannot download ${module}@v${version} from the Go module proxy ($(go env GOPROXY))" >&2
  echo "to build ${name} ${version}. Give this machine access to the proxy, or install ${name} ${version}" >&2
  echo "onto PATH, or put the binary at ${bin_dir}/${name}. go said:" >&2
  echo "${download}" >&2
  exit 1
fi
module_dir="$(printf '%s\n' "${download}" | sed -n 's/^[[:space:]]*"Dir": *"\([^"]*\)".*/\1/p')"

# A build goes to a folder of its own and is moved in place only when it
# succeeded, so an interrupted or concurrent build never leaves a broken
# binary where the next run would take it.
mkdir -p "${cache}"
partial="$(mktemp -d "${cache}/${name}-${version}.partial.XXXXXX")"
trap 'rm -rf "${partial}"' EXIT
ldflags="-s -w -X ${module}/version.dev=no"
started="$(date +%s)"
echo "ensure-cli: building ${name} ${version} into ${bin_dir} (once per machine; minutes)" >&2
if [ "${name}" = terraform ]; then
  GOBIN="${partial}" CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
    go install -trimpath -ldflags "${ldflags}" "${module}@v${version}" >&2
else
  # The module cache is read-only, so the binary is written straight into
  # the cache folder.
  (cd "${module_dir}" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false \
    go build -trimpath -ldflags "${ldflags}" -o "${partial}/tofu" ./cmd/tofu) >&2
fi
if ! mv -T "${partial}" "${bin_dir}" 2>/dev/null && [ ! -x "${bin_dir}/${name}" ]; then
  echo "ensure-cli: could not move the build of ${name} ${version} into ${bin_dir}" >&2
  exit 1
fi
echo "ensure-cli: built ${name} ${version} in $(($(date +%s) - started)) s" >&2
echo "${bin_dir}/${name}"
