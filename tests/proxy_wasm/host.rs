//! The host side of the proxy-wasm ABI (0.2.1, with the Higress additions the Go SDK
//! imports) on wasmtime: one `Vm` is one plugin instance, as Envoy runs one per
//! WasmPlugin. Everything the plugin asks the host for is answered from a `Stream`
//! (the request in flight) or from the VM's own state, and everything it does is
//! recorded there, so a test can read what would have gone upstream.
//!
//! Imports this host does not implement make `Vm::new` panic with their names: a
//! newer plugin build needing more of the ABI fails loudly instead of trapping
//! somewhere in the middle of a request.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::{Caller, Engine, Extern, Linker, Memory, Module, Store, TypedFunc};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

pub type Headers = Vec<(String, String)>;

// proxy-wasm status codes.
const OK: i32 = 0;
const NOT_FOUND: i32 = 1;
const BAD_ARGUMENT: i32 = 2;
const CAS_MISMATCH: i32 = 8;

/// The env.* functions this host links; anything else a module imports is refused.
const IMPLEMENTED: &[&str] = &[
    "proxy_log",
    "proxy_send_local_response",
    "proxy_get_shared_data",
    "proxy_set_shared_data",
    "proxy_get_header_map_value",
    "proxy_add_header_map_value",
    "proxy_replace_header_map_value",
    "proxy_remove_header_map_value",
    "proxy_get_header_map_pairs",
    "proxy_set_header_map_pairs",
    "proxy_get_buffer_bytes",
    "proxy_set_buffer_bytes",
    "proxy_continue_stream",
    "proxy_close_stream",
    "proxy_http_call",
    "proxy_call_foreign_function",
    "proxy_set_tick_period_milliseconds",
    "proxy_set_effective_context",
    "proxy_define_metric",
    "proxy_increment_metric",
    "proxy_record_metric",
    "proxy_get_metric",
    "proxy_get_property",
    "proxy_set_property",
    "proxy_done",
];

/// Log levels as the ABI numbers them.
pub const LEVELS: [&str; 6] = ["trace", "debug", "info", "warn", "error", "critical"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub plugin: String,
    pub level: &'static str,
    pub message: String,
}

#[derive(Clone, Debug, Default)]
pub struct LocalReply {
    pub plugin: String,
    pub status: u32,
    pub details: String,
    pub headers: Headers,
    pub body: String,
}

#[derive(Clone, Debug)]
pub struct HttpCall {
    pub plugin: String,
    pub token: u32,
    /// The cluster, e.g. `outbound|443||vertex-oauth2.dns`.
    pub upstream: String,
    pub headers: Headers,
    pub body: Vec<u8>,
    pub timeout_ms: u32,
}

