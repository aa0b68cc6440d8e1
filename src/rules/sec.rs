//! SEC: secrets in SSM parameters, Terraform source and notifier environments.
//! No outcome ever carries a secret value: the inventory holds none, and these
//! rules name places (parameter, attribute, function), never contents.

use crate::inventory::{EnvValue, HardcodedSecret, Known, Observed, Parameter, SecretKind};
use crate::outcome::{Outcomes, ResourceKind, ResourceRef, Subject};
use crate::rules::{Context, Rule, rule};

rule!(
    SEC001,
    "secret-parameter-plaintext",
    High,
    Every,
    [Live, Plan, Hcl],
    None,
    "An SSM parameter holding a webhook or key is not SecureString",
    check_sec001
);
rule!(
    SEC002,
    "secret-hardcoded",
    Critical,
    Chain,
    [Plan, Hcl],
    None,
    "A Slack webhook or PagerDuty key is written as a literal in Terraform",
    check_sec002
);
rule!(
    SEC003,
    "notifier-webhook-plaintext",
    Medium,
    Chain,
    [Live, Plan, Hcl],
    None,
    "A notifier's SLACK_WEBHOOK_URL holds a plaintext URL rather than KMS ciphertext",
    check_sec003
);

/// This family's rules, in catalog order.
pub(super) const RULES: &[Rule] = &[SEC001, SEC002, SEC003];

/// Why a parameter is judged, or `None` when it is not a secret parameter.
fn why_judged(ctx: &Context<'_>, parameter: &Parameter) -> Option<&'static str> {
    let name = parameter.name.value();
    let in_config = name.is_some_and(|n| {
        ctx.config
            .secrets
            .parameters
            .iter()
            .any(|p| p == n || p.trim_start_matches('/') == n.trim_start_matches('/'))
    });
    if in_config {
        return Some("named in config [secrets] parameters");
    }
    if parameter.referenced {
        return Some("referenced by the alerting stack");
    }
    crate::endpoints::secrets::is_secret_parameter_name(name?)
        .then_some("named like a webhook or key")
}

fn check_sec001(ctx: &Context<'_>, out: &mut Outcomes) {
    ctx.for_each_region(out, |view, out| {
        let region_subject = Subject::region(view.account, view.region);
        let parameters = match &view.facts.parameters {
            Observed::Gap(gap) => {
                out.not_assessed(region_subject, gap.describe());
                return;
            }
            Observed::Collected(p) => p,
        };
        let mut judged = 0;
        for parameter in parameters {
            let Some(why) = why_judged(ctx, parameter) else {
                continue;
            };
            judged += 1;
            judge_parameter(out, view.account, view.region, parameter, why);
        }
        if judged == 0 {
            out.not_applicable(
                region_subject,
                "no SSM parameter here holds a webhook or key",
            );
        }
    });
}

fn judge_parameter(
    out: &mut Outcomes,
    account: &str,
    region: &str,
    parameter: &Parameter,
    why: &str,
) {
    let name = parameter
        .name
        .value()
        .cloned()
        .or_else(|| parameter.origin.label().map(str::to_string))
        .unwrap_or_else(|| "parameter".into());
    let subject = Subject::resource(
        account,
        region,
        ResourceKind::SsmParameter,
        &name,
        &parameter.origin,
    )
    .attribute("type");
    match &parameter.parameter_type {
        Known::Unknown(m) => {
            out.unknown(subject, &m.unknown, &format!("type of parameter {name}"));
        }
        Known::Value(t) if t == "SecureString" => {
            out.pass(
                subject,
                format!("parameter {name} ({why}) is a SecureString"),
            );
        }
        Known::Value(t) => {
            out.fail(
                subject,
                format!(
                    "parameter {name} ({why}) is a {t}, not a SecureString: anyone with ssm:GetParameter or a console session can read the webhook or key in clear; recreate it as SecureString"
                ),
            );
        }
    }
}

fn secret_kind(kind: SecretKind) -> &'static str {
    match kind {
        SecretKind::SlackWebhook => "a Slack webhook URL",
        SecretKind::PagerdutyIntegrationKey => "a PagerDuty integration key",
        SecretKind::NamedKey => "an integration or routing key",
    }
}

