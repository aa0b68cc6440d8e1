//! Sample CloudWatch Logs event messages used to exercise filter patterns.
//!
//! The files live in `samples/logs/`; `samples/logs/SOURCES.md` says where
//! each text comes from.

const ROOT_CONSOLE_LOGIN: &str = include_str!("../samples/logs/cloudtrail-root-console-login.json");
const NOTIFY_SLACK_HTTP_ERROR: &str = include_str!("../samples/logs/notify-slack-http-error.log");
const NOTIFY_SLACK_SUCCESS: &str = include_str!("../samples/logs/notify-slack-success.log");

/// A root ConsoleLogin CloudTrail record as it arrives in a CloudWatch Logs group.
pub(crate) fn root_console_login_record() -> &'static str {
    ROOT_CONSOLE_LOGIN.trim_end()
}

/// notify-slack's log lines for Slack HTTP errors (one per element).
pub(crate) fn notify_slack_error_lines() -> Vec<&'static str> {
    non_empty_lines(NOTIFY_SLACK_HTTP_ERROR)
}

/// A notify-slack log line for a successful delivery (must NOT count as an error).
pub(crate) fn notify_slack_success_lines() -> Vec<&'static str> {
    non_empty_lines(NOTIFY_SLACK_SUCCESS)
}

fn non_empty_lines(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_record_is_one_json_object() {
        let record = root_console_login_record();
        assert!(!record.contains('\n'));
        let doc: serde_json::Value = serde_json::from_str(record).expect("valid JSON");
        assert_eq!(doc["eventName"], "ConsoleLogin");
        assert_eq!(doc["userIdentity"]["type"], "Root");
        assert!(doc["userIdentity"].get("invokedBy").is_none());
        assert_eq!(doc["eventType"], "AwsConsoleSignIn");
        assert_eq!(doc["responseElements"]["ConsoleLogin"], "Success");
        assert_eq!(doc["awsRegion"], "us-east-1");
        assert!(doc["recipientAccountId"].is_string());
        assert!(doc.get("detail").is_none(), "not an EventBridge envelope");
    }

    #[test]
    fn notify_slack_lines_use_lambda_python_format() {
        let errors = notify_slack_error_lines();
        assert_eq!(errors.len(), 3);
        for (line, code) in errors.iter().zip(["403", "404", "410"]) {
            let parts: Vec<&str> = line.split('\t').collect();
            assert_eq!(parts.len(), 4, "{line:?}");
            assert_eq!(parts[0], "[ERROR]");
            assert!(parts[3].starts_with(&format!("HTTP Error {code}: ")));
            assert!(parts[3].ends_with(": result"));
        }
        let successes = notify_slack_success_lines();
        assert!(
            successes
                .iter()
                .all(|l| !l.contains("ERROR") && !l.contains("Error"))
        );
    }
}
