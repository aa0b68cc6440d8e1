//! Unmodified copies of public registry modules (`vendored/`, Apache-2.0;
//! `vendored/README.md` names each tag and licence): Cloud Posse's label,
//! SNS topic and GuardDuty modules, and terraform-aws-modules/sns,
//! /eventbridge and /cloudwatch's alarm and metric filter sub-modules. A
//! stack that calls one without `.terraform/modules` is read from them.

/// One vendored module release: its files, as `(name, text)`.
pub(super) type Vendored = &'static [(&'static str, &'static str)];

/// The `context.tf` every Cloud Posse module carries (label 0.25.0's
/// `exports/context.tf`: the context variables and `module "this"`).
const CLOUDPOSSE_CONTEXT: &str =
    include_str!("vendored/cloudposse-label-0.25.0/exports-context.tf");

/// `cloudposse/label/null` 0.25.0, the release Cloud Posse modules pin.
const CLOUDPOSSE_LABEL: Vendored = &[
    (
        "main.tf",
        include_str!("vendored/cloudposse-label-0.25.0/main.tf"),
    ),
    (
        "variables.tf",
        include_str!("vendored/cloudposse-label-0.25.0/variables.tf"),
    ),
    (
        "outputs.tf",
        include_str!("vendored/cloudposse-label-0.25.0/outputs.tf"),
    ),
    (
        "descriptors.tf",
        include_str!("vendored/cloudposse-label-0.25.0/descriptors.tf"),
    ),
];

/// `cloudposse/sns-topic/aws` v1.2.0 (major 1).
const CLOUDPOSSE_SNS_TOPIC_1: Vendored = &[
    (
        "main.tf",
        include_str!("vendored/cloudposse-sns-topic-1.2.0/main.tf"),
    ),
    (
        "variables.tf",
        include_str!("vendored/cloudposse-sns-topic-1.2.0/variables.tf"),
    ),
    (
        "outputs.tf",
        include_str!("vendored/cloudposse-sns-topic-1.2.0/outputs.tf"),
    ),
    ("context.tf", CLOUDPOSSE_CONTEXT),
];

/// `cloudposse/sns-topic/aws` 0.20.1 (major 0).
const CLOUDPOSSE_SNS_TOPIC_0: Vendored = &[
    (
        "main.tf",
        include_str!("vendored/cloudposse-sns-topic-0.20.1/main.tf"),
    ),
    (
        "variables.tf",
        include_str!("vendored/cloudposse-sns-topic-0.20.1/variables.tf"),
    ),
    (
        "outputs.tf",
        include_str!("vendored/cloudposse-sns-topic-0.20.1/outputs.tf"),
    ),
    ("context.tf", CLOUDPOSSE_CONTEXT),
];

/// `cloudposse/guardduty/aws` v1.0.0 (major 1).
const CLOUDPOSSE_GUARDDUTY_1: Vendored = &[
    (
        "main.tf",
        include_str!("vendored/cloudposse-guardduty-1.0.0/main.tf"),
    ),
    (
        "variables.tf",
        include_str!("vendored/cloudposse-guardduty-1.0.0/variables.tf"),
    ),
    (
        "outputs.tf",
        include_str!("vendored/cloudposse-guardduty-1.0.0/outputs.tf"),
    ),
    ("context.tf", CLOUDPOSSE_CONTEXT),
];

/// `cloudposse/guardduty/aws` v0.6.0 (major 0).
const CLOUDPOSSE_GUARDDUTY_0: Vendored = &[
    (
        "main.tf",
        include_str!("vendored/cloudposse-guardduty-0.6.0/main.tf"),
    ),
    (
        "variables.tf",
        include_str!("vendored/cloudposse-guardduty-0.6.0/variables.tf"),
    ),
    (
        "outputs.tf",
        include_str!("vendored/cloudposse-guardduty-0.6.0/outputs.tf"),
    ),
    ("context.tf", CLOUDPOSSE_CONTEXT),
];

/// `terraform-aws-modules/sns/aws` v7.1.0 (major 7 and later).
const TAM_SNS_7: Vendored = &[
    (
        "main.tf",
        include_str!("vendored/terraform-aws-modules-sns-7.1.0/main.tf"),
    ),
    (
        "variables.tf",
        include_str!("vendored/terraform-aws-modules-sns-7.1.0/variables.tf"),
    ),
    (
        "outputs.tf",
        include_str!("vendored/terraform-aws-modules-sns-7.1.0/outputs.tf"),
    ),
];

/// `terraform-aws-modules/sns/aws` v6.2.1 (major 6 and earlier).
const TAM_SNS_6: Vendored = &[
    (
        "main.tf",
        include_str!("vendored/terraform-aws-modules-sns-6.2.1/main.tf"),
    ),
    (
        "variables.tf",
        include_str!("vendored/terraform-aws-modules-sns-6.2.1/variables.tf"),
    ),
    (
        "outputs.tf",
        include_str!("vendored/terraform-aws-modules-sns-6.2.1/outputs.tf"),
    ),
];

