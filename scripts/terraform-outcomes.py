#!/usr/bin/env python3
"""Counts fail and not-assessed outcomes of `alertpath scan` over every
Terraform fixture, read as plan, HCL and plan+HCL (configs as in
tests/it/rule_snapshots.rs). Usage: scripts/terraform-outcomes.py BINARY [FIXTURES_DIR]"""
import json, os, subprocess, sys, tempfile
ADMIN = '[terraform]\nrole = "guardduty-admin"\n'
CONFIGS = {
    "parity": '[terraform]\nrole = "guardduty-admin"\naccount_id = "111111111111"\n',
    "parity-org-root": '[terraform]\nrole = "management"\naccount_id = "123456789012"\n',
    "primer-org-root": '[terraform]\nrole = "management"\n',
    "custom-pager": '[terraform]\nrole = "guardduty-admin"\naccount_id = "111111111111"\n\n[pager]\nendpoint_patterns = ["https://api.opsgenie.com/v1/json/amazonsns*"]\n',
    "upper-case-key": '[terraform]\nrole = "member"\n',
    "no-region": '[terraform]\nrole = "guardduty-admin"\naccount_id = "222222222222"\nregions = ["us-east-1", "us-west-2"]\n',
    "proxy-provider": '[terraform]\nrole = "guardduty-admin"\naccount_id = "222222222222"\nregions = ["us-east-1", "us-west-2"]\n',
    "flag-count": '[terraform]\nrole = "guardduty-admin"\naccount_id = "222222222222"\n',
    "other-stack": '[terraform]\nrole = "guardduty-admin"\naccount_id = "222222222222"\n',
    "contains-count": '[terraform]\nrole = "management"\naccount_id = "222222222222"\n',
}
SKIP = {"plan-bad-version", "truncated", "hcl-errors", "modules/notify-slack"}
binary = os.path.abspath(sys.argv[1])
root = sys.argv[2] if len(sys.argv) > 2 else "tests/fixtures/terraform"
env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
tot = {"fail": 0, "not_assessed": 0}
rows = []
for name in sorted(os.listdir(root)):
    d = os.path.join(root, name)
    if not os.path.isdir(d) or name in SKIP:
        continue
    has_plan = os.path.exists(os.path.join(d, "plan.json"))
    has_hcl = any(f.endswith(".tf") for f in os.listdir(d))
    if not has_plan and not has_hcl:
        continue
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as cfg:
        cfg.write(CONFIGS.get(name, ADMIN))
    kinds = []
    if has_plan:
        kinds.append(("plan", ["--plan", os.path.join(d, "plan.json")]))
    if has_hcl:
        kinds.append(("hcl", ["--terraform", d]))
    if has_plan and has_hcl:
        kinds.append(("plan+hcl", ["--plan", os.path.join(d, "plan.json"), "--terraform", d]))
    for kind, args in kinds:
        p = subprocess.run([binary, "scan", *args, "--config", cfg.name, "--format", "json", "-q"],
                           capture_output=True, text=True, env=env)
        try:
            s = json.loads(p.stdout)["summary"]
        except Exception:
            rows.append((name, kind, "error", p.returncode, p.stderr.strip()[:100]))
            continue
        tot["fail"] += s["fail"]; tot["not_assessed"] += s["not_assessed"]
        rows.append((name, kind, s["fail"], s["not_assessed"], p.returncode))
for r in rows:
    print("%-18s %-9s fail=%-4s not_assessed=%-4s exit=%s" % r)
print("TOTAL fail=%d not_assessed=%d inputs=%d" % (tot["fail"], tot["not_assessed"], len(rows)))
