#!/usr/bin/env python3
"""Project rules for the Action and the workflows that zizmor and the schemas
cannot know (issue 21). Run by scripts/lint-actions.sh with the lint venv's
Python (ruamel.yaml comes with check-jsonschema); exits 1 listing every breach.

Usage: check-workflows.py [ROOT]   (default: the repository root)

Rules:
- every `uses:` is pinned to a 40-hex commit with a `# vX` comment, except
  alertpath's own Action in the examples (no release commit exists yet to pin
  to; each example says to pin it), and local `./` actions;
- a job that uploads SARIF (alertpath's Action or upload-sarif) has
  `security-events: write` and `actions: read`;
- alertpath in a matrix job sets a category that names the matrix;
- `baseline-from-artifact` comes with a category; no `run:` in the examples
  swallows a failure with `|| true`;
- a pull-request workflow that uploads SARIF also runs on `push` to a branch,
  so code scanning has a base-branch analysis to compare with;
- in the release workflow, a job that runs cargo holds no write permission and
  no `id-token`, jobs that sign or publish run no cargo, and rustup installs a
  pinned toolchain (not stable/beta/nightly);
- action/run.sh verifies attestations with --signer-workflow and --source-ref;
- action.yml wires run.sh's steps: the baseline step's outputs reach the scan,
  the artifact is kept only after a successful upload and before fail-on.
"""

import re
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
UPLOADERS = ("alertpath/alertpath", "github/codeql-action/upload-sarif")
problems = []


def load(path):
    yaml = YAML(typ="rt")
    with open(path, encoding="utf-8") as f:
        return yaml.load(f)


def comment_after(mapping, key):
    """The end-of-line comment of mapping[key] (ruamel keeps it in .ca)."""
    tokens = mapping.ca.items.get(key) if hasattr(mapping, "ca") else None
    if not tokens:
        return ""
    return "".join(t.value for t in tokens if t is not None and hasattr(t, "value"))


def steps_of(doc):
    if "runs" in doc:
        yield "runs", None, doc["runs"].get("steps") or []
    for name, job in (doc.get("jobs") or {}).items():
        yield name, job, job.get("steps") or []


def check_pins(path, doc, example):
    for job_name, _, steps in steps_of(doc):
        for step in steps:
            uses = step.get("uses")
            if not uses or uses.startswith("./"):
                continue
            if example and uses.split("@")[0] == "alertpath/alertpath":
                continue
            if not PINNED.match(uses):
                problems.append(f"{path}: {job_name}: `uses: {uses}` is not pinned to a commit SHA")
            elif not re.search(r"#\s*v\d", comment_after(step, "uses")):
                problems.append(f"{path}: {job_name}: `uses: {uses}` has no `# vX.Y.Z` comment")


def check_upload_permissions(path, doc):
    for job_name, job, steps in steps_of(doc):
        if job is None:
            continue
        uploads = [s for s in steps if (s.get("uses") or "").split("@")[0] in UPLOADERS]
        if not uploads:
            continue
        perms = job.get("permissions") or doc.get("permissions") or {}
        for perm, level in (("security-events", "write"), ("actions", "read")):
            have = perms.get(perm) if isinstance(perms, dict) else None
            if have not in (level, "write"):
                problems.append(f"{path}: job {job_name} uploads SARIF without `{perm}: {level}`")
        matrix = (job.get("strategy") or {}).get("matrix")
        for step in uploads:
            inputs = step.get("with") or {}
            category = str(inputs.get("category") or "")
            if matrix and "matrix." not in category:
                problems.append(
                    f"{path}: job {job_name} runs in a matrix but its category {category!r} "
                    "does not name the matrix: the jobs would close each other's alerts"
                )
            if str(inputs.get("baseline-from-artifact", "")).lower() == "true" and not category:
                problems.append(f"{path}: job {job_name}: baseline-from-artifact needs a category")


def check_no_swallowed_failures(path, doc):
    for job_name, _, steps in steps_of(doc):
        for step in steps:
            if re.search(r"\|\|\s*true\b", str(step.get("run") or "")):
                problems.append(
                    f"{path}: job {job_name}: a `run:` swallows failures with `|| true` "
                    "(a 403 must fail the step, not look like a first run)"
                )


def check_pull_request_has_push(path, doc):
    on = doc.get("on") or doc.get(True) or {}
    if not isinstance(on, dict) or "pull_request" not in on:
        return
    uploads = any(
        (s.get("uses") or "").split("@")[0] in UPLOADERS for _, _, steps in steps_of(doc) for s in steps
    )
    push = on.get("push") or {}
    if uploads and not (isinstance(push, dict) and push.get("branches")):
        problems.append(
            f"{path}: uploads SARIF on pull_request but has no `push` to the base branch: "
            "code scanning has no analysis to compare the pull request with"
        )


