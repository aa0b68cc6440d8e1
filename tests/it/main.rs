//! alertpath's integration tests: one binary (it links the AWS SDK once), one
//! module per area. Live tests start a real moto server (tests/harness).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed assumption fails its test loudly"
)]
#![allow(
    unreachable_pub,
    reason = "a test binary exports nothing: its helpers are pub for sibling modules"
)]

mod common;
mod report_common;

mod action;
mod catalog;
mod cli;
mod cli_credentials;
mod cli_flags;
mod cli_packaging;
mod config;
mod endpoints;
mod evaluator_corpus;
mod evidence;
mod fingerprints;
mod fuzz;
mod graph_walk;
mod hcl_bounds;
mod hcl_functions;
mod hcl_syntax;
mod inventory_schema;
mod json_output;
mod live;
mod outputs;
mod policy;
mod primer;
mod public_stacks;
mod report_header;
mod report_people;
mod rule_snapshots;
mod rules_alm;
mod rules_evt;
mod rules_gd;
mod rules_org_scan;
mod rules_root;
mod rules_route;
mod rules_sec;
mod rules_security_hub;
mod rules_sns;
mod rules_sub;
mod rules_suppression;
mod sarif_output;
mod scale_benches;
mod scope_input;
mod secrets_stored;
mod terraform_hcl;
mod terraform_plan;
mod terraform_precision;
mod terraform_presence;
mod text_markdown_output;
