//! The chain layer: every link verdict and every path of the alert chain.
//!
//! [`graph`] resolves links (rule → target → topic → subscription → function →
//! alarm) over the inventory; [`links`] judges each link once; [`analysis`]
//! computes the walks every rule shares and what they reach; [`paths`]
//! enumerates the paths of a walk for ROUTE and ROOT;
//! [`suppression`] says which findings a GuardDuty suppression rule hides;
//! [`security_hub`] computes the Security Hub route's first leg;
//! [`unmodelled`] names the paths alertpath sees but does not follow; [`topology`] says who
//! GuardDuty's admin is per region and which regions are source regions. Endpoint and secret
//! decisions are [`crate::endpoints`]'s. Rules ask this layer; it never asks
//! a rule.

pub(crate) mod analysis;
pub(crate) mod graph;
pub(crate) mod links;
pub(crate) mod paths;
pub(crate) mod security_hub;
pub(crate) mod suppression;
pub(crate) mod topology;
pub(crate) mod unmodelled;