def check_release(path, doc):
    pinned_env = str((doc.get("env") or {}).get("RUST_TOOLCHAIN", ""))
    for job_name, job, steps in steps_of(doc):
        perms = job.get("permissions") or {}
        writes = sorted(p for p, v in perms.items() if v == "write")
        runs = "\n".join(str(s.get("run") or "") for s in steps)
        builds = re.search(r"\bcargo\b", runs) is not None
        if builds and writes:
            problems.append(
                f"{path}: job {job_name} runs cargo (third-party build scripts) with write permissions {writes}"
            )
        signs = perms.get("id-token") == "write" or perms.get("attestations") == "write"
        if signs and (builds or any((s.get("uses") or "").startswith("actions/checkout") for s in steps)):
            problems.append(f"{path}: job {job_name} can sign attestations and also checks out or builds code")
        for m in re.finditer(r"rustup toolchain install\s+(\S+)", runs):
            toolchain = m.group(1).strip("\"'")
            if toolchain in ("$RUST_TOOLCHAIN", "${RUST_TOOLCHAIN}"):
                toolchain = pinned_env
            if not re.match(r"^\d+\.\d+\.\d+$", toolchain):
                problems.append(f"{path}: job {job_name} installs toolchain {toolchain!r}, not a pinned x.y.z")


def check_action_wiring(path, doc):
    """action.yml passes what action/run.sh's subcommands read (tests/action.rs
    runs those subcommands; this checks the glue between them)."""
    steps = doc["runs"]["steps"]

    def step(predicate, what):
        for i, s in enumerate(steps):
            if predicate(s):
                return i, s
        problems.append(f"{path}: no step {what}")
        return -1, {}

    def runs(sub):
        return lambda s: str(s.get("run") or "").rstrip("'").endswith(f"run.sh\" {sub}")

    def needs(s, what, key, fragment):
        value = str((s.get("env") or s.get("with") or {}).get(key, ""))
        if fragment not in value:
            problems.append(f"{path}: step {what}: {key} does not come from {fragment}")

    _, baseline = step(runs("baseline"), "running run.sh baseline")
    needs(baseline, "baseline", "GH_TOKEN", "inputs.token")
    needs(baseline, "baseline", "INPUT_CATEGORY", "inputs.category")
    if "inputs.baseline-from-artifact == 'true'" not in str(baseline.get("if", "")):
        problems.append(f"{path}: the baseline step does not run only with baseline-from-artifact")
    _, scan = step(runs("scan"), "running run.sh scan")
    needs(scan, "scan", "INPUT_BASELINE", "steps.baseline.outputs.path")
    needs(scan, "scan", "ALERTPATH_BASELINE_STATE", "steps.baseline.outputs.state")
    needs(scan, "scan", "ALERTPATH_JOB_TOTAL", "strategy.job-total")
    _, summary = step(runs("summary"), "running run.sh summary")
    needs(summary, "summary", "ALERTPATH_CARRY_NOTE", "steps.scan.outputs.carry-note")
    upload_at, upload = step(lambda s: "upload-sarif@" in str(s.get("uses", "")), "uploading SARIF")
    if "steps.scan.outputs.upload == 'true'" not in str(upload.get("if", "")):
        problems.append(f"{path}: the SARIF upload is not gated on the scan's upload decision")
    _, failed = step(runs("upload-failed"), "running run.sh upload-failed")
    needs(failed, "upload-failed", "GH_TOKEN", "inputs.token")
    keep_at, keep = step(lambda s: "upload-artifact@" in str(s.get("uses", "")), "keeping the baseline artifact")
    if "steps.upload.outcome == 'success'" not in str(keep.get("if", "")):
        problems.append(f"{path}: the baseline artifact is kept without a successful SARIF upload")
    needs(keep, "keep", "path", "steps.scan.outputs.keep-dir")
    needs(keep, "keep", "name", "steps.scan.outputs.artifact-name")
    enforce_at, _ = step(runs("enforce"), "running run.sh enforce")
    if not (upload_at < keep_at < enforce_at):
        problems.append(f"{path}: the order must be upload SARIF, keep the artifact, enforce fail-on")


def check_run_sh(path):
    text = path.read_text(encoding="utf-8")
    for flag in ("--signer-workflow", "--source-ref"):
        if flag not in text:
            problems.append(f"{path}: `gh attestation verify` lacks {flag}")


def main():
    workflows = sorted((ROOT / ".github/workflows").glob("*.yml"))
    examples = sorted((ROOT / "examples/github").glob("*.yml"))
    action = ROOT / "action.yml"
    for path in [action, *workflows, *examples]:
        doc = load(path)
        rel = path.relative_to(ROOT)
        example = path in examples
        check_pins(rel, doc, example)
        check_upload_permissions(rel, doc)
        if example:
            check_no_swallowed_failures(rel, doc)
            check_pull_request_has_push(rel, doc)
        if path.name == "release.yml":
            check_release(rel, doc)
    check_action_wiring(action.relative_to(ROOT), load(action))
    check_run_sh(ROOT / "action/run.sh")
    for problem in problems:
        print(f"check-workflows: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print("check-workflows: ok")


main()
