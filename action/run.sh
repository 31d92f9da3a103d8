#!/usr/bin/env bash
# The GitHub Action's step (action.yml): run the check as SARIF, record the exit code as the
# step's output `exit-code` (the action fails with it after the SARIF is uploaded).
#   MIXGUARD_ENVIRONMENT  mixguard's environment options (--lock F --platform P, --prefix D...)
#   MIXGUARD_PIP_ARGS     what `pip install` would be given
#   MIXGUARD_FAIL_ON      error | warning | never
#   MIXGUARD_SARIF        where to write the SARIF log
#   MIXGUARD              the command (default: mixguard)
set -uo pipefail
read -r -a env_args <<<"${MIXGUARD_ENVIRONMENT:-}"
read -r -a pip_args <<<"${MIXGUARD_PIP_ARGS:?pip-args is required}"
sarif="${MIXGUARD_SARIF:-mixguard.sarif}"
${MIXGUARD:-mixguard} check "${env_args[@]}" --fail-on "${MIXGUARD_FAIL_ON:-error}" \
  --format sarif -- "${pip_args[@]}" >"$sarif"
code=$?
echo "exit-code=$code" >>"${GITHUB_OUTPUT:-/dev/null}"
case $code in
  0) verdict="passes" ;;
  1) verdict="findings at or above --fail-on" ;;
  2) verdict="bad input (see the log above)" ;;
  3) verdict="pip cannot resolve the request" ;;
  4) verdict="unproven: facts could not be had" ;;
  *) verdict="exit $code" ;;
esac
echo "mixguard: pip install ${MIXGUARD_PIP_ARGS}: $verdict (SARIF: $sarif)" \
  | tee -a "${GITHUB_STEP_SUMMARY:-/dev/null}"
exit 0  # the action fails with the code after uploading the SARIF
