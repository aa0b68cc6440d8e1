//! At real-world latency, collection time follows the dependency depth of
//! collection, not the number of calls: accounts, regions, and the calls of
//! one account × region that do not depend on each other run at once.

use serde_json::json;

use super::harness::Harness;
use super::{REGIONS, scan};

/// Every request waits this long in the fault proxy: a round trip far longer
/// than moto's own answer, even on a loaded machine.
const ROUND_TRIP_SECONDS: f64 = 0.75;

#[test]
fn collection_takes_the_dependency_depth_in_round_trips() {
    let h = Harness::start();
    h.seed(&["healthy", "--accounts", "3", "--regions", REGIONS]);
    h.faults(&json!([{"kind": "delay", "seconds": ROUND_TRIP_SECONDS}]));
    let (code, report, stderr) = scan(&h, &["--stats"]);
    assert_eq!(code, 0, "healthy org: {} {stderr}", report["summary"]);
    let stats = &report["stats"];
    let wall = stats["wall_seconds"].as_f64().expect("wall_seconds");
    let calls = stats["api_calls"].as_f64().expect("api_calls");
    let round_trips = wall / ROUND_TRIP_SECONDS;
    // The deepest chain: caller, organization, role, regions, rules, targets,
    // topic, subscriptions, functions and filters, and the follow-ups: about
    // a dozen. Serial phases and serial calls took over 40.
    assert!(
        round_trips <= 25.0,
        "{round_trips:.1} round trips ({wall} s) for {calls} calls"
    );
    assert!(
        calls >= 3.0 * round_trips,
        "{calls} calls in {round_trips:.1} round trips: calls are not concurrent"
    );
}
