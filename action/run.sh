#!/usr/bin/env bash
# The shell steps of the alertpath GitHub Action (action.yml), one subcommand
# per step, so they can be run and tested outside GitHub:
#
#   action/run.sh download   fetch the release binary, verify SHA-256 and attestation
#   action/run.sh scan       run the scan (--exit-zero), decide whether SARIF may be uploaded
#   action/run.sh summary    write the Markdown report to $GITHUB_STEP_SUMMARY
#   action/run.sh upload-failed   warn that code scanning refused the upload
#   action/run.sh enforce    apply fail-on after the upload: exit with the scan's exit code
#
# Every value comes from the environment (action.yml passes inputs through
# `env:`, never through `${{ }}` inside a script):
#
#   download: ALERTPATH_VERSION (tag, e.g. v0.1.0), ALERTPATH_REPO (owner/name),
#             GITHUB_SERVER_URL, RUNNER_OS, RUNNER_ARCH, RUNNER_TEMP,
#             ALERTPATH_DOWNLOAD_BASE (overrides
#             ${GITHUB_SERVER_URL}/${ALERTPATH_REPO}/releases/download, for tests),
#             ALERTPATH_INSTALL_DIR (default ${RUNNER_TEMP}/alertpath-bin),
#             ALERTPATH_SKIP_ATTESTATION=1 (tests only: skip `gh attestation verify`),
#             GH_TOKEN (for `gh attestation verify`)
#   scan:     ALERTPATH_BIN, INPUT_MODE, INPUT_ARGS, INPUT_CONFIG, INPUT_SARIF_FILE,
#             INPUT_JSON_FILE, INPUT_MARKDOWN_FILE, INPUT_FAIL_ON, INPUT_CATEGORY,
#             INPUT_BASELINE, INPUT_UPLOAD_SARIF, INPUT_EVIDENCE_DIR
#   summary:  INPUT_SUMMARY, ALERTPATH_MARKDOWN, ALERTPATH_UPLOAD_NOTE
#   enforce:  ALERTPATH_EXIT_CODE, INPUT_FAIL_ON
#
# Outputs go to $GITHUB_OUTPUT as name=value lines.
set -euo pipefail

log() { printf '%s\n' "$*" >&2; }
error() { printf '::error::%s\n' "$*"; }
warning() { printf '::warning::%s\n' "$*"; }
output() {
    local out="${GITHUB_OUTPUT:-/dev/null}"
    printf '%s=%s\n' "$1" "$2" >>"$out"
}
# GitHub workflow-command values must not carry newlines or %.
escape() {
    local s="$1" pct="%" cr=$'\r' nl=$'\n'
    s="${s//$pct/%25}"
    s="${s//$cr/%0D}"
    printf '%s' "${s//$nl/%0A}"
}

sha256() {
    if command -v sha256sum >/dev/null; then
        sha256sum "$1" | cut -d' ' -f1
    else
        shasum -a 256 "$1" | cut -d' ' -f1
    fi
}

# The release target for this runner.
target() {
    local os="${RUNNER_OS:-$(uname -s)}" arch="${RUNNER_ARCH:-$(uname -m)}"
    case "$arch" in
        X64 | x86_64 | amd64) arch=x86_64 ;;
        ARM64 | aarch64 | arm64) arch=aarch64 ;;
        *) error "alertpath: no release binary for architecture $arch"; return 1 ;;
    esac
    case "$os" in
        Linux | linux) printf '%s-unknown-linux-musl' "$arch" ;;
        macOS | Darwin | darwin) printf '%s-apple-darwin' "$arch" ;;
        *) error "alertpath: no release binary for $os (Linux and macOS runners only)"; return 1 ;;
    esac
}

