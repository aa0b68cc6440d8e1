#!/usr/bin/env bash
# The shell steps of the alertpath GitHub Action (action.yml), one subcommand
# per step, so they can be run and tested outside GitHub:
#
#   action/run.sh download   fetch the release binary, verify SHA-256 and attestation
#   action/run.sh baseline   fetch the previous run's SARIF from its workflow artifact
#   action/run.sh scan       run the scan (--exit-zero), decide whether SARIF may be uploaded
#   action/run.sh summary    write the Markdown report to $GITHUB_STEP_SUMMARY
#   action/run.sh upload-failed   warn that code scanning refused the upload, naming why
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
#             GH_TOKEN (for `gh attestation verify`, which checks the signer
#             workflow <repo>/.github/workflows/release.yml and the tag's ref)
#   baseline: INPUT_CATEGORY, GH_TOKEN (actions: read), GITHUB_API_URL,
#             GITHUB_REPOSITORY, GITHUB_REF, GITHUB_REF_NAME, GITHUB_WORKFLOW_REF, RUNNER_TEMP
#   scan:     ALERTPATH_BIN, INPUT_MODE, INPUT_ARGS, INPUT_CONFIG, INPUT_SARIF_FILE,
#             INPUT_JSON_FILE, INPUT_MARKDOWN_FILE, INPUT_FAIL_ON, INPUT_CATEGORY,
#             INPUT_BASELINE, INPUT_UPLOAD_SARIF, INPUT_EVIDENCE_DIR,
#             ALERTPATH_BASELINE_STATE (the baseline step's state), ALERTPATH_JOB_TOTAL
#             (strategy.job-total: a matrix needs a category per job)
#   summary:  INPUT_SUMMARY, ALERTPATH_MARKDOWN, ALERTPATH_UPLOAD_NOTE, ALERTPATH_CARRY_NOTE
#   upload-failed: GH_TOKEN, GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_RUN_ID
#   enforce:  ALERTPATH_EXIT_CODE, INPUT_FAIL_ON
#
# Outputs go to $GITHUB_OUTPUT as name=value lines.
set -euo pipefail

log() { printf '%s\n' "$*" >&2; }
error() { printf '::error::%s\n' "$*"; }
warning() { printf '::warning::%s\n' "$*"; }
notice() { printf '::notice::%s\n' "$*"; }
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

# The release target for this runner, into $TARGET. Not called in a command
# substitution, so its ::error:: reaches the log.
resolve_target() {
    local os="${RUNNER_OS:-$(uname -s)}" arch="${RUNNER_ARCH:-$(uname -m)}"
    case "$arch" in
        X64 | x86_64 | amd64) arch=x86_64 ;;
        ARM64 | aarch64 | arm64) arch=aarch64 ;;
        *) error "alertpath: no release binary for architecture $(escape "$arch") (x86_64 and arm64 only)"; return 1 ;;
    esac
    case "$os" in
        Linux | linux) TARGET="$arch-unknown-linux-musl" ;;
        macOS | Darwin | darwin) TARGET="$arch-apple-darwin" ;;
        *) error "alertpath: no release binary for $(escape "$os") runners (Linux and macOS runners only)"; return 1 ;;
    esac
}

# A GitHub REST call: writes the body to $2, prints the HTTP status (000 when
# unreachable). The token goes to curl through stdin, never on its command line.
api_get() {
    local url="$1" out="$2" token="${GH_TOKEN:-}"
    printf 'header = "Authorization: Bearer %s"\n' "$token" |
        curl --silent --show-error --location --retry 2 --config - \
            --header "Accept: application/vnd.github+json" \
            --header "X-GitHub-Api-Version: 2022-11-28" \
            --output "$out" --write-out '%{http_code}' "$url" 2>/dev/null || true
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
    local asset sums dir
    resolve_target || return 1
    asset="alertpath-$version-$TARGET.tar.gz"
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
        # Only the release workflow, run for this very tag on a GitHub-hosted
        # runner, may have signed it: not any workflow of the repository.
        if ! gh attestation verify "$dir/$asset" --repo "$repo" \
            --signer-workflow "$repo/.github/workflows/release.yml" \
            --source-ref "refs/tags/$version" \
            --deny-self-hosted-runners; then
            error "alertpath: build provenance attestation of $asset did not verify: it must be signed by $repo/.github/workflows/release.yml for refs/tags/$version"
            return 1
        fi
    fi

    tar -xzf "$dir/$asset" -C "$dir" alertpath
    chmod +x "$dir/alertpath"
    "$dir/alertpath" --version >&2
    output binary "$dir/alertpath"
}

