#!/usr/bin/env bash
# Prints the path of a Terraform CLI for the acceptance tests.
#
# Uses `terraform` from PATH when there is one. Otherwise it builds Terraform
# v1.5.7, the last release under the MPL, from the Go module proxy into
# .tools/ (ignored by git), so a machine with only Go can run the tests. The
# build takes about two minutes the first time and is reused afterwards.
set -euo pipefail

version="1.5.7"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="${root}/.tools/terraform-${version}"

if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ] && [ -x "${TF_ACC_TERRAFORM_PATH}" ]; then
  echo "${TF_ACC_TERRAFORM_PATH}"
  exit 0
fi

if [ -z "${APPLINKS_BUILD_TERRAFORM:-}" ] && found="$(command -v terraform 2>/dev/null)"; then
  echo "${found}"
  exit 0
fi

if [ ! -x "${bin_dir}/terraform" ]; then
  echo "ensure-terraform: no terraform on PATH; building v${version} with go install (about two minutes)" >&2
  mkdir -p "${bin_dir}"
  GOBIN="${bin_dir}" GOFLAGS=-buildvcs=false go install "github.com/hashicorp/terraform@v${version}" >&2
fi
echo "${bin_dir}/terraform"