/// `terraform-aws-modules/eventbridge/aws` v4.3.2 (major 4 and later).
const TAM_EVENTBRIDGE_4: Vendored = &[
    (
        "main.tf",
        include_str!("vendored/terraform-aws-modules-eventbridge-4.3.2/main.tf"),
    ),
    (
        "variables.tf",
        include_str!("vendored/terraform-aws-modules-eventbridge-4.3.2/variables.tf"),
    ),
    (
        "outputs.tf",
        include_str!("vendored/terraform-aws-modules-eventbridge-4.3.2/outputs.tf"),
    ),
    (
        "iam.tf",
        include_str!("vendored/terraform-aws-modules-eventbridge-4.3.2/iam.tf"),
    ),
    (
        "iam_pipes.tf",
        include_str!("vendored/terraform-aws-modules-eventbridge-4.3.2/iam_pipes.tf"),
    ),
];

/// `terraform-aws-modules/eventbridge/aws` v3.17.1 (major 3 and earlier).
const TAM_EVENTBRIDGE_3: Vendored = &[
    (
        "main.tf",
        include_str!("vendored/terraform-aws-modules-eventbridge-3.17.1/main.tf"),
    ),
    (
        "variables.tf",
        include_str!("vendored/terraform-aws-modules-eventbridge-3.17.1/variables.tf"),
    ),
    (
        "outputs.tf",
        include_str!("vendored/terraform-aws-modules-eventbridge-3.17.1/outputs.tf"),
    ),
    (
        "iam.tf",
        include_str!("vendored/terraform-aws-modules-eventbridge-3.17.1/iam.tf"),
    ),
    (
        "iam_pipes.tf",
        include_str!("vendored/terraform-aws-modules-eventbridge-3.17.1/iam_pipes.tf"),
    ),
];

/// `terraform-aws-modules/cloudwatch/aws` v5.7.2 sub-modules: alarms and
/// metric filters (ALM, ROOT001), by sub-directory.
fn cloudwatch_submodule(subdir: &str) -> Option<(&'static str, Vendored)> {
    macro_rules! files {
        ($m:literal) => {
            &[
                (
                    "main.tf",
                    include_str!(concat!(
                        "vendored/terraform-aws-modules-cloudwatch-5.7.2/",
                        $m,
                        "/main.tf"
                    )),
                ),
                (
                    "variables.tf",
                    include_str!(concat!(
                        "vendored/terraform-aws-modules-cloudwatch-5.7.2/",
                        $m,
                        "/variables.tf"
                    )),
                ),
                (
                    "outputs.tf",
                    include_str!(concat!(
                        "vendored/terraform-aws-modules-cloudwatch-5.7.2/",
                        $m,
                        "/outputs.tf"
                    )),
                ),
            ]
        };
    }
    Some(match subdir {
        "modules/metric-alarm" => (
            "terraform-aws-modules/cloudwatch metric-alarm 5.7.2",
            files!("metric-alarm"),
        ),
        "modules/log-metric-filter" => (
            "terraform-aws-modules/cloudwatch log-metric-filter 5.7.2",
            files!("log-metric-filter"),
        ),
        "modules/metric-alarms-by-multiple-dimensions" => (
            "terraform-aws-modules/cloudwatch metric-alarms-by-multiple-dimensions 5.7.2",
            files!("metric-alarms-by-multiple-dimensions"),
        ),
        "modules/cis-alarms" => (
            "terraform-aws-modules/cloudwatch cis-alarms 5.7.2",
            files!("cis-alarms"),
        ),
        "modules/log-group" => (
            "terraform-aws-modules/cloudwatch log-group 5.7.2",
            files!("log-group"),
        ),
        _ => return None,
    })
}

/// The vendored release a registry module source calls for: the module's
/// name (`terraform-aws-modules/sns/aws`), the pinned version's major, and
/// the source's sub-directory. The key names the release (it caches the
/// parse). `None` when alertpath vendors no such module.
pub(super) fn release(
    name: &str,
    major: Option<u32>,
    subdir: Option<&str>,
) -> Option<(&'static str, Vendored)> {
    Some(match (name, major) {
        ("cloudposse/label/null", _) => ("cloudposse/label/null 0.25.0", CLOUDPOSSE_LABEL),
        ("cloudposse/sns-topic/aws", Some(0)) => {
            ("cloudposse/sns-topic/aws 0.20.1", CLOUDPOSSE_SNS_TOPIC_0)
        }
        ("cloudposse/sns-topic/aws", _) => {
            ("cloudposse/sns-topic/aws 1.2.0", CLOUDPOSSE_SNS_TOPIC_1)
        }
        ("cloudposse/guardduty/aws", Some(0)) => {
            ("cloudposse/guardduty/aws 0.6.0", CLOUDPOSSE_GUARDDUTY_0)
        }
        ("cloudposse/guardduty/aws", _) => {
            ("cloudposse/guardduty/aws 1.0.0", CLOUDPOSSE_GUARDDUTY_1)
        }
        ("terraform-aws-modules/sns/aws", Some(m)) if m <= 6 => {
            ("terraform-aws-modules/sns/aws 6.2.1", TAM_SNS_6)
        }
        ("terraform-aws-modules/sns/aws", _) => ("terraform-aws-modules/sns/aws 7.1.0", TAM_SNS_7),
        ("terraform-aws-modules/eventbridge/aws", Some(m)) if m <= 3 => (
            "terraform-aws-modules/eventbridge/aws 3.17.1",
            TAM_EVENTBRIDGE_3,
        ),
        ("terraform-aws-modules/eventbridge/aws", _) => (
            "terraform-aws-modules/eventbridge/aws 4.3.2",
            TAM_EVENTBRIDGE_4,
        ),
        ("terraform-aws-modules/cloudwatch/aws", _) => {
            return subdir.and_then(cloudwatch_submodule);
        }
        _ => return None,
    })
}
