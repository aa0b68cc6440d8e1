//! Credential errors read as one line naming the cause and the command that
//! fixes it (issue 20, item 4): no credentials, an unknown profile, an
//! expired SSO session. No network is reached: each fails before a request.

use std::path::Path;
use std::process::Output;

use crate::common::process::{bin, code};

/// Run `scan` live with only the given AWS config file, an empty credentials
/// file, `HOME` in `dir` and instance metadata disabled.
fn scan_live(dir: &Path, config: &str, args: &[&str]) -> Output {
    let config_file = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(&config_file, config).unwrap();
    std::fs::write(&credentials, "").unwrap();
    let mut cmd = bin();
    for var in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", dir)
        .env("AWS_CONFIG_FILE", &config_file)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .current_dir(dir)
        .args([
            "scan",
            "-q",
            "--regions",
            "us-east-1",
            "--max-attempts",
            "1",
        ])
        .args(args);
    cmd.output().unwrap()
}

/// The one error line, checked to be one line without the SDK's debug text.
fn error_line(out: &Output) -> String {
    assert_eq!(code(out), 2);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    for debug in ["DispatchFailure", "ProviderChainError", "IMDS", "Attempted"] {
        assert!(!stderr.contains(debug), "{stderr}");
    }
    lines[0].to_string()
}

#[test]
fn no_credentials_says_how_to_configure_them() {
    let tmp = tempfile::tempdir().unwrap();
    let line = error_line(&scan_live(tmp.path(), "", &[]));
    assert!(line.contains("no AWS credentials found"), "{line}");
    assert!(line.contains("run `aws configure`"), "{line}");
}

#[test]
fn an_unknown_profile_is_named_with_the_command_that_creates_it() {
    let tmp = tempfile::tempdir().unwrap();
    // With other profiles defined, and with none at all.
    for config in [
        "[default]\nregion = us-east-1\n\n[profile prod]\nregion = eu-west-1\n",
        "",
    ] {
        let line = error_line(&scan_live(
            tmp.path(),
            config,
            &["--profile", "nosuchprofile"],
        ));
        assert!(
            line.contains("AWS profile `nosuchprofile` is not defined")
                && line.contains("`aws configure --profile nosuchprofile`"),
            "{line}"
        );
    }
}

const SSO_PROFILE: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\n\
sso_role_name = ReadOnly\nregion = us-east-1\n\n[sso-session corp]\n\
sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\
sso_registration_scopes = sso:account:access\n";

#[test]
fn an_expired_sso_session_says_to_log_in_again() {
    let tmp = tempfile::tempdir().unwrap();
    // The SDK's token cache: ~/.aws/sso/cache/<sha1 of the session name>.json.
    let cache = tmp.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(
        cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        r#"{"accessToken":"expired","expiresAt":"2020-01-01T00:00:00Z","region":"us-east-1","startUrl":"https://corp.awsapps.com/start"}"#,
    )
    .unwrap();
    let line = error_line(&scan_live(tmp.path(), SSO_PROFILE, &["--profile", "dev"]));
    assert!(
        line.contains("SSO session of profile `dev` has expired")
            && line.contains("run `aws sso login --profile dev`"),
        "{line}"
    );
    // Never logged in (no cached token): the same fix.
    std::fs::remove_dir_all(&cache).unwrap();
    let line = error_line(&scan_live(tmp.path(), SSO_PROFILE, &["--profile", "dev"]));
    assert!(line.contains("run `aws sso login --profile dev`"), "{line}");
}
