//! Starts the Python moto harness (tests/harness) for a test: the venv, moto
//! server and fault proxy on free ports, seeding; runs the real alertpath
//! binary against it; kills the servers on drop. A harness that cannot start
//! fails the test loudly: live tests are never skipped.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The harness venv's python, from `tests/harness/setup.sh` (installs on first use).
fn python() -> String {
    let out = Command::new("bash")
        .arg(root().join("tests/harness/setup.sh"))
        .stderr(Stdio::inherit())
        .output()
        .expect("cannot run tests/harness/setup.sh");
    assert!(
        out.status.success(),
        "tests/harness/setup.sh failed: the live tests need python3 with venv and PyPI access"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .last()
        .expect("setup.sh printed nothing")
        .trim()
        .to_string()
}

/// A running moto server with a fault proxy in front of it.
pub struct Harness {
    /// The harness python.
    pub python: String,
    /// moto's URL (seed here).
    pub moto: String,
    /// The proxy's URL (point alertpath here).
    pub proxy: String,
    /// A scratch directory for this harness.
    pub dir: tempfile::TempDir,
    children: Vec<Child>,
}

impl Drop for Harness {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_for_port(file: &Path, child: &mut Child, what: &str) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok(text) = std::fs::read_to_string(file)
            && let Ok(port) = text.trim().parse()
        {
            return port;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited with {status} before listening");
        }
        assert!(
            Instant::now() < deadline,
            "{what} did not start within 90 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Harness {
    /// Start moto and the proxy.
    pub fn start() -> Harness {
        let python = python();
        let dir = tempfile::tempdir().expect("tempdir");
        let harness_dir = root().join("tests/harness");
        let moto_port = dir.path().join("moto.port");
        let mut moto = Command::new(&python)
            .arg(harness_dir.join("moto_server.py"))
            .args(["--port", "0", "--port-file"])
            .arg(&moto_port)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("moto.log")).expect("log"))
            .spawn()
            .expect("cannot start moto_server.py");
        let port = wait_for_port(&moto_port, &mut moto, "moto_server.py");
        let moto_url = format!("http://127.0.0.1:{port}");
        let proxy_port = dir.path().join("proxy.port");
        let mut proxy = Command::new(&python)
            .arg(harness_dir.join("fault_proxy.py"))
            .args(["--upstream", &moto_url, "--port", "0", "--port-file"])
            .arg(&proxy_port)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("proxy.log")).expect("log"))
            .spawn()
            .expect("cannot start fault_proxy.py");
        let mut h = Harness {
            python,
            moto: moto_url,
            proxy: String::new(),
            dir,
            children: vec![moto],
        };
        let port = wait_for_port(&proxy_port, &mut proxy, "fault_proxy.py");
        h.children.push(proxy);
        h.proxy = format!("http://127.0.0.1:{port}");
        h
    }

    /// Seed a scenario into moto; returns the manifest.
    pub fn seed(&self, args: &[&str]) -> Value {
        let out = Command::new(&self.python)
            .arg(root().join("tests/harness/seed.py"))
            .args(["--endpoint", &self.moto])
            .args(args)
            .stderr(Stdio::inherit())
            .output()
            .expect("cannot run seed.py");
        assert!(out.status.success(), "seed.py {args:?} failed");
        serde_json::from_slice(&out.stdout).expect("seed.py manifest is not JSON")
    }

    /// Replace the proxy's fault rules.
    pub fn faults(&self, rules: &Value) {
        post(&self.proxy, "/_fault/rules", &rules.to_string());
    }

    /// Set a region's opt-in status for an account in moto.
    pub fn region_opt(&self, account: &str, region: &str, status: &str) {
        let body = serde_json::json!({"account": account, "region": region, "status": status});
        post(&self.moto, "/_alertpath/region-opt", &body.to_string());
    }

    /// Run alertpath with test credentials, pointed at the proxy.
    pub fn alertpath(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("cannot run alertpath")
    }

    /// Run alertpath as another principal (credentials from [`Harness::assume`]).
    pub fn alertpath_as(&self, credentials: &Credentials, args: &[&str]) -> Output {
        self.command(args)
            .env("AWS_ACCESS_KEY_ID", &credentials.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &credentials.secret_access_key)
            .env("AWS_SESSION_TOKEN", &credentials.session_token)
            .output()
            .expect("cannot run alertpath")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_alertpath"));
        command
            .args(args)
            .args(["--endpoint-url", &self.proxy])
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_ENDPOINT_URL")
            .env("AWS_CONFIG_FILE", self.dir.path().join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.path().join("no-credentials"),
            )
            .current_dir(self.dir.path());
        command
    }

    /// Assume `role_arn` with the test credentials, through the proxy (which
    /// so learns the credentials' account and principal).
    pub fn assume(&self, role_arn: &str) -> Credentials {
        let script = "import boto3, json, sys\n\
            c = boto3.client('sts', endpoint_url=sys.argv[1], region_name='us-east-1',\n\
                aws_access_key_id='test', aws_secret_access_key='test')\n\
            r = c.assume_role(RoleArn=sys.argv[2], RoleSessionName='alertpath-ci')['Credentials']\n\
            print(json.dumps([r['AccessKeyId'], r['SecretAccessKey'], r['SessionToken']]))\n";
        let out = Command::new(&self.python)
            .args(["-c", script, &self.proxy, role_arn])
            .stderr(Stdio::inherit())
            .output()
            .expect("cannot run the harness python");
        assert!(out.status.success(), "AssumeRole {role_arn} failed");
        let [access_key_id, secret_access_key, session_token]: [String; 3] =
            serde_json::from_slice(&out.stdout).expect("AssumeRole printed no credentials");
        Credentials {
            access_key_id,
            secret_access_key,
            session_token,
        }
    }

    /// The proxy's counters (`GET /_fault/stats`): requests by operation, by
    /// account, and by principal ARN with the roles each principal assumed.
    pub fn proxy_stats(&self) -> Value {
        serde_json::from_str(&get(&self.proxy, "/_fault/stats")).expect("stats are JSON")
    }

    /// Clear the proxy's rules and counters.
    pub fn reset_proxy(&self) {
        post(&self.proxy, "/_fault/reset", "");
    }
}

