//! Sources turn one input into the [`crate::inventory::Inventory`].

pub mod aws;
pub mod kind;
pub mod snapshot;
pub mod terraform;
