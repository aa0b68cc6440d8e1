//! ARN parsing for every partition (`aws`, `aws-us-gov`, `aws-cn`).

use std::fmt;

/// A parsed ARN: `arn:partition:service:region:account:resource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-us-gov`, `aws-cn`, …
    pub partition: &'a str,
    /// The service, e.g. `sns`.
    pub service: &'a str,
    /// The region; empty for global resources.
    pub region: &'a str,
    /// The account; empty for some resources.
    pub account: &'a str,
    /// Everything after the account.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Parse an ARN; `None` when the text is not ARN-shaped.
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        let partition = parts.next()?;
        let service = parts.next()?;
        let region = parts.next()?;
        let account = parts.next()?;
        let resource = parts.next()?;
        if partition.is_empty() || service.is_empty() {
            return None;
        }
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }

    /// The resource name: the part after the last `/` or `:` of the resource.
    pub fn name(&self) -> &'a str {
        self.resource
            .rsplit(['/', ':'])
            .next()
            .unwrap_or(self.resource)
    }
}

impl fmt::Display for Arn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "arn:{}:{}:{}:{}:{}",
            self.partition, self.service, self.region, self.account, self.resource
        )
    }
}

/// The partition's global region, where console sign-in events arrive.
pub fn global_region(partition: &str) -> &'static str {
    match partition {
        "aws-us-gov" => "us-gov-west-1",
        "aws-cn" => "cn-north-1",
        _ => "us-east-1",
    }
}

/// The partition a region belongs to.
pub fn partition_of_region(region: &str) -> &'static str {
    if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("cn-") {
        "aws-cn"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_partition() {
        for (text, partition) in [
            ("arn:aws:sns:us-east-1:111111111111:gd-pager", "aws"),
            (
                "arn:aws-us-gov:sns:us-gov-west-1:111111111111:t",
                "aws-us-gov",
            ),
            ("arn:aws-cn:sns:cn-north-1:111111111111:t", "aws-cn"),
        ] {
            let arn = Arn::parse(text).expect("valid ARN");
            assert_eq!(arn.partition, partition);
            assert_eq!(arn.to_string(), text);
        }
    }

    #[test]
    fn resource_names() {
        let arn = Arn::parse("arn:aws:lambda:us-east-1:1:function:notify_slack").unwrap();
        assert_eq!(arn.name(), "notify_slack");
        let arn = Arn::parse("arn:aws:events:us-east-1:1:rule/gd-findings").unwrap();
        assert_eq!(arn.name(), "gd-findings");
        let arn = Arn::parse("arn:aws:iam::1:role/a/b").unwrap();
        assert_eq!(arn.region, "");
        assert_eq!(arn.name(), "b");
    }

    #[test]
    fn rejects_non_arns() {
        assert!(Arn::parse("gd-pager").is_none());
        assert!(Arn::parse("arn:aws:sns").is_none());
        assert!(Arn::parse("arn::sns:r:a:x").is_none());
    }

    #[test]
    fn global_regions_follow_partition() {
        assert_eq!(global_region(partition_of_region("eu-west-1")), "us-east-1");
        assert_eq!(
            global_region(partition_of_region("us-gov-east-1")),
            "us-gov-west-1"
        );
        assert_eq!(
            global_region(partition_of_region("cn-northwest-1")),
            "cn-north-1"
        );
    }
}