/// A scripted answer to an `http_call`.
#[derive(Clone, Debug, Default)]
pub struct HttpCallResponse {
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// Metrics, shared by every VM of one gateway like Envoy's stats store.
#[derive(Debug, Default)]
pub struct Metrics {
    /// (kind: 0 counter, 1 gauge, 2 histogram; name), indexed by id - 1.
    pub defined: Vec<(u32, String)>,
    pub values: HashMap<u32, i64>,
}

impl Metrics {
    pub fn value(&self, name: &str) -> Option<i64> {
        let id = self.defined.iter().position(|(_, n)| n == name)? as u32 + 1;
        Some(self.values.get(&id).copied().unwrap_or(0))
    }
}

/// One HTTP request in flight: what the plugins see and change.
#[derive(Clone, Debug, Default)]
pub struct Stream {
    pub request_headers: Headers,
    pub request_trailers: Headers,
    pub response_headers: Headers,
    pub response_trailers: Headers,
    /// The body chunk the current callback is given (Envoy's buffered data).
    pub request_body: Vec<u8>,
    pub response_body: Vec<u8>,
    /// Properties, keyed by their path joined with `.` (`response.code_details`).
    pub properties: BTreeMap<String, Vec<u8>>,
    /// Every `set_property`, in order: (plugin, path, value).
    pub properties_set: Vec<(String, String, String)>,
    /// Every `get_property` of a path the stream did not have.
    pub properties_missing: Vec<String>,
    pub local_reply: Option<LocalReply>,
    /// `continue_stream` calls: 0 request, 1 response.
    pub continued: Vec<i32>,
}

impl Stream {
    pub fn property(&self, path: &str) -> Option<String> {
        self.properties
            .get(path)
            .map(|v| String::from_utf8_lossy(v).into_owned())
    }
}

pub fn header<'a>(headers: &'a Headers, name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

pub struct HostState {
    wasi: WasiP1Ctx,
    plugin: String,
    plugin_config: Vec<u8>,
    vm_config: Vec<u8>,
    pub logs: Vec<LogLine>,
    pub http_calls: Vec<HttpCall>,
    /// Calls not yet answered (token → call index).
    pub pending_calls: Vec<u32>,
    next_token: u32,
    /// The response the plugin reads in `proxy_on_http_call_response`.
    call_response: Option<HttpCallResponse>,
    pub foreign_calls: Vec<String>,
    pub tick_period_ms: u32,
    shared_data: HashMap<String, (Vec<u8>, u32)>,
    metrics: Arc<Mutex<Metrics>>,
    /// Properties every stream of this VM answers (plugin_name, …).
    vm_properties: BTreeMap<String, Vec<u8>>,
    streams: HashMap<u32, Arc<Mutex<Stream>>>,
    current: u32,
    /// The `proxy_done` calls the plugin made.
    pub done_calls: u32,
}

impl HostState {
    fn stream(&self) -> Option<Arc<Mutex<Stream>>> {
        self.streams.get(&self.current).cloned()
    }
}

/// The wall clock the plugins read (`time.Now()`), in nanoseconds since the epoch:
/// the test moves it, so durations in ai_log are the ones the test chose.
#[derive(Clone, Debug)]
pub struct Clock(pub Arc<AtomicU64>);

impl Clock {
    /// 2026-11-02T10:00:00Z.
    pub fn new() -> Clock {
        Clock(Arc::new(AtomicU64::new(1_793_613_600_000_000_000)))
    }

    pub fn advance_ms(&self, ms: u64) {
        self.0.fetch_add(ms * 1_000_000, Ordering::SeqCst);
    }

    pub fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst) / 1_000_000
    }
}

impl wasmtime_wasi::HostWallClock for Clock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }

    fn now(&self) -> Duration {
        Duration::from_nanos(self.0.load(Ordering::SeqCst))
    }
}

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

/// The module compiled once per test binary, and cached on disk across runs under
/// `target/tmp/proxy-wasm/`, keyed by the wasm's hash and the engine's
/// compatibility hash (wasmtime version and settings).
pub fn module(path: &Path) -> Module {
    static MODULES: OnceLock<Mutex<HashMap<PathBuf, Module>>> = OnceLock::new();
    let modules = MODULES.get_or_init(Default::default);
    let mut modules = modules.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(m) = modules.get(path) {
        return m.clone();
    }
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut hasher = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(&engine().precompile_compatibility_hash(), &mut hasher);
    let key = format!(
        "{:x}-{:016x}",
        Sha256::digest(&bytes),
        std::hash::Hasher::finish(&hasher)
    );
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("proxy-wasm");
    let cached = dir.join(format!("{key}.cwasm"));
    // SAFETY: the file is one this function wrote with `Module::serialize` for the
    // same engine settings (the key carries their hash); a corrupt or foreign file
    // is rejected by wasmtime's header check and recompiled below.
    let module = match unsafe { Module::deserialize_file(engine(), &cached) } {
        Ok(m) => m,
        Err(_) => {
            let m = Module::new(engine(), &bytes)
                .unwrap_or_else(|e| panic!("compiling {}: {e:#}", path.display()));
            std::fs::create_dir_all(&dir).unwrap();
            let tmp = dir.join(format!("{key}.{}.tmp", std::process::id()));
            std::fs::write(&tmp, m.serialize().unwrap()).unwrap();
            std::fs::rename(&tmp, &cached).unwrap();
            m
        }
    };
    modules.insert(path.to_path_buf(), module.clone());
    module
}

struct Exports {
    on_context_create: TypedFunc<(i32, i32), ()>,
    on_vm_start: TypedFunc<(i32, i32), i32>,
    on_configure: TypedFunc<(i32, i32), i32>,
    on_request_headers: TypedFunc<(i32, i32, i32), i32>,
    on_request_body: TypedFunc<(i32, i32, i32), i32>,
    on_response_headers: TypedFunc<(i32, i32, i32), i32>,
    on_response_body: TypedFunc<(i32, i32, i32), i32>,
    on_http_call_response: TypedFunc<(i32, i32, i32, i32, i32), ()>,
    on_log: TypedFunc<i32, ()>,
    on_done: TypedFunc<i32, i32>,
    on_delete: TypedFunc<i32, ()>,
}

