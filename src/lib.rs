//! alertpath: proves that an AWS Organization's GuardDuty alerting reaches a human.
//!
//! Data flow: a source builds the [`inventory::Inventory`]; the [`engine`] runs the
//! [`rules`] over it and builds a [`report::Report`]; writers render the report.

pub(crate) mod catalog;
pub(crate) mod chain;
pub mod cli;
pub mod config;
pub mod endpoints;
pub mod engine;
pub mod evidence;
pub(crate) mod finding_filter;
pub mod heap;
pub mod inventory;
pub mod logfilter;
pub mod outcome;
pub(crate) mod output;
pub mod pattern;
pub mod policy;
pub mod presence;
pub mod report;
pub mod rules;
pub mod samples;
pub(crate) mod samples_asff;
pub(crate) mod samples_logs;
pub mod severity;
pub mod source;