# A category without its trailing `/`s (GitHub's API writes `<category>/`).
category_key() {
    local c="$1"
    while [ "${c%/}" != "$c" ]; do c="${c%/}"; done
    printf '%s' "$c"
}

# The workflow artifact that keeps a category's SARIF for the next run. Artifact
# names may not hold / \ : < > | * ? " or newlines.
artifact_name() {
    local c
    c="$(category_key "$1")"
    printf 'alertpath-baseline-%s' "$(printf '%s' "$c" | tr -c 'A-Za-z0-9._-' '_')"
}

# The previous run's SARIF, from the newest artifact of this category that a run
# of this same workflow, on this branch, in this repository (not a fork) kept
# after its upload to code scanning succeeded. Outputs path= and state=:
#   found      the baseline is at path
#   first-run  no artifact, and code scanning has no alertpath analysis of this category
#   missing    no artifact, but code scanning has (or may have) analyses of this
#              category: the baseline expired or was deleted, so a partial scan is not uploaded
# Any failure to list or download the artifacts fails the step: a 403 is not a first run.
cmd_baseline() {
    local category="${INPUT_CATEGORY:-}"
    if [ -z "$(category_key "$category")" ]; then
        error "alertpath: baseline-from-artifact needs the category input: one baseline per category"
        return 2
    fi
    local api="${GITHUB_API_URL:-https://api.github.com}"
    local repo="${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"
    local branch="${GITHUB_REF_NAME:?GITHUB_REF_NAME is not set}"
    local ref="${GITHUB_REF:-refs/heads/$branch}"
    local workflow="${GITHUB_WORKFLOW_REF:?GITHUB_WORKFLOW_REF is not set}"
    workflow="${workflow#"$repo"/}"
    workflow="${workflow%%@*}"
    local name dir status
    name="$(artifact_name "$category")"
    dir="${RUNNER_TEMP:-/tmp}/alertpath-baseline"
    rm -rf "$dir"
    mkdir -p "$dir"
    output artifact-name "$name"

    status="$(api_get "$api/repos/$repo/actions/artifacts?name=$name&per_page=100" "$dir/artifacts.json")"
    if [ "$status" != 200 ]; then
        error "alertpath: cannot list the workflow artifacts of $repo (HTTP $status): the job needs the 'actions: read' permission to fetch the previous run's baseline. Not treated as a first run: without the baseline, alerts of scopes not assessed tonight would close."
        return 1
    fi
    local candidates
    candidates="$(jq -r --arg branch "$branch" '
        [.artifacts[]
         | select(.expired == false)
         | select(.workflow_run.head_branch == $branch)
         | select(.workflow_run.head_repository_id == .workflow_run.repository_id)]
        | sort_by(.created_at) | reverse | .[]
        | "\(.id)\t\(.workflow_run.id)"' "$dir/artifacts.json")" || {
        error "alertpath: the artifacts list of $repo is not the JSON GitHub documents"
        return 1
    }
    local id run chosen=""
    while IFS=$'\t' read -r id run; do
        [ -n "$id" ] || continue
        status="$(api_get "$api/repos/$repo/actions/runs/$run" "$dir/run.json")"
        if [ "$status" != 200 ]; then
            error "alertpath: cannot read workflow run $run of $repo (HTTP $status): the job needs 'actions: read'"
            return 1
        fi
        # GitHub documents `path` as `.github/workflows/x.yml@<ref>`; runs often omit the ref.
        if [ "$(jq -r '(.path // "") | sub("@.*$"; "")' "$dir/run.json")" = "$workflow" ]; then
            chosen="$id"
            break
        fi
    done <<<"$candidates"

    if [ -z "$chosen" ]; then
        local state
        state="$(previous_analysis_state "$api" "$repo" "$ref" "$category" "$dir")"
        output state "$state"
        if [ "$state" = first-run ]; then
            notice "alertpath: no baseline artifact $name and no alertpath analysis of category $(category_key "$category") in code scanning: first run"
        else
            warning "alertpath: no baseline artifact $name from a previous run of $workflow on $branch, but code scanning has (or may have) analyses of category $(category_key "$category"): the baseline expired or was deleted. A partial scan will not be uploaded."
        fi
        return 0
    fi

    status="$(api_get "$api/repos/$repo/actions/artifacts/$chosen/zip" "$dir/baseline.zip")"
    if [ "$status" != 200 ]; then
        error "alertpath: cannot download artifact $chosen ($name) of $repo (HTTP $status): the job needs 'actions: read'"
        return 1
    fi
    mkdir -p "$dir/previous"
    if ! unzip -q -o "$dir/baseline.zip" alertpath.sarif alertpath.json -d "$dir/previous" ||
        ! jq -e '.runs | type == "array"' "$dir/previous/alertpath.sarif" >/dev/null; then
        error "alertpath: artifact $chosen ($name) does not hold the alertpath.sarif and alertpath.json the Action keeps"
        return 1
    fi
    log "alertpath: baseline from artifact $chosen ($name)"
    output path "$dir/previous/alertpath.sarif"
    output state found
}