/// One plugin VM with its root context, configured.
pub struct Vm {
    pub name: String,
    store: Store<HostState>,
    exports: Exports,
    stderr: MemoryOutputPipe,
    root: u32,
    next_context: u32,
}

/// What `proxy_on_configure` said.
pub struct Configured {
    pub accepted: bool,
    pub logs: Vec<LogLine>,
}

impl Vm {
    /// Instantiates `module`, runs `_initialize`, creates the root context and
    /// starts the VM. `proxy_on_configure` is [`Vm::configure`].
    pub fn new(
        name: &str,
        module: &Module,
        plugin_config: Vec<u8>,
        vm_properties: BTreeMap<String, Vec<u8>>,
        metrics: Arc<Mutex<Metrics>>,
        clock: Clock,
    ) -> Vm {
        let missing: Vec<String> = module
            .imports()
            .filter(|i| i.module() == "env" && !IMPLEMENTED.contains(&i.name()))
            .map(|i| format!("env.{}", i.name()))
            .collect();
        assert!(
            missing.is_empty(),
            "{name} imports host functions this proxy-wasm host does not implement: {}",
            missing.join(", ")
        );
        let stderr = MemoryOutputPipe::new(1 << 20);
        let wasi = wasmtime_wasi::WasiCtxBuilder::new()
            .stderr(stderr.clone())
            .stdout(stderr.clone())
            .wall_clock(clock)
            .build_p1();
        let state = HostState {
            wasi,
            plugin: name.to_string(),
            plugin_config,
            vm_config: Vec::new(),
            logs: Vec::new(),
            http_calls: Vec::new(),
            pending_calls: Vec::new(),
            next_token: 1,
            call_response: None,
            foreign_calls: Vec::new(),
            tick_period_ms: 0,
            shared_data: HashMap::new(),
            metrics,
            vm_properties,
            streams: HashMap::new(),
            current: 0,
            done_calls: 0,
        };
        let mut store = Store::new(engine(), state);
        let mut linker: Linker<HostState> = Linker::new(engine());
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s: &mut HostState| &mut s.wasi)
            .unwrap();
        link(&mut linker);
        let instance = linker
            .instantiate(&mut store, module)
            .unwrap_or_else(|e| panic!("{name}: instantiate: {e:#}"));
        let init: TypedFunc<(), ()> = instance
            .get_typed_func(&mut store, "_initialize")
            .unwrap_or_else(|e| panic!("{name}: _initialize: {e:#}"));
        init.call(&mut store, ())
            .unwrap_or_else(|e| panic!("{name}: _initialize trapped: {e:#}"));
        macro_rules! f {
            ($n:literal) => {
                instance
                    .get_typed_func(&mut store, $n)
                    .unwrap_or_else(|e| panic!("{name}: export {}: {e:#}", $n))
            };
        }
        let exports = Exports {
            on_context_create: f!("proxy_on_context_create"),
            on_vm_start: f!("proxy_on_vm_start"),
            on_configure: f!("proxy_on_configure"),
            on_request_headers: f!("proxy_on_request_headers"),
            on_request_body: f!("proxy_on_request_body"),
            on_response_headers: f!("proxy_on_response_headers"),
            on_response_body: f!("proxy_on_response_body"),
            on_http_call_response: f!("proxy_on_http_call_response"),
            on_log: f!("proxy_on_log"),
            on_done: f!("proxy_on_done"),
            on_delete: f!("proxy_on_delete"),
        };
        let mut vm = Vm {
            name: name.to_string(),
            store,
            exports,
            stderr,
            root: 1,
            next_context: 2,
        };
        let root = vm.root as i32;
        vm.call(|e, s| e.on_context_create.call(s, (root, 0)));
        let vm_config_len = vm.store.data().vm_config.len() as i32;
        let started = vm.call(|e, s| e.on_vm_start.call(s, (root, vm_config_len)));
        assert_eq!(started, 1, "{name}: proxy_on_vm_start returned false");
        vm
    }

    fn call<R>(
        &mut self,
        f: impl FnOnce(&Exports, &mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> R {
        match f(&self.exports, &mut self.store) {
            Ok(r) => r,
            Err(e) => panic!(
                "{} trapped: {e:?}\nits stderr:\n{}\nits last log lines:\n{}",
                self.name,
                String::from_utf8_lossy(&self.stderr.contents()),
                self.store
                    .data()
                    .logs
                    .iter()
                    .rev()
                    .take(20)
                    .map(|l| format!("  [{}] {}", l.level, l.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        }
    }

    /// `proxy_on_configure` with the plugin configuration given to `new`.
    pub fn configure(&mut self) -> Configured {
        let before = self.store.data().logs.len();
        let root = self.root as i32;
        let len = self.store.data().plugin_config.len() as i32;
        let accepted = self.call(|e, s| e.on_configure.call(s, (root, len))) == 1;
        Configured {
            accepted,
            logs: self.store.data().logs[before..].to_vec(),
        }
    }

    pub fn state(&self) -> &HostState {
        self.store.data()
    }

    pub fn state_mut(&mut self) -> &mut HostState {
        self.store.data_mut()
    }

    pub fn metrics(&self) -> Arc<Mutex<Metrics>> {
        self.store.data().metrics.clone()
    }

    /// Creates an HTTP context for `stream`; returns its id.
    pub fn open(&mut self, stream: Arc<Mutex<Stream>>) -> u32 {
        let id = self.next_context;
        self.next_context += 1;
        let state = self.store.data_mut();
        state.streams.insert(id, stream);
        state.current = id;
        let root = self.root as i32;
        self.call(|e, s| e.on_context_create.call(s, (id as i32, root)));
        id
    }

    fn enter(&mut self, ctx: u32) {
        self.store.data_mut().current = ctx;
    }

    pub fn request_headers(&mut self, ctx: u32, eos: bool) -> i32 {
        self.enter(ctx);
        let n = self.stream_of(ctx).lock().unwrap().request_headers.len() as i32;
        self.call(|e, s| e.on_request_headers.call(s, (ctx as i32, n, eos as i32)))
    }

    pub fn request_body(&mut self, ctx: u32, eos: bool) -> i32 {
        self.enter(ctx);
        let n = self.stream_of(ctx).lock().unwrap().request_body.len() as i32;
        self.call(|e, s| e.on_request_body.call(s, (ctx as i32, n, eos as i32)))
    }

    pub fn response_headers(&mut self, ctx: u32, eos: bool) -> i32 {
        self.enter(ctx);
        let n = self.stream_of(ctx).lock().unwrap().response_headers.len() as i32;
        self.call(|e, s| e.on_response_headers.call(s, (ctx as i32, n, eos as i32)))
    }

    pub fn response_body(&mut self, ctx: u32, eos: bool) -> i32 {
        self.enter(ctx);
        let n = self.stream_of(ctx).lock().unwrap().response_body.len() as i32;
        self.call(|e, s| e.on_response_body.call(s, (ctx as i32, n, eos as i32)))
    }

    /// Answers every pending `http_call` that `script` has a response for; returns
    /// how many were answered.
    pub fn answer_calls(
        &mut self,
        ctx: u32,
        script: &dyn Fn(&HttpCall) -> Option<HttpCallResponse>,
    ) -> usize {
        let mut answered = 0;
        loop {
            let state = self.store.data();
            let Some((i, response)) = state.pending_calls.iter().enumerate().find_map(|(i, t)| {
                let call = state.http_calls.iter().find(|c| c.token == *t)?;
                script(call).map(|r| (i, (*t, r)))
            }) else {
                return answered;
            };
            let (token, response) = response;
            let state = self.store.data_mut();
            state.pending_calls.remove(i);
            let (nh, nb) = (response.headers.len() as i32, response.body.len() as i32);
            state.call_response = Some(response);
            state.current = ctx;
            let root = self.root as i32;
            self.call(|e, s| {
                e.on_http_call_response
                    .call(s, (root, token as i32, nh, nb, 0))
            });
            self.store.data_mut().call_response = None;
            answered += 1;
        }
    }

    /// `proxy_on_log`, `proxy_on_done` and `proxy_on_delete` for `ctx`.
    pub fn finish(&mut self, ctx: u32) {
        self.enter(ctx);
        self.call(|e, s| e.on_log.call(s, ctx as i32));
        self.call(|e, s| e.on_done.call(s, ctx as i32));
        self.call(|e, s| e.on_delete.call(s, ctx as i32));
        self.store.data_mut().streams.remove(&ctx);
    }

    fn stream_of(&self, ctx: u32) -> Arc<Mutex<Stream>> {
        self.store.data().streams[&ctx].clone()
    }
}

// ---- memory helpers ----

fn memory(caller: &mut Caller<'_, HostState>) -> Memory {
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => m,
        _ => panic!("the module exports no memory"),
    }
}

fn read(caller: &mut Caller<'_, HostState>, ptr: i32, len: i32) -> Vec<u8> {
    if len <= 0 {
        return Vec::new();
    }
    let mem = memory(caller);
    let mut buf = vec![0; len as usize];
    mem.read(&*caller, ptr as u32 as usize, &mut buf)
        .expect("guest pointer out of bounds");
    buf
}

fn read_str(caller: &mut Caller<'_, HostState>, ptr: i32, len: i32) -> String {
    String::from_utf8_lossy(&read(caller, ptr, len)).into_owned()
}

fn write_u32(caller: &mut Caller<'_, HostState>, ptr: i32, value: u32) {
    let mem = memory(caller);
    mem.write(&mut *caller, ptr as u32 as usize, &value.to_le_bytes())
        .expect("guest pointer out of bounds");
}

/// Copies `data` into memory the guest allocates (`proxy_on_memory_allocate`) and
/// writes its address and size where the guest asked for them.
fn give(caller: &mut Caller<'_, HostState>, data: &[u8], ret_ptr: i32, ret_size: i32) -> i32 {
    let addr = if data.is_empty() {
        0
    } else {
        let alloc = match caller.get_export("proxy_on_memory_allocate") {
            Some(Extern::Func(f)) => f.typed::<i32, i32>(&*caller).unwrap(),
            _ => panic!("the module exports no proxy_on_memory_allocate"),
        };
        let addr = alloc.call(&mut *caller, data.len() as i32).unwrap();
        let mem = memory(caller);
        mem.write(&mut *caller, addr as u32 as usize, data).unwrap();
        addr as u32
    };
    write_u32(caller, ret_ptr, addr);
    write_u32(caller, ret_size, data.len() as u32);
    OK
}

pub fn serialize_map(map: &Headers) -> Vec<u8> {
    let mut out = (map.len() as u32).to_le_bytes().to_vec();
    for (k, v) in map {
        out.extend((k.len() as u32).to_le_bytes());
        out.extend((v.len() as u32).to_le_bytes());
    }
    for (k, v) in map {
        out.extend(k.as_bytes());
        out.push(0);
        out.extend(v.as_bytes());
        out.push(0);
    }
    out
}

pub fn deserialize_map(bytes: &[u8]) -> Headers {
    if bytes.len() < 4 {
        return Vec::new();
    }
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
    let n = u32_at(0);
    let mut data = 4 + 8 * n;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (ks, vs) = (u32_at(4 + 8 * i), u32_at(8 + 8 * i));
        let k = String::from_utf8_lossy(&bytes[data..data + ks]).into_owned();
        data += ks + 1;
        let v = String::from_utf8_lossy(&bytes[data..data + vs]).into_owned();
        data += vs + 1;
        out.push((k, v));
    }
    out
}

/// Runs `f` on the header map `map` of the current stream (or of the http call
/// response); `None` when there is none.
fn with_map<R>(
    caller: &mut Caller<'_, HostState>,
    map: i32,
    f: impl FnOnce(&mut Headers) -> R,
) -> Option<R> {
    if map == 6 || map == 7 {
        let resp = caller.data_mut().call_response.as_mut()?;
        let mut empty = Vec::new();
        let m = if map == 6 {
            &mut resp.headers
        } else {
            &mut empty
        };
        return Some(f(m));
    }
    let stream = caller.data().stream()?;
    let mut s = stream.lock().unwrap();
    let m = match map {
        0 => &mut s.request_headers,
        1 => &mut s.request_trailers,
        2 => &mut s.response_headers,
        3 => &mut s.response_trailers,
        _ => return None,
    };
    Some(f(m))
}

fn link(linker: &mut Linker<HostState>) {
    let env = "env";
    linker
        .func_wrap(
            env,
            "proxy_log",
            |mut c: Caller<'_, HostState>, level: i32, ptr: i32, size: i32| -> i32 {
                let message = read_str(&mut c, ptr, size);
                let plugin = c.data().plugin.clone();
                let level = LEVELS.get(level as usize).copied().unwrap_or("critical");
                if std::env::var_os("PROXY_WASM_LOG").is_some() {
                    eprintln!("[{plugin}] [{level}] {message}");
                }
                c.data_mut().logs.push(LogLine {
                    plugin,
                    level,
                    message,
                });
                OK
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_send_local_response",
            |mut c: Caller<'_, HostState>,
             status: i32,
             dp: i32,
             ds: i32,
             bp: i32,
             bs: i32,
             hp: i32,
             hs: i32,
             _grpc: i32|
             -> i32 {
                let reply = LocalReply {
                    plugin: c.data().plugin.clone(),
                    status: status as u32,
                    details: read_str(&mut c, dp, ds),
                    body: read_str(&mut c, bp, bs),
                    headers: deserialize_map(&read(&mut c, hp, hs)),
                };
                match c.data().stream() {
                    Some(s) => {
                        s.lock().unwrap().local_reply = Some(reply);
                        OK
                    }
                    None => BAD_ARGUMENT,
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_get_shared_data",
            |mut c: Caller<'_, HostState>, kp: i32, ks: i32, rp: i32, rs: i32, rcas: i32| -> i32 {
                let key = read_str(&mut c, kp, ks);
                let Some((value, cas)) = c.data().shared_data.get(&key).cloned() else {
                    return NOT_FOUND;
                };
                give(&mut c, &value, rp, rs);
                write_u32(&mut c, rcas, cas);
                OK
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_set_shared_data",
            |mut c: Caller<'_, HostState>, kp: i32, ks: i32, vp: i32, vs: i32, cas: i32| -> i32 {
                let key = read_str(&mut c, kp, ks);
                let value = read(&mut c, vp, vs);
                let data = &mut c.data_mut().shared_data;
                let current = data.get(&key).map(|(_, c)| *c).unwrap_or(0);
                if cas != 0 && cas as u32 != current {
                    return CAS_MISMATCH;
                }
                data.insert(key, (value, current + 1));
                OK
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_get_header_map_value",
            |mut c: Caller<'_, HostState>, map: i32, kp: i32, ks: i32, rp: i32, rs: i32| -> i32 {
                let key = read_str(&mut c, kp, ks);
                let value = with_map(&mut c, map, |m| header(m, &key).map(str::to_string));
                match value.flatten() {
                    Some(v) => give(&mut c, v.as_bytes(), rp, rs),
                    None => NOT_FOUND,
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_add_header_map_value",
            |mut c: Caller<'_, HostState>, map: i32, kp: i32, ks: i32, vp: i32, vs: i32| -> i32 {
                let key = read_str(&mut c, kp, ks).to_ascii_lowercase();
                let value = read_str(&mut c, vp, vs);
                match with_map(&mut c, map, |m| m.push((key, value))) {
                    Some(()) => OK,
                    None => NOT_FOUND,
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_replace_header_map_value",
            |mut c: Caller<'_, HostState>, map: i32, kp: i32, ks: i32, vp: i32, vs: i32| -> i32 {
                let key = read_str(&mut c, kp, ks).to_ascii_lowercase();
                let value = read_str(&mut c, vp, vs);
                let done = with_map(&mut c, map, |m| {
                    match m.iter().position(|(k, _)| k.eq_ignore_ascii_case(&key)) {
                        Some(i) => {
                            m[i].1 = value;
                            let mut j = i + 1;
                            while j < m.len() {
                                if m[j].0.eq_ignore_ascii_case(&key) {
                                    m.remove(j);
                                } else {
                                    j += 1;
                                }
                            }
                        }
                        None => m.push((key, value)),
                    }
                });
                if done.is_some() { OK } else { NOT_FOUND }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_remove_header_map_value",
            |mut c: Caller<'_, HostState>, map: i32, kp: i32, ks: i32| -> i32 {
                let key = read_str(&mut c, kp, ks);
                match with_map(&mut c, map, |m| {
                    m.retain(|(k, _)| !k.eq_ignore_ascii_case(&key))
                }) {
                    Some(()) => OK,
                    None => NOT_FOUND,
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_get_header_map_pairs",
            |mut c: Caller<'_, HostState>, map: i32, rp: i32, rs: i32| -> i32 {
                match with_map(&mut c, map, |m| serialize_map(m)) {
                    Some(bytes) => give(&mut c, &bytes, rp, rs),
                    None => NOT_FOUND,
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_set_header_map_pairs",
            |mut c: Caller<'_, HostState>, map: i32, p: i32, s: i32| -> i32 {
                let pairs = deserialize_map(&read(&mut c, p, s));
                match with_map(&mut c, map, |m| {
                    *m = pairs
                        .into_iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), v))
                        .collect()
                }) {
                    Some(()) => OK,
                    None => NOT_FOUND,
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_get_buffer_bytes",
            |mut c: Caller<'_, HostState>,
             typ: i32,
             start: i32,
             max: i32,
             rp: i32,
             rs: i32|
             -> i32 {
                let data: Vec<u8> = match typ {
                    0 | 1 => match c.data().stream() {
                        Some(s) => {
                            let s = s.lock().unwrap();
                            if typ == 0 {
                                s.request_body.clone()
                            } else {
                                s.response_body.clone()
                            }
                        }
                        None => return NOT_FOUND,
                    },
                    4 => match &c.data().call_response {
                        Some(r) => r.body.clone(),
                        None => return NOT_FOUND,
                    },
                    6 => c.data().vm_config.clone(),
                    7 => c.data().plugin_config.clone(),
                    _ => return NOT_FOUND,
                };
                let start = (start.max(0) as usize).min(data.len());
                let end = start.saturating_add(max.max(0) as usize).min(data.len());
                give(&mut c, &data[start..end], rp, rs)
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_set_buffer_bytes",
            |mut c: Caller<'_, HostState>,
             typ: i32,
             start: i32,
             size: i32,
             p: i32,
             s: i32|
             -> i32 {
                let data = read(&mut c, p, s);
                let Some(stream) = c.data().stream() else {
                    return NOT_FOUND;
                };
                let mut st = stream.lock().unwrap();
                let buf = match typ {
                    0 => &mut st.request_body,
                    1 => &mut st.response_body,
                    _ => return NOT_FOUND,
                };
                // Envoy's rules: start 0 and a size replaces, start 0 and no size
                // prepends, start at or past the end appends.
                if start == 0 {
                    if size != 0 {
                        *buf = data;
                    } else {
                        let mut d = data;
                        d.extend_from_slice(buf);
                        *buf = d;
                    }
                } else if start as usize >= buf.len() {
                    buf.extend(data);
                } else {
                    return BAD_ARGUMENT;
                }
                OK
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_continue_stream",
            |c: Caller<'_, HostState>, typ: i32| -> i32 {
                match c.data().stream() {
                    Some(s) => {
                        s.lock().unwrap().continued.push(typ);
                        OK
                    }
                    None => NOT_FOUND,
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_close_stream",
            |_c: Caller<'_, HostState>, _typ: i32| -> i32 { OK },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_http_call",
            |mut c: Caller<'_, HostState>,
             up: i32,
             us: i32,
             hp: i32,
             hs: i32,
             bp: i32,
             bs: i32,
             _tp: i32,
             _ts: i32,
             timeout: i32,
             token_ptr: i32|
             -> i32 {
                let upstream = read_str(&mut c, up, us);
                let headers = deserialize_map(&read(&mut c, hp, hs));
                let body = read(&mut c, bp, bs);
                let state = c.data_mut();
                let token = state.next_token;
                state.next_token += 1;
                state.http_calls.push(HttpCall {
                    plugin: state.plugin.clone(),
                    token,
                    upstream,
                    headers,
                    body,
                    timeout_ms: timeout as u32,
                });
                state.pending_calls.push(token);
                write_u32(&mut c, token_ptr, token);
                OK
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_call_foreign_function",
            |mut c: Caller<'_, HostState>,
             np: i32,
             ns: i32,
             _pp: i32,
             _ps: i32,
             rp: i32,
             rs: i32|
             -> i32 {
                let name = read_str(&mut c, np, ns);
                c.data_mut().foreign_calls.push(name.clone());
                match name.as_str() {
                    // Debug: the plugin's own filter drops trace lines.
                    "get_log_level" => give(&mut c, &1u32.to_le_bytes(), rp, rs),
                    "set_global_max_requests_per_io_cycle" => give(&mut c, &[], rp, rs),
                    _ => NOT_FOUND,
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_set_tick_period_milliseconds",
            |mut c: Caller<'_, HostState>, period: i32| -> i32 {
                c.data_mut().tick_period_ms = period as u32;
                OK
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_set_effective_context",
            |mut c: Caller<'_, HostState>, id: i32| -> i32 {
                let state = c.data_mut();
                if id as u32 == 1 || state.streams.contains_key(&(id as u32)) {
                    state.current = id as u32;
                    OK
                } else {
                    BAD_ARGUMENT
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_define_metric",
            |mut c: Caller<'_, HostState>, typ: i32, np: i32, ns: i32, rid: i32| -> i32 {
                let name = read_str(&mut c, np, ns);
                let id = {
                    let metrics = c.data().metrics.clone();
                    let mut m = metrics.lock().unwrap();
                    match m.defined.iter().position(|(_, n)| *n == name) {
                        Some(i) => i as u32 + 1,
                        None => {
                            m.defined.push((typ as u32, name));
                            m.defined.len() as u32
                        }
                    }
                };
                write_u32(&mut c, rid, id);
                OK
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_increment_metric",
            |c: Caller<'_, HostState>, id: i32, offset: i64| -> i32 {
                let metrics = c.data().metrics.clone();
                let mut m = metrics.lock().unwrap();
                if id <= 0 || id as usize > m.defined.len() {
                    return NOT_FOUND;
                }
                *m.values.entry(id as u32).or_default() += offset;
                OK
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_record_metric",
            |c: Caller<'_, HostState>, id: i32, value: i64| -> i32 {
                let metrics = c.data().metrics.clone();
                let mut m = metrics.lock().unwrap();
                if id <= 0 || id as usize > m.defined.len() {
                    return NOT_FOUND;
                }
                m.values.insert(id as u32, value);
                OK
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_get_metric",
            |mut c: Caller<'_, HostState>, id: i32, rp: i32| -> i32 {
                let metrics = c.data().metrics.clone();
                let value = {
                    let m = metrics.lock().unwrap();
                    if id <= 0 || id as usize > m.defined.len() {
                        return NOT_FOUND;
                    }
                    m.values.get(&(id as u32)).copied().unwrap_or(0)
                };
                let mem = memory(&mut c);
                mem.write(&mut c, rp as u32 as usize, &(value as u64).to_le_bytes())
                    .unwrap();
                OK
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_get_property",
            |mut c: Caller<'_, HostState>, pp: i32, ps: i32, rp: i32, rs: i32| -> i32 {
                let path = property_path(&read(&mut c, pp, ps));
                let stream = c.data().stream();
                let value = stream
                    .as_ref()
                    .and_then(|s| s.lock().unwrap().properties.get(&path).cloned())
                    .or_else(|| c.data().vm_properties.get(&path).cloned());
                match value {
                    Some(v) => give(&mut c, &v, rp, rs),
                    None => {
                        if let Some(s) = stream {
                            s.lock().unwrap().properties_missing.push(path);
                        }
                        NOT_FOUND
                    }
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            env,
            "proxy_set_property",
            |mut c: Caller<'_, HostState>, pp: i32, ps: i32, vp: i32, vs: i32| -> i32 {
                let path = property_path(&read(&mut c, pp, ps));
                let value = read(&mut c, vp, vs);
                let plugin = c.data().plugin.clone();
                match c.data().stream() {
                    Some(s) => {
                        let mut s = s.lock().unwrap();
                        s.properties_set.push((
                            plugin,
                            path.clone(),
                            String::from_utf8_lossy(&value).into_owned(),
                        ));
                        s.properties.insert(path, value);
                        OK
                    }
                    None => {
                        c.data_mut().vm_properties.insert(path, value);
                        OK
                    }
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(env, "proxy_done", |mut c: Caller<'_, HostState>| -> i32 {
            c.data_mut().done_calls += 1;
            OK
        })
        .unwrap();
}

/// A property path as the SDK sends it (segments separated by NUL) → `a.b`.
fn property_path(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw)
        .trim_end_matches('\0')
        .split('\0')
        .collect::<Vec<_>>()
        .join(".")
}
