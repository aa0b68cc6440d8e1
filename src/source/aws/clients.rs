//! Credentials and endpoints: the standard aws-config chain (env, profile, SSO,
//! web identity), `--profile`, `--endpoint-url` / `AWS_ENDPOINT_URL`, adaptive
//! retry and timeouts on every call; one HTTPS client (TLS configuration and
//! connection pool) shared by every service client of a scan; one cached
//! assumed-role credential per account, reused across regions and refreshed
//! before it expires; and the per-region service clients, each with the
//! call-counting interceptor.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder as HttpClientBuilder, Connector};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::errors;
use super::services::{AccountLimits, Limit};
use super::stats::{CallCounter, Stats};
use crate::inventory::Gap;

/// Refresh an assumed-role credential this long before it expires.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

/// How to reach AWS.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// A named profile (`--profile`).
    pub profile: Option<String>,
    /// An endpoint for every service (`--endpoint-url`; `AWS_ENDPOINT_URL` is read by aws-config).
    pub endpoint_url: Option<String>,
    /// Timeout of one attempt.
    pub attempt_timeout: Duration,
    /// Attempts per call, retries included (adaptive retry).
    pub max_attempts: u32,
}

/// Load the caller's configuration from the standard chain.
pub async fn load_base(options: &ConnectOptions, fallback_region: &str) -> SdkConfig {
    let attempt = options.attempt_timeout;
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(attempt.min(Duration::from_secs(5)))
        .operation_attempt_timeout(attempt)
        .operation_timeout(attempt * (options.max_attempts + 1) + Duration::from_secs(20))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(shared_http_client())
        .retry_config(RetryConfig::adaptive().with_max_attempts(options.max_attempts.max(1)))
        .timeout_config(timeouts);
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return config
            .into_builder()
            .region(Region::new(fallback_region.to_string()))
            .build();
    }
    config
}

/// The HTTPS client that every configuration derived from [`load_base`]
/// carries: the SDK's default one (hyper with rustls and aws-lc, the proxy from
/// the environment), built once. Left unset, the SDK gives every service client
/// its own HTTP client, so each client built loads all trusted root
/// certificates into a new TLS configuration (~100 KB) and opens its own
/// connection pool: memory that grew with every account a scan reached.
pub fn shared_http_client() -> SharedHttpClient {
    HttpClientBuilder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            Connector::builder().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
}

/// A role in one account, assumed with the caller's credentials. The
/// credential is cached and refreshed [`REFRESH_BEFORE_EXPIRY`] before it
/// expires, so every region of the account shares one `AssumeRole` call.
#[derive(Debug)]
pub struct AssumedRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    external_id: Option<String>,
    cache: tokio::sync::Mutex<Option<Credentials>>,
}

impl AssumedRole {
    /// A role to assume through `sts` (a client with the caller's credentials).
    pub fn new(sts: aws_sdk_sts::Client, role_arn: String, external_id: Option<String>) -> Self {
        AssumedRole {
            sts,
            role_arn,
            external_id,
            cache: tokio::sync::Mutex::new(None),
        }
    }

    /// The role ARN.
    pub fn role_arn(&self) -> &str {
        &self.role_arn
    }

    /// The current credential, assuming the role when none is cached or it expires soon.
    pub async fn credentials(&self) -> Result<Credentials, Gap> {
        let mut cached = self.cache.lock().await;
        if let Some(c) = cached.as_ref() {
            let fresh = c
                .expiry()
                .is_none_or(|e| e > SystemTime::now() + REFRESH_BEFORE_EXPIRY);
            if fresh {
                return Ok(c.clone());
            }
        }
        let out = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name("alertpath")
            .set_external_id(self.external_id.clone())
            .send()
            .await
            .map_err(|e| errors::classify("sts:AssumeRole", &e))?;
        let Some(c) = out.credentials() else {
            return Err(errors::other(
                "sts:AssumeRole",
                "the response carried no credentials",
            ));
        };
        let expiry = SystemTime::try_from(*c.expiration()).ok();
        let creds = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "alertpath-assume-role",
        );
        *cached = Some(creds.clone());
        Ok(creds)
    }
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.credentials()
                .await
                .map_err(|gap| CredentialsError::provider_error(gap.describe()))
        })
    }
}

