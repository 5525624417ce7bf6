#!/usr/bin/env bash
# Prints the path of the Terraform CLI that `make test` runs the whole
# acceptance suite on.
#
# Uses TF_ACC_TERRAFORM_PATH when it names a binary, else `terraform` from
# PATH. Otherwise tools/ensure-cli.sh builds Terraform v1.5.7, the last
# release under the MPL, from the Go module proxy into the user's cache
# folder (about three minutes, once per machine), so a machine with only Go
# can run the tests. `make test-matrix` runs the other CLIs.
set -euo pipefail

if [ -n "${TF_ACC_TERRAFORM_PATH:-}" ] && [ -x "${TF_ACC_TERRAFORM_PATH}" ]; then
  echo "${TF_ACC_TERRAFORM_PATH}"
  exit 0
fi

if [ -z "${APPLINKS_BUILD_TERRAFORM:-}" ] && found="$(command -v terraform 2>/dev/null)"; then
  echo "${found}"
  exit 0
fi

exec "$(dirname "${BASH_SOURCE[0]}")/ensure-cli.sh" terraform 1.5.7
