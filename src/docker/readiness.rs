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

pub async fn probe(host: &str, http_port: u16, console_port: u16) -> Readiness {
    let client = client();
    let gateway_url = format!("http://{host}:{http_port}/");
    let console_url = format!("http://{host}:{console_port}/");
    let (gateway, console) = tokio::join!(
        answers(&client, &gateway_url),
        answers(&client, &console_url),
    );
    Readiness { gateway, console }
}

/// Polls until both answer or `timeout` passes; returns the last observation.
pub async fn wait(host: &str, http_port: u16, console_port: u16, timeout: Duration) -> Readiness {
    let deadline = Instant::now() + timeout;
    loop {
        let seen = probe(host, http_port, console_port).await;
        if seen.ready() || Instant::now() >= deadline {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