/// Temporary credentials of an assumed role.
pub struct Credentials {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: String,
    /// `AWS_SESSION_TOKEN`.
    pub session_token: String,
}

/// A minimal HTTP/1.0 GET; returns the body.
fn get(base: &str, path: &str) -> String {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).expect("connect to harness control API");
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
    assert!(head.contains(" 200 "), "GET {path} failed: {head}");
    body.to_string()
}

/// A minimal HTTP/1.0 POST (the control APIs are plain HTTP on localhost).
fn post(base: &str, path: &str, body: &str) {
    let host = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).expect("connect to harness control API");
    write!(
        stream,
        "POST {path} HTTP/1.0\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    assert!(
        response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200"),
        "POST {path} failed: {response}"
    );
}

/// (rule, account, region, status) of every finding in a JSON report.
pub fn outcomes(
    report: &Value,
) -> std::collections::BTreeSet<(String, String, String, String, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let s = |v: &Value| v.as_str().unwrap_or("").to_string();
            (
                s(&f["rule"]),
                s(&f["subject"]["account"]),
                s(&f["subject"]["region"]),
                s(&f["status"]),
                s(&f["subject"]["resource"]["name"]),
            )
        })
        .collect()
}

/// The status of a rule at (account, region) ("" for account-level).
pub fn status_of(report: &Value, rule: &str, account: &str, region: &str) -> Vec<String> {
    outcomes(report)
        .into_iter()
        .filter(|(r, a, g, _, _)| r == rule && a == account && g == region)
        .map(|(_, _, _, s, _)| s)
        .collect()
}