cmd_download() {
    local version="${ALERTPATH_VERSION:?ALERTPATH_VERSION is required}"
    case "$version" in v*) ;; *) version="v$version" ;; esac
    if ! [[ "$version" =~ ^v[0-9A-Za-z.+-]+$ ]]; then
        error "alertpath: version $(escape "$version") is not a release tag"
        return 2
    fi
    local repo="${ALERTPATH_REPO:-alertpath/alertpath}"
    local base="${ALERTPATH_DOWNLOAD_BASE:-${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download}"
    local tgt asset sums dir
    tgt="$(target)"
    asset="alertpath-$version-$tgt.tar.gz"
    sums="alertpath-$version-SHA256SUMS"
    dir="${ALERTPATH_INSTALL_DIR:-${RUNNER_TEMP:-/tmp}/alertpath-bin}"
    mkdir -p "$dir"
    log "alertpath: downloading $asset from $base/$version"
    curl --fail --silent --show-error --location --retry 3 \
        --output "$dir/$asset" "$base/$version/$asset"
    curl --fail --silent --show-error --location --retry 3 \
        --output "$dir/$sums" "$base/$version/$sums"

    local want have
    want="$(awk -v f="$asset" '{ n = $2; sub(/^\*/, "", n) } n == f { print $1 }' "$dir/$sums")"
    if [ -z "$want" ]; then
        error "alertpath: $asset is not listed in $sums"
        return 1
    fi
    have="$(sha256 "$dir/$asset")"
    if [ "$have" != "$want" ]; then
        error "alertpath: SHA-256 mismatch for $asset: got $have, $sums says $want"
        rm -f "$dir/$asset"
        return 1
    fi
    log "alertpath: SHA-256 ok ($have)"

    if [ "${ALERTPATH_SKIP_ATTESTATION:-}" = "1" ]; then
        warning "alertpath: build provenance attestation NOT verified (ALERTPATH_SKIP_ATTESTATION=1, for tests only)"
    else
        if ! command -v gh >/dev/null; then
            error "alertpath: the GitHub CLI (gh) is required to verify the build provenance attestation"
            return 1
        fi
        if ! gh attestation verify "$dir/$asset" --repo "$repo"; then
            error "alertpath: build provenance attestation of $asset did not verify against $repo"
            return 1
        fi
    fi

    tar -xzf "$dir/$asset" -C "$dir" alertpath
    chmod +x "$dir/alertpath"
    "$dir/alertpath" --version >&2
    output binary "$dir/alertpath"
}

# Whether the extra arguments contain a flag.
has_arg() {
    local want="$1" a
    shift
    for a in "$@"; do
        [ "$a" = "$want" ] || [[ "$a" == "$want="* ]] && return 0
    done
    return 1
}

# From the JSON report: failures per severity, not-assessed, the outcomes that make
# a scope partial, and the exit code the scan would have given under fail-on.
# shellcheck disable=SC2016 # a jq program: $names are jq variables
FACTS_JQ='
def rank: {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}[.];
.summary as $s
| ($s.fail_by_severity // {}) as $by
| ([.findings[] | select(.status == "fail")
     | select($fail_on != "none" and (.severity | rank) >= ($fail_on | rank))] | length) as $failing
| ([.findings[] | select(.status == "not_assessed")
     | select($strict_unknowns or .unknown != "known_after_apply")] | length) as $partial
| [($by.critical // 0), ($by.high // 0), ($by.medium // 0), ($by.low // 0), ($by.info // 0),
   $s.not_assessed, $partial,
   (if $failing > 0 then 1 elif $partial > 0 and ($allow_partial | not) then 3 else 0 end)]
| @tsv'

cmd_scan() {
    local bin="${ALERTPATH_BIN:?ALERTPATH_BIN is required: the download step output}"
    local mode="${INPUT_MODE:-live}"
    local sarif="${INPUT_SARIF_FILE:-alertpath.sarif}"
    local json="${INPUT_JSON_FILE:-alertpath.json}"
    local markdown="${INPUT_MARKDOWN_FILE:-${RUNNER_TEMP:-/tmp}/alertpath-summary.md}"
    case "${INPUT_FAIL_ON:-high}" in
        critical | high | medium | low | info | none) ;;
        *) error "alertpath: fail-on must be critical, high, medium, low, info or none"; output exit-code 2; return 2 ;;
    esac
    local -a extra=()
    # Split on whitespace only: no quotes, no globbing, no expansion.
    if [ -n "${INPUT_ARGS:-}" ]; then
        read -r -a extra <<<"$(printf '%s' "$INPUT_ARGS" | tr '\n' ' ')"
    fi
    case "$mode" in
        live) ;;
        plan)
            has_arg --plan ${extra[@]+"${extra[@]}"} || { error "alertpath: mode plan needs --plan FILE in args"; output exit-code 2; return 2; } ;;
        terraform)
            has_arg --terraform ${extra[@]+"${extra[@]}"} || { error "alertpath: mode terraform needs --terraform DIR in args"; output exit-code 2; return 2; } ;;
        *) error "alertpath: mode must be live, plan or terraform, not $(escape "$mode")"; output exit-code 2; return 2 ;;
    esac

    local -a cmd=("$bin" scan --exit-zero --color never
        --format sarif --output "$sarif"
        --format json --output "$json"
        --format markdown --output "$markdown")
    [ -n "${INPUT_CONFIG:-}" ] && cmd+=(--config "$INPUT_CONFIG")
    [ -n "${INPUT_CATEGORY:-}" ] && cmd+=(--sarif-category "$INPUT_CATEGORY")
    [ -n "${INPUT_EVIDENCE_DIR:-}" ] && cmd+=(--evidence "$INPUT_EVIDENCE_DIR")
    local baseline=""
    if [ -n "${INPUT_BASELINE:-}" ]; then
        if [ -f "$INPUT_BASELINE" ]; then
            baseline="$INPUT_BASELINE"
            cmd+=(--baseline "$baseline")
        else
            warning "alertpath: baseline $(escape "$INPUT_BASELINE") not found (first run?); scanning without it"
        fi
    fi
    cmd+=(${extra[@]+"${extra[@]}"})

    output sarif-file "$sarif"
    output json-file "$json"
    output markdown-file "$markdown"
    log "alertpath: ${cmd[*]}"
    local rc=0
    "${cmd[@]}" || rc=$?
    if [ "$rc" -ne 0 ] || [ ! -s "$json" ]; then
        # --exit-zero never masks 2: an error. Never upload: an empty or partial
        # SARIF would close every open alert as fixed.
        error "alertpath: the scan failed (exit $rc); nothing is uploaded"
        output exit-code 2
        output upload false
        return 2
    fi

    local fail_on="${INPUT_FAIL_ON:-high}" allow_partial=false strict_unknowns=false
    case "$fail_on" in
        critical | high | medium | low | info | none) ;;
        *) error "alertpath: fail-on must be critical, high, medium, low, info or none"; output exit-code 2; return 2 ;;
    esac
    has_arg --allow-partial ${extra[@]+"${extra[@]}"} && allow_partial=true
    has_arg --strict-unknowns ${extra[@]+"${extra[@]}"} && strict_unknowns=true
    has_arg --fail-on ${extra[@]+"${extra[@]}"} && warning "alertpath: use the fail-on input, not --fail-on in args"
    local facts
    if ! facts="$(jq -r --arg fail_on "$fail_on" --argjson allow_partial "$allow_partial" \
        --argjson strict_unknowns "$strict_unknowns" "$FACTS_JQ" "$json")"; then
        error "alertpath: $json is not a JSON report"
        output exit-code 2
        output upload false
        return 2
    fi
    local critical high medium low info not_assessed partial code
    IFS=$'\t' read -r critical high medium low info not_assessed partial code <<<"$facts"
    output critical "$critical"
    output high "$high"
    output medium "$medium"
    output low "$low"
    output info "$info"
    output not-assessed "$not_assessed"
    output exit-code "$code"
    log "alertpath: failures critical=$critical high=$high medium=$medium low=$low info=$info; not assessed=$not_assessed; exit code under fail-on $fail_on: $code"

    local upload=true note=""
    if [ "${INPUT_UPLOAD_SARIF:-true}" != "true" ]; then
        upload=false
    elif [ "$partial" -gt 0 ] && [ -z "$baseline" ]; then
        upload=false
        note="SARIF not uploaded: $partial outcome(s) were not assessed and no baseline SARIF was given. Uploading would close the alerts of the scopes that could not be read. Pass the previous run's SARIF as the baseline input (e.g. from the previous run's artifact)."
        warning "alertpath: $note"
    fi
    output upload "$upload"
    output upload-note "$note"
}

