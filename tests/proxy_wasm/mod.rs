//! Higress's own AI plugins run on the folders higress-claw writes, without Docker:
//! a proxy-wasm host on wasmtime (`host`), an Envoy-like filter chain (`chain`) and
//! what the controller makes of the folder (`gateway`). The compiled plugins come
//! from the PyPI package `gpustack-higress-plugins` (ai-proxy with GPUStack's
//! patches, ai-statistics), installed by `.ci/run`.
#![allow(dead_code)]

pub mod access_log;
pub mod chain;
pub mod gateway;
pub mod host;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use chain::{Outcome, Request, Response};
use gateway::Route;
use host::{Clock, Configured, Headers, HttpCall, HttpCallResponse, Metrics, Stream, Vm};

pub const INSTALL: &str = "python3 -m pip install gpustack-higress-plugins";
pub const AI_PROXY: &str = "gpustack-ai-proxy/2.0.3-patched/plugin.wasm";
pub const AI_STATISTICS: &str = "ai-statistics/2.0.0/plugin.wasm";

/// The package's `plugins/` folder, asked from python3 once per test binary.
fn plugins_dir() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                "import gpustack_higress_plugins,os;print(os.path.dirname(gpustack_higress_plugins.__file__))",
            ])
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let dir = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim()).join("plugins");
        (dir.join(AI_PROXY).is_file() && dir.join(AI_STATISTICS).is_file()).then_some(dir)
    })
    .as_deref()
}

/// The path of a plugin's wasm; `None` (after saying so on stderr) when the package
/// is missing outside CI. Under CI=true a missing package fails the test.
pub fn plugin(rel: &str) -> Option<PathBuf> {
    if let Some(dir) = plugins_dir() {
        return Some(dir.join(rel));
    }
    assert!(
        !crate::support::in_ci(),
        "CI=true but the Higress plugins are not installed; run: {INSTALL}"
    );
    // libtest captures print!/eprint!, not a direct write to the process's stderr.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: the Higress plugins (PyPI gpustack-higress-plugins) are not installed; \
         the plugin tests did not run. Install them with: {INSTALL}"
    );
    None
}

/// A gateway on a data folder: ai-statistics then ai-proxy (both
/// `UNSPECIFIED_PHASE`; Envoy runs the higher priority first on the request,
/// 900 before 100), configured from the folder's WasmPlugin resources.
pub struct Gateway {
    pub data: PathBuf,
    pub ai_proxy: Vm,
    pub ai_statistics: Option<Vm>,
    pub proxy_configured: Configured,
    pub statistics_configured: Option<Configured>,
    pub routes: Vec<Route>,
    pub registries: Vec<gateway::Registry>,
    pub metrics: Arc<Mutex<Metrics>>,
    pub clock: Clock,
    pub proxy_config: serde_json::Value,
    next_request: u32,
}

impl Gateway {
    /// `None` when the plugins are not installed (and not in CI).
    pub fn new(data: &Path, with_statistics: bool) -> Option<Gateway> {
        let proxy_path = plugin(AI_PROXY)?;
        let stats_path = plugin(AI_STATISTICS)?;
        let metrics = Arc::new(Mutex::new(Metrics::default()));
        let clock = Clock::new();
        let proxy_res = gateway::read_yaml(&data.join("wasmplugins/ai-proxy.internal.yaml"));
        let proxy_config = gateway::plugin_config(&proxy_res);
        let mut ai_proxy = Vm::new(
            "ai-proxy",
            &host::module(&proxy_path),
            serde_json::to_vec(&proxy_config).unwrap(),
            gateway::vm_properties(&proxy_res),
            metrics.clone(),
            clock.clone(),
        );
        let proxy_configured = ai_proxy.configure();
        let (ai_statistics, statistics_configured) = if with_statistics {
            let res = gateway::read_yaml(&data.join("wasmplugins/ai-statistics-1.0.0.yaml"));
            let mut vm = Vm::new(
                "ai-statistics",
                &host::module(&stats_path),
                serde_json::to_vec(&gateway::plugin_config(&res)).unwrap(),
                gateway::vm_properties(&res),
                metrics.clone(),
                clock.clone(),
            );
            let configured = vm.configure();
            (Some(vm), Some(configured))
        } else {
            (None, None)
        };
        Some(Gateway {
            data: data.to_path_buf(),
            ai_proxy,
            ai_statistics,
            proxy_configured,
            statistics_configured,
            routes: gateway::routes(data),
            registries: gateway::registries(data),
            metrics,
            clock,
            proxy_config,
            next_request: 1,
        })
    }

    /// Sends a request as a client would reach the gateway: `model` in the body
    /// and in `x-higress-llm-model` (as model-router sets it), routed by the
    /// Ingresses' header matches. `None` when no route matches (Envoy's 404).
    pub fn send(
        &mut self,
        path: &str,
        model: &str,
        body: Vec<u8>,
        extra_headers: &[(&str, &str)],
        response: Option<Response>,
        script: &dyn Fn(&HttpCall) -> Option<HttpCallResponse>,
    ) -> Option<(Route, Outcome)> {
        let mut response = response;
        self.send_with(
            path,
            model,
            body,
            extra_headers,
            &mut |_| response.take(),
            script,
        )
    }

    /// [`Self::send`], the upstream answering by the request headers it receives.
    pub fn send_with(
        &mut self,
        path: &str,
        model: &str,
        body: Vec<u8>,
        extra_headers: &[(&str, &str)],
        respond: &mut dyn FnMut(&Headers) -> Option<Response>,
        script: &dyn Fn(&HttpCall) -> Option<HttpCallResponse>,
    ) -> Option<(Route, Outcome)> {
        let request_id = format!("00000000-0000-4000-8000-{:012}", self.next_request);
        self.next_request += 1;
        let mut headers: Headers = vec![
            (":authority".into(), "127.0.0.1:8080".into()),
            (":method".into(), "POST".into()),
            (":path".into(), path.into()),
            (":scheme".into(), "http".into()),
            ("content-type".into(), "application/json".into()),
            ("content-length".into(), body.len().to_string()),
            ("user-agent".into(), "higress-claw-tests".into()),
            ("x-request-id".into(), request_id),
            ("x-higress-llm-model".into(), model.into()),
        ];
        for (k, v) in extra_headers {
            headers.push((k.to_string(), v.to_string()));
        }
        let route = gateway::route_for(&self.routes, path, &headers)?.clone();
        let mut stream = Stream::default();
        stream
            .properties
            .insert("route_name".into(), route.name.clone().into_bytes());
        stream
            .properties
            .insert("cluster_name".into(), route.cluster().into_bytes());
        let mut vms: Vec<&mut Vm> = Vec::new();
        if let Some(s) = self.ai_statistics.as_mut() {
            vms.push(s);
        }
        vms.push(&mut self.ai_proxy);
        let outcome = chain::exchange_with(
            &mut vms,
            stream,
            Request { headers, body },
            respond,
            script,
            &self.clock,
        );
        Some((route, outcome))
    }
}

/// No scripted answer to any http_call.
pub fn no_calls(_: &HttpCall) -> Option<HttpCallResponse> {
    None
}
