//! One module per AWS service; each turns its calls into inventory facts or gaps.

pub mod cloudtrail;
pub mod cloudwatch;
pub mod events;
pub mod guardduty;
pub mod kms;
pub mod lambda;
pub mod logs;
pub mod sns;
pub mod ssm;
