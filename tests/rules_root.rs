//! ROOT rules: fail, pass, not-assessed, not-applicable and waived outcomes.

mod common;

use alertpath::config::Config;
use alertpath::inventory::*;
use alertpath::outcome::Status::*;
use common::chain::*;
use common::*;

const UE: &str = "us-east-1";

fn dump(report: &alertpath::report::Report, rule: &str) {
    for f in of(report, rule) {
        eprintln!(
            "{rule} {:?} {:?}: {}",
            f.status(),
            f.outcome.subject.key(),
            f.outcome.message
        );
    }
}

#[test]
fn healthy_org_passes_every_root_rule() {
    let report = run(&healthy_org(UE).build());
    for rule in ["ROOT001", "ROOT002", "ROOT003"] {
        dump(&report, rule);
    }
}
