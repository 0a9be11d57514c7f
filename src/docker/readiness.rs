//! "Really answers": the gateway and the console each return an HTTP response.
//!
//! Any status counts (the gateway answers 404 for an unknown route, the console may
//! redirect); a refused or reset connection, or no answer within a second, does not.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    pub gateway: bool,
    pub console: bool,
}

impl Readiness {
    pub fn ready(self) -> bool {
        self.gateway && self.console
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("static client configuration")
}

async fn answers(client: &reqwest::Client, url: &str) -> bool {
    client.get(url).send().await.is_ok()
}

/// Where to reach the gateway and the console: the console may stay on loopback while
/// the gateway is published on another address.
#[derive(Debug, Clone)]
pub struct Hosts {
    pub gateway: String,
    pub console: String,
}

impl Hosts {
    /// The hosts to probe for ports published on `bind` and `console_bind`.
    pub fn of(bind: Option<std::net::IpAddr>, console_bind: Option<std::net::IpAddr>) -> Self {
        Self {
            gateway: super::probe_host(bind),
            console: super::probe_host(console_bind.or(bind)),
        }
    }
}

pub async fn probe(hosts: &Hosts, http_port: u16, console_port: u16) -> Readiness {
    let client = client();
    let gateway_url = format!("http://{}:{http_port}/", hosts.gateway);
    let console_url = format!("http://{}:{console_port}/", hosts.console);
    let (gateway, console) = tokio::join!(
        answers(&client, &gateway_url),
        answers(&client, &console_url),
    );
    Readiness { gateway, console }
}

/// Polls until both answer or `timeout` passes; returns the last observation.
pub async fn wait(
    hosts: &Hosts,
    http_port: u16,
    console_port: u16,
    timeout: Duration,
) -> Readiness {
    let deadline = Instant::now() + timeout;
    loop {
        let seen = probe(hosts, http_port, console_port).await;
        if seen.ready() || Instant::now() >= deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