cmd_summary() {
    if [ "${INPUT_SUMMARY:-true}" != "true" ]; then
        return 0
    fi
    local markdown="${ALERTPATH_MARKDOWN:?ALERTPATH_MARKDOWN is required}"
    local summary="${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}"
    if [ ! -f "$markdown" ]; then
        warning "alertpath: no Markdown report to summarize"
        return 0
    fi
    if [ -n "${ALERTPATH_UPLOAD_NOTE:-}" ]; then
        printf '> [!WARNING]\n> %s\n\n' "$ALERTPATH_UPLOAD_NOTE" >>"$summary"
    fi
    cat "$markdown" >>"$summary"
}

cmd_upload_failed() {
    warning "alertpath: the SARIF upload failed: code scanning may be unavailable for this repository (private without GitHub Advanced Security) or the job lacks security-events: write. fail-on is still enforced."
}

cmd_enforce() {
    local code="${ALERTPATH_EXIT_CODE:-2}" fail_on="${INPUT_FAIL_ON:-high}"
    case "$code" in
        0) log "alertpath: nothing at or above $fail_on, everything assessed" ;;
        1) error "alertpath: failures at or above $fail_on (see the job summary and code scanning)" ;;
        3) error "alertpath: some scope was not assessed (add --allow-partial to args to accept)" ;;
        *) error "alertpath: the scan did not complete"; code=2 ;;
    esac
    return "$code"
}

main() {
    local sub="${1:-}"
    case "$sub" in
        download) cmd_download ;;
        scan) cmd_scan ;;
        summary) cmd_summary ;;
        upload-failed) cmd_upload_failed ;;
        enforce) cmd_enforce ;;
        *)
            log "usage: $0 download|scan|summary|upload-failed|enforce"
            return 2
            ;;
    esac
}

main "$@"
