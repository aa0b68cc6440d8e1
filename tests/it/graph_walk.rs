//! The alert graph and shared walks over a healthy chain.

use crate::common::chain::healthy_org;
use alertpath::config::Config;
use alertpath::rules::Context;

#[test]
fn healthy_chain_is_reached() {
    let inv = healthy_org("us-east-1").build();
    let config = Config::default();
    let ctx = Context::new(&inv, &config);
    let reach = &ctx.analysis().reach;
    let topics: Vec<String> = reach
        .topics
        .iter()
        .map(|t| t.topic.item.name.value().unwrap().clone())
        .collect();
    assert_eq!(topics, vec!["gd-pager", "gd-slack"]);
    assert_eq!(
        reach.rules.len(),
        3,
        "finding rule, root rule, member's root forwarding rule"
    );
    assert_eq!(reach.subscriptions.len(), 2);
    assert_eq!(reach.functions.len(), 1);
    let failover: Vec<String> = reach
        .failover_topics
        .iter()
        .map(|t| t.item.name.value().unwrap().clone())
        .collect();
    assert_eq!(failover, vec!["gd-failover"]);
    assert_eq!(reach.error_alarms.len(), 1);
}