# Whether code scanning already holds an alertpath analysis of this category on
# this ref: first-run (none), else missing (some, or it cannot tell).
previous_analysis_state() {
    local api="$1" repo="$2" ref="$3" category="$4" dir="$5" status
    status="$(api_get "$api/repos/$repo/code-scanning/analyses?tool_name=alertpath&ref=$ref&per_page=100" "$dir/analyses.json")"
    if [ "$status" = 404 ] && jq -e '(.message // "") | test("no analysis found"; "i")' "$dir/analyses.json" >/dev/null 2>&1; then
        printf first-run
    elif [ "$status" = 200 ] && jq -e --arg c "$(category_key "$category")" \
        '[.[] | (.category // "") | sub("/+$"; "")] | any(. == $c) | not' "$dir/analyses.json" >/dev/null 2>&1; then
        printf first-run
    else
        printf missing
    fi
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

    local category="${INPUT_CATEGORY:-}"
    if [ "${ALERTPATH_JOB_TOTAL:-1}" -gt 1 ] 2>/dev/null && [ -z "$(category_key "$category")" ]; then
        # upload-sarif would derive a per-job category, but the SARIF's own
        # automationDetails.id wins: every job would overwrite the others' alerts.
        error "alertpath: this job is one of ${ALERTPATH_JOB_TOTAL} in a matrix: set the category input, one per job (e.g. alertpath/org/\${{ matrix.scope }}), or their SARIF uploads close each other's alerts"
        output exit-code 2
        output upload false
        return 2
    fi

    local -a cmd=("$bin" scan --exit-zero --color never
        --format sarif --output "$sarif"
        --format json --output "$json"
        --format markdown --output "$markdown")
    [ -n "${INPUT_CONFIG:-}" ] && cmd+=(--config "$INPUT_CONFIG")
    [ -n "$category" ] && cmd+=(--sarif-category "$(category_key "$category")")
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

    local results carried uncovered reasons over_shown
    IFS=$'\t' read -r results carried uncovered over_shown reasons < <(jq -r '
        .runs[0] as $run
        | [($run.results | length), ($run.properties.baseline.carriedOver // 0),
           ($run.properties.baseline.uncovered // 0), ($run.properties.overShownLimit // 0),
           (($run.properties.baseline.uncoveredReasons // []) | join("; "))] | @tsv' "$sarif")
    results="${results:-0}" carried="${carried:-0}" uncovered="${uncovered:-0}" over_shown="${over_shown:-0}"
    output carried-over "$carried"
    if [ "$over_shown" -gt 0 ]; then
        warning "alertpath: the SARIF has $results results; code scanning keeps and shows only the 5,000 most severe of a run, so $over_shown will not appear as alerts. The JSON report and the job summary list them all; narrow the scope per category (one category per account group) to see every alert."
    fi

    local upload=true note="" carry_note="" state="${ALERTPATH_BASELINE_STATE:-}"
    if [ "${INPUT_UPLOAD_SARIF:-true}" != "true" ]; then
        upload=false
    elif [ "$partial" -eq 0 ]; then
        :
    elif [ -n "$baseline" ] && [ "$uncovered" -eq 0 ]; then
        carry_note="$partial outcome(s) were not assessed in this run; $carried alert(s) of the previous run were carried over for them, so code scanning keeps them open."
    elif [ -n "$baseline" ]; then
        upload=false
        note="SARIF not uploaded: $uncovered not-assessed outcome(s) are not covered by the baseline, so uploading could close their alerts: $reasons"
    elif [ "$state" = first-run ]; then
        carry_note="First run of this category: $partial outcome(s) were not assessed, and code scanning holds no alerts of this category yet, so none can close."
    else
        upload=false
        if [ "$state" = missing ]; then
            note="SARIF not uploaded: $partial outcome(s) were not assessed, and the previous run's baseline artifact was not found although code scanning has (or may have) analyses of this category. Uploading would close the alerts of what could not be read. Re-run once every scope is readable, or give the previous SARIF as the baseline input."
        else
            note="SARIF not uploaded: $partial outcome(s) were not assessed and no baseline SARIF was given. Uploading would close the alerts of the scopes that could not be read. Set baseline-from-artifact: true (the Action keeps each run's SARIF as a workflow artifact), or pass the previous run's SARIF as the baseline input."
        fi
    fi
    [ -n "$note" ] && warning "alertpath: $note"
    [ -n "$carry_note" ] && log "alertpath: $carry_note"

    # The files the next run's baseline step downloads (kept only after a
    # successful upload: see action.yml).
    local keep="${RUNNER_TEMP:-/tmp}/alertpath-keep"
    rm -rf "$keep"
    mkdir -p "$keep"
    cp "$sarif" "$keep/alertpath.sarif"
    cp "$json" "$keep/alertpath.json"
    output keep-dir "$keep"
    [ -n "$(category_key "$category")" ] && output artifact-name "$(artifact_name "$category")"
    output upload "$upload"
    output upload-note "$note"
    output carry-note "$carry_note"
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
    if [ -n "${ALERTPATH_CARRY_NOTE:-}" ]; then
        printf '> [!NOTE]\n> %s\n\n' "$ALERTPATH_CARRY_NOTE" >>"$summary"
    fi
    cat "$markdown" >>"$summary"
}

# Name what is missing: the token's actions: read (upload-sarif reads the
# workflow run in private repositories), its security-events: write, or code
# scanning itself. Each is probed with the job's token.
cmd_upload_failed() {
    local api="${GITHUB_API_URL:-https://api.github.com}" repo="${GITHUB_REPOSITORY:-}"
    local dir="${RUNNER_TEMP:-/tmp}" status message
    local tail="fail-on is still enforced."
    if [ -n "$repo" ] && [ -n "${GITHUB_RUN_ID:-}" ] && [ -n "${GH_TOKEN:-}" ]; then
        status="$(api_get "$api/repos/$repo/actions/runs/$GITHUB_RUN_ID" "$dir/alertpath-run.json")"
        if [ "$status" = 403 ] || [ "$status" = 404 ]; then
            warning "alertpath: the SARIF upload failed: the job's token cannot read this workflow run (HTTP $status). Add 'actions: read' to the job's permissions: upload-sarif needs it in private repositories. $tail"
            return 0
        fi
        status="$(api_get "$api/repos/$repo/code-scanning/analyses?per_page=1" "$dir/alertpath-analyses.json")"
        message="$(jq -r '.message // ""' "$dir/alertpath-analyses.json" 2>/dev/null || true)"
        if [ "$status" = 403 ] && [[ "$message" == *"not accessible by integration"* ]]; then
            warning "alertpath: the SARIF upload failed: the job's token may not use code scanning. Add 'security-events: write' to the job's permissions. $tail"
            return 0
        fi
        if [ "$status" = 403 ]; then
            warning "alertpath: the SARIF upload failed: code scanning is not enabled for $repo ($(escape "$message")); private repositories need GitHub Code Security. $tail"
            return 0
        fi
    fi
    warning "alertpath: the SARIF upload failed. Check the job's permissions (security-events: write, and actions: read in private repositories) and that code scanning is enabled (private repositories need GitHub Code Security). $tail"
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
        baseline) cmd_baseline ;;
        scan) cmd_scan ;;
        summary) cmd_summary ;;
        upload-failed) cmd_upload_failed ;;
        enforce) cmd_enforce ;;
        *)
            log "usage: $0 download|baseline|scan|summary|upload-failed|enforce"
            return 2
            ;;
    esac
}

main "$@"
