//! Sources turn one input into the [`crate::inventory::Inventory`].

pub mod snapshot;
pub mod terraform;