/// The subject of a hard-coded secret: its Terraform place, pointing at the attribute.
fn secret_subject(ctx: &Context<'_>, secret: &HardcodedSecret) -> Subject {
    let label = secret
        .origin
        .label()
        .map(str::to_string)
        .unwrap_or_else(|| secret.attribute.clone());
    let kind = if label.starts_with("var.") || label.starts_with("variable.") {
        ResourceKind::TerraformVariable
    } else {
        ResourceKind::TerraformResource
    };
    Subject {
        account: ctx.config.terraform.account_id.clone(),
        region: None,
        resource: Some(ResourceRef {
            kind,
            name: label,
            origin: secret.origin.clone(),
            attribute: Some(secret.attribute.clone()),
        }),
    }
}

fn check_sec002(ctx: &Context<'_>, out: &mut Outcomes) {
    let secrets: &[HardcodedSecret] = ctx
        .inventory
        .terraform
        .as_ref()
        .map(|t| t.hardcoded_secrets.as_slice())
        .unwrap_or_default();
    if secrets.is_empty() {
        out.pass(
            Subject::global(),
            "no Slack webhook or PagerDuty key is written as a literal",
        );
        return;
    }
    for secret in secrets {
        let subject = secret_subject(ctx, secret);
        let place = subject
            .resource
            .as_ref()
            .map(|r| r.name.clone())
            .unwrap_or_default();
        out.fail(
            subject,
            format!(
                "{} is written as a literal in `{place}` (attribute `{}`): it is in the repository and the state in clear. Read it from SSM (SecureString) or a sensitive variable, then rotate it",
                secret_kind(secret.kind),
                secret.attribute
            ),
        );
    }
}

fn check_sec003(ctx: &Context<'_>, out: &mut Outcomes) {
    let analysis = ctx.analysis();
    let notifiers: Vec<_> = analysis
        .reach
        .functions
        .iter()
        .filter(|f| analysis.graph.is_notifier(f.item) || crate::endpoints::may_be_notifier(f.item))
        .collect();
    if notifiers.is_empty() {
        out.not_applicable(Subject::global(), "no notifier on a walked alert path");
        return;
    }
    for f in notifiers {
        let name = crate::chain::links::function_label(f.item);
        let subject = Subject::resource(
            f.account,
            f.region,
            ResourceKind::LambdaFunction,
            &name,
            &f.item.origin,
        )
        .attribute("environment");
        let env = match &f.item.environment {
            Known::Unknown(m) => {
                out.unknown(
                    subject,
                    &m.unknown,
                    &format!("environment of notifier {name}"),
                );
                continue;
            }
            Known::Value(env) => env,
        };
        match env.get(crate::endpoints::SLACK_WEBHOOK_ENV) {
            None => {
                out.not_applicable(subject, format!("notifier {name} has no SLACK_WEBHOOK_URL"));
            }
            Some(EnvValue::PlaintextUrl) => {
                out.fail(
                    subject,
                    format!(
                        "notifier {name}'s SLACK_WEBHOOK_URL is a plaintext URL: anyone who can read the function's configuration can post to the channel; pass KMS ciphertext (notify-slack `kms_key_arn`)"
                    ),
                );
            }
            Some(EnvValue::KmsCiphertext) => {
                out.pass(
                    subject,
                    format!("notifier {name}'s SLACK_WEBHOOK_URL is KMS ciphertext"),
                );
            }
            Some(EnvValue::Unknown) => {
                out.not_assessed(
                    subject,
                    format!("whether notifier {name}'s SLACK_WEBHOOK_URL is plaintext is unknown"),
                );
            }
            Some(EnvValue::Empty | EnvValue::Other) => {
                out.pass(
                    subject,
                    format!("notifier {name}'s SLACK_WEBHOOK_URL holds no plaintext URL"),
                );
            }
        }
    }
}