/// The configuration for one account (caller's or assumed role's credentials).
pub fn account_config(base: &SdkConfig, role: Option<Arc<AssumedRole>>) -> SdkConfig {
    match role {
        None => base.clone(),
        Some(role) => base
            .to_builder()
            .credentials_provider(SharedCredentialsProvider::new(ArcProvider(role)))
            .build(),
    }
}

#[derive(Debug)]
struct ArcProvider(Arc<AssumedRole>);

impl ProvideCredentials for ArcProvider {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        self.0.provide_credentials()
    }
}

/// The configuration for one account in one region.
pub fn region_config(account: &SdkConfig, region: &str) -> SdkConfig {
    account
        .to_builder()
        .region(Region::new(region.to_string()))
        .build()
}

macro_rules! client_fn {
    ($name:ident, $krate:ident, $service:literal) => {
        /// A client with the call counter for this service.
        pub fn $name(&self) -> $krate::Client {
            let conf = $krate::config::Builder::from(&self.config)
                .interceptor(CallCounter {
                    service: $service,
                    stats: self.stats.clone(),
                })
                .build();
            $krate::Client::from_conf(conf)
        }
    };
}

/// Builds service clients for one account × region.
#[derive(Debug, Clone)]
pub struct Clients {
    /// The account × region configuration.
    pub config: SdkConfig,
    /// The shared call counters.
    pub stats: Arc<Stats>,
    /// The account's budgets of in-flight per-item calls, shared by its regions.
    pub limits: Arc<AccountLimits>,
}

impl Clients {
    /// Clients over a configuration, with budgets of their own (a new account).
    pub fn new(config: SdkConfig, stats: Arc<Stats>) -> Self {
        Clients {
            config,
            stats,
            limits: Arc::default(),
        }
    }

    /// The same account in `region`: same credentials, counters and budgets.
    pub fn in_region(&self, region: &str) -> Clients {
        Clients {
            config: region_config(&self.config, region),
            stats: self.stats.clone(),
            limits: self.limits.clone(),
        }
    }

    /// The budget of per-item calls of `service` in this account.
    pub fn limit(&self, service: &'static str) -> Limit {
        self.limits.of(service)
    }

    client_fn!(sts, aws_sdk_sts, "sts");
    client_fn!(organizations, aws_sdk_organizations, "organizations");
    client_fn!(account, aws_sdk_account, "account");
    client_fn!(guardduty, aws_sdk_guardduty, "guardduty");
    client_fn!(events, aws_sdk_eventbridge, "events");
    client_fn!(sns, aws_sdk_sns, "sns");
    client_fn!(lambda, aws_sdk_lambda, "lambda");
    client_fn!(cloudwatch, aws_sdk_cloudwatch, "cloudwatch");
    client_fn!(logs, aws_sdk_cloudwatchlogs, "logs");
    client_fn!(cloudtrail, aws_sdk_cloudtrail, "cloudtrail");
    client_fn!(ssm, aws_sdk_ssm, "ssm");
    client_fn!(kms, aws_sdk_kms, "kms");
    client_fn!(securityhub, aws_sdk_securityhub, "securityhub");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_account_and_region_client_carries_the_one_shared_http_client() {
        let options = ConnectOptions {
            profile: None,
            endpoint_url: Some("http://127.0.0.1:9".to_string()),
            attempt_timeout: Duration::from_secs(1),
            max_attempts: 1,
        };
        let base = load_base(&options, "us-east-1").await;
        assert!(
            base.http_client().is_some(),
            "the base config has no HTTP client"
        );
        let stats = Arc::new(Stats::default());
        let sts = Clients::new(base.clone(), stats.clone()).sts();
        let role = Arc::new(AssumedRole::new(
            sts,
            "arn:aws:iam::111111111111:role/alertpath-audit".to_string(),
            None,
        ));
        let account = account_config(&base, Some(role));
        let clients = Clients::new(region_config(&account, "eu-west-1"), stats);
        // Without one here, the SDK builds a new HTTP client (TLS roots, pool) per service client.
        assert!(clients.sns().config().http_client().is_some());
        assert!(clients.guardduty().config().http_client().is_some());
        assert_eq!(
            clients.config.region().map(|r| r.as_ref()),
            Some("eu-west-1")
        );
    }
}
