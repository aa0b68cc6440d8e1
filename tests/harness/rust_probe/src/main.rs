// Probe: does the AWS SDK for Rust parse the fault proxy's errors and the
// moto extension responses? Usage: rust_probe ENDPOINT [SECURITY_ACCOUNT]
// (env AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test). Rules to try: README.md.
use aws_sdk_sts::error::ProvideErrorMetadata;

fn show<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(name: &str, r: Result<T, aws_sdk_sts::error::SdkError<E>>) {
    match r {
        Ok(v) => { let s = format!("{:?}", v); println!("{name}: OK {}", &s[..s.len().min(300)]) }
        Err(e) => {
            let status = e.raw_response().map(|r| r.status().as_u16());
            println!("{name}: ERR code={:?} status={:?} msg={:?}", e.code(), status, e.message().map(|m| &m[..m.len().min(80)]))
        }
    }
}

#[tokio::main]
async fn main() {
    let ep = std::env::args().nth(1).expect("endpoint");
    let conf = aws_config::from_env()
        .endpoint_url(&ep)
        .region(aws_config::Region::new("us-east-1"))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load().await;
    let sts = aws_sdk_sts::Client::new(&conf);
    show("sts.GetCallerIdentity", sts.get_caller_identity().send().await);
    show("sts.AssumeRole", sts.assume_role().role_arn("arn:aws:iam::111111111111:role/alertpath-audit").role_session_name("alertpath").send().await);
    let sns = aws_sdk_sns::Client::new(&conf);
    show("sns.ListTopics", sns.list_topics().send().await);
    show("sns.GetTopicAttributes", sns.get_topic_attributes().topic_arn("arn:aws:sns:us-east-1:123456789012:x").send().await);
    let cw = aws_sdk_cloudwatch::Client::new(&conf);
    show("cloudwatch.DescribeAlarms", cw.describe_alarms().send().await);
    show("cloudwatch.DescribeAlarmsForMetric", cw.describe_alarms_for_metric().namespace("AWS/SNS").metric_name("X").send().await);
    let gd = aws_sdk_guardduty::Client::new(&conf);
    show("guardduty.ListDetectors", gd.list_detectors().send().await);
    show("guardduty.ListOrganizationAdminAccounts", gd.list_organization_admin_accounts().send().await);
    if let Ok(d) = gd.list_detectors().send().await {
        if let Some(id) = d.detector_ids().first() {
            show("guardduty.GetDetector", gd.get_detector().detector_id(id).send().await);
            show("guardduty.ListMembers", gd.list_members().detector_id(id).send().await);
            show("guardduty.GetMembers", gd.get_members().detector_id(id).account_ids("123456789012").send().await);
            show("guardduty.DescribeOrganizationConfiguration", gd.describe_organization_configuration().detector_id(id).send().await);
            show("guardduty.GetAdministratorAccount", gd.get_administrator_account().detector_id(id).send().await);
        }
    }
    let ev = aws_sdk_eventbridge::Client::new(&conf);
    show("events.ListRules", ev.list_rules().send().await);
    let lam = aws_sdk_lambda::Client::new(&conf);
    show("lambda.GetFunctionConfiguration", lam.get_function_configuration().function_name("notify_slack").send().await);
    show("lambda.GetFunctionConcurrency", lam.get_function_concurrency().function_name("notify_slack").send().await);
    if let Some(sec) = std::env::args().nth(2) {
        let c = sts.assume_role().role_arn(format!("arn:aws:iam::{sec}:role/alertpath-audit")).role_session_name("alertpath").send().await.unwrap();
        let cr = c.credentials().unwrap();
        let creds = aws_sdk_sts::config::Credentials::new(cr.access_key_id(), cr.secret_access_key(), Some(cr.session_token().to_string()), None, "assumed");
        let conf2 = aws_config::from_env().endpoint_url(&ep).region(aws_config::Region::new("us-east-1"))
            .retry_config(aws_config::retry::RetryConfig::disabled()).credentials_provider(creds).load().await;
        let cw = aws_sdk_cloudwatch::Client::new(&conf2);
        match cw.describe_alarms().send().await {
            Ok(o) => for a in o.metric_alarms() { println!("sec cloudwatch alarm: {:?} ns={:?} dims={:?} actions={:?} state={:?} updated={:?}", a.alarm_name(), a.namespace(), a.dimensions(), a.alarm_actions(), a.state_value(), a.state_updated_timestamp()) },
            Err(e) => println!("sec cloudwatch.DescribeAlarms: ERR {:?}", e),
        }
        let lam = aws_sdk_lambda::Client::new(&conf2);
        show("sec lambda.GetFunctionConfiguration", lam.get_function_configuration().function_name("notify_slack").send().await);
        show("sec lambda.GetPolicy", lam.get_policy().function_name("notify_slack").send().await);
        let gd = aws_sdk_guardduty::Client::new(&conf2);
        let d = gd.list_detectors().send().await.unwrap();
        let id = d.detector_ids()[0].clone();
        show("sec guardduty.ListMembers", gd.list_members().detector_id(&id).send().await);
        show("sec guardduty.DescribeOrganizationConfiguration", gd.describe_organization_configuration().detector_id(&id).send().await);
        show("sec sns.ListTopics", aws_sdk_sns::Client::new(&conf2).list_topics().send().await);
        show("sec events.ListRules", aws_sdk_eventbridge::Client::new(&conf2).list_rules().send().await);
    }
    let acct = aws_sdk_account::Client::new(&conf);
    show("account.ListRegions", acct.list_regions().max_results(50).send().await);
    show("account.GetRegionOptStatus", acct.get_region_opt_status().region_name("af-south-1").send().await);
    let org = aws_sdk_organizations::Client::new(&conf);
    show("organizations.ListAccounts", org.list_accounts().send().await);
}
