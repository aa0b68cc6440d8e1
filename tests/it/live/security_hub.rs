//! A live organization whose only finding rule is on Security Hub's imported
//! findings (seed.py `securityhub`): the aggregator in us-east-1 links
//! eu-west-1 (a working Security Hub route) and not us-west-2 (broken).

use super::harness::{Harness, status_of};

const REGIONS: &str = "us-east-1,eu-west-1,us-west-2";

#[test]
fn a_security_hub_route_passes_and_an_unlinked_region_fails() {
    let h = Harness::start();
    let m = h.seed(&["securityhub"]);
    let admin = m["security_account"].as_str().unwrap().to_string();
    let out = h.alertpath(&["scan", "--quiet", "--format", "json", "--regions", REGIONS]);
    let report = super::json_report(&out);
    for region in ["us-east-1", "eu-west-1"] {
        for rule in ["EVT001", "ROUTE001", "ROUTE002", "SH001", "SH004"] {
            assert_eq!(
                status_of(&report, rule, &admin, region),
                ["pass"],
                "{rule} in {region}"
            );
        }
    }
    assert_eq!(status_of(&report, "SH002", &admin, "eu-west-1"), ["pass"]);
    for rule in ["SH002", "ROUTE001", "ROUTE002"] {
        assert_eq!(
            status_of(&report, rule, &admin, "us-west-2"),
            ["fail"],
            "{rule} in us-west-2"
        );
    }
    let route = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ROUTE001" && f["subject"]["region"] == "us-west-2")
        .unwrap();
    let message = route["message"].as_str().unwrap();
    assert!(
        message.starts_with("3 of 3 sample findings")
            && message.ends_with("does not link us-west-2, so GuardDuty findings of us-west-2 never reach us-east-1 (SH002)"),
        "{message}"
    );
    // Every member is an Enabled Security Hub member in every region.
    let sh003: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "SH003")
        .collect();
    assert_eq!(sh003.len(), 6);
    assert!(sh003.iter().all(|f| f["status"] == "pass"));
    assert_eq!(out.status.code(), Some(1));
}
