//! An HTTP filter chain of plugin VMs, iterated the way Envoy iterates one: request
//! headers filter by filter until one stops, body data through the filters that
//! have seen the headers, a filter that continues on data letting the headers go on
//! to the next; the response the same way in reverse order. A plugin that stops
//! and never continues (an `http_call` nobody answers) leaves the request held.

use std::sync::{Arc, Mutex};

use super::host::{Clock, Headers, HttpCall, HttpCallResponse, LocalReply, LogLine, Stream, Vm};

pub struct Request {
    pub headers: Headers,
    pub body: Vec<u8>,
}

pub struct Response {
    pub headers: Headers,
    /// Body chunks as they arrive from upstream (an SSE stream comes in several),
    /// each with the milliseconds the clock moves before it (the first one's count
    /// before the response headers too).
    pub chunks: Vec<(u64, Vec<u8>)>,
}

/// What the chain did with one request.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The request headers and body as they leave the last plugin for upstream.
    pub upstream_headers: Headers,
    pub upstream_body: Vec<u8>,
    /// `None` when the request reached upstream; else who held it or replied.
    pub stopped: Option<String>,
    pub local_reply: Option<LocalReply>,
    pub downstream_headers: Headers,
    pub downstream_body: Vec<u8>,
    pub stream: Stream,
    pub http_calls: Vec<HttpCall>,
    pub logs: Vec<LogLine>,
}

impl Outcome {
    pub fn upstream_header(&self, name: &str) -> Option<&str> {
        super::host::header(&self.upstream_headers, name)
    }

    pub fn errors(&self) -> Vec<&LogLine> {
        self.logs
            .iter()
            .filter(|l| matches!(l.level, "error" | "critical"))
            .collect()
    }
}

type Script<'a> = &'a dyn Fn(&HttpCall) -> Option<HttpCallResponse>;

#[derive(Clone, Copy, PartialEq)]
enum Dir {
    Request,
    Response,
}

/// Runs `request` (and, once it reached upstream, `response`) through `vms`, given
/// in request order (Envoy: phase, then priority, highest first).
pub fn exchange(
    vms: &mut [&mut Vm],
    stream: Stream,
    request: Request,
    response: Option<Response>,
    script: Script<'_>,
    clock: &Clock,
) -> Outcome {
    let mut response = response;
    exchange_with(
        vms,
        stream,
        request,
        &mut |_| response.take(),
        script,
        clock,
    )
}

/// [`exchange`], with the upstream's answer chosen from the request headers as they
/// reached it (an upstream that fails for one key and not another).
pub fn exchange_with(
    vms: &mut [&mut Vm],
    stream: Stream,
    request: Request,
    respond: &mut dyn FnMut(&Headers) -> Option<Response>,
    script: Script<'_>,
    clock: &Clock,
) -> Outcome {
    let stream = Arc::new(Mutex::new(stream));
    stream.lock().unwrap().request_headers = request.headers;
    let calls_before: Vec<usize> = vms.iter().map(|v| v.state().http_calls.len()).collect();
    let logs_before: Vec<usize> = vms.iter().map(|v| v.state().logs.len()).collect();
    let ctxs: Vec<u32> = vms.iter_mut().map(|v| v.open(stream.clone())).collect();
    let order: Vec<usize> = (0..vms.len()).collect();
    let chunks = if request.body.is_empty() {
        vec![]
    } else {
        vec![request.body]
    };
    let sent = run(vms, &ctxs, &order, &stream, Dir::Request, chunks, script);
    let (upstream_headers, upstream_body, mut stopped) = {
        let s = stream.lock().unwrap();
        match sent {
            Ok(body) => (s.request_headers.clone(), body, None),
            Err(who) => (s.request_headers.clone(), Vec::new(), Some(who)),
        }
    };
    let mut downstream_body = Vec::new();
    let response = if stopped.is_none() {
        respond(&upstream_headers)
    } else {
        None
    };
    if let (None, Some(response)) = (&stopped, response) {
        {
            let mut s = stream.lock().unwrap();
            s.response_headers = response.headers;
            s.properties
                .insert("response.code_details".into(), b"via_upstream".to_vec());
        }
        let reverse: Vec<usize> = (0..vms.len()).rev().collect();
        let n = response.chunks.len();
        let chunks = response
            .chunks
            .into_iter()
            .enumerate()
            .map(|(i, (ms, c))| (ms, c, i + 1 == n))
            .collect::<Vec<_>>();
        if let Some((ms, _, _)) = chunks.first() {
            clock.advance_ms(*ms);
        }
        match run_chunks(
            vms,
            &ctxs,
            &reverse,
            &stream,
            Dir::Response,
            chunks,
            script,
            clock,
        ) {
            Ok(body) => downstream_body = body,
            Err(who) => stopped = Some(who),
        }
    }
    for (vm, ctx) in vms.iter_mut().zip(&ctxs) {
        vm.finish(*ctx);
    }
    let s = stream.lock().unwrap().clone();
    Outcome {
        upstream_headers,
        upstream_body,
        local_reply: s.local_reply.clone(),
        downstream_headers: s.response_headers.clone(),
        downstream_body,
        stopped,
        http_calls: vms
            .iter()
            .zip(&calls_before)
            .flat_map(|(v, n)| v.state().http_calls[*n..].to_vec())
            .collect(),
        logs: vms
            .iter()
            .zip(&logs_before)
            .flat_map(|(v, n)| v.state().logs[*n..].to_vec())
            .collect(),
        stream: s,
    }
}

fn run(
    vms: &mut [&mut Vm],
    ctxs: &[u32],
    order: &[usize],
    stream: &Arc<Mutex<Stream>>,
    dir: Dir,
    chunks: Vec<Vec<u8>>,
    script: Script<'_>,
) -> Result<Vec<u8>, String> {
    let chunks = chunks.into_iter().map(|c| (0, c, true)).collect();
    run_chunks(vms, ctxs, order, stream, dir, chunks, script, &Clock::new())
}

/// One direction: headers, then each (delay, chunk, end_of_stream). Returns the body that
/// left the last filter, or who stopped the stream.
#[allow(clippy::too_many_arguments)]
fn run_chunks(
    vms: &mut [&mut Vm],
    ctxs: &[u32],
    order: &[usize],
    stream: &Arc<Mutex<Stream>>,
    dir: Dir,
    chunks: Vec<(u64, Vec<u8>, bool)>,
    script: Script<'_>,
    clock: &Clock,
) -> Result<Vec<u8>, String> {
    let n = order.len();
    let headers_eos = chunks.is_empty();
    let mut hdr_next = 0;
    let continued = |s: &Arc<Mutex<Stream>>| {
        let want = if dir == Dir::Request { 0 } else { 1 };
        s.lock()
            .unwrap()
            .continued
            .iter()
            .filter(|t| **t == want)
            .count()
    };
    let replied = |s: &Arc<Mutex<Stream>>| s.lock().unwrap().local_reply.clone();
    // Headers go on from `hdr_next` until a filter stops them.
    let advance = |vms: &mut [&mut Vm], hdr_next: &mut usize| -> Result<(), String> {
        while *hdr_next < n {
            let i = order[*hdr_next];
            let before = continued(stream);
            let action = match dir {
                Dir::Request => vms[i].request_headers(ctxs[i], headers_eos),
                Dir::Response => vms[i].response_headers(ctxs[i], headers_eos),
            };
            vms[i].answer_calls(ctxs[i], script);
            *hdr_next += 1;
            if let Some(r) = replied(stream) {
                return Err(format!("{} replied {}", r.plugin, r.status));
            }
            if action != 0 && continued(stream) == before {
                if headers_eos {
                    return Err(format!("{} held the headers", vms[i].name));
                }
                break;
            }
        }
        Ok(())
    };
    advance(vms, &mut hdr_next)?;
    let mut out = Vec::new();
    let mut pending: Vec<Vec<u8>> = vec![Vec::new(); n];
    for (k, (ms, data, eos)) in chunks.into_iter().enumerate() {
        if k > 0 {
            clock.advance_ms(ms);
        }
        let mut buf = data;
        let mut j = 0;
        loop {
            if j == n {
                out.extend(buf);
                break;
            }
            if j >= hdr_next {
                advance(vms, &mut hdr_next)?;
            }
            let i = order[j];
            let mut whole = std::mem::take(&mut pending[j]);
            whole.extend(buf);
            set_body(stream, dir, whole);
            let before = continued(stream);
            let action = match dir {
                Dir::Request => vms[i].request_body(ctxs[i], eos),
                Dir::Response => vms[i].response_body(ctxs[i], eos),
            };
            vms[i].answer_calls(ctxs[i], script);
            if let Some(r) = replied(stream) {
                return Err(format!("{} replied {}", r.plugin, r.status));
            }
            let body = take_body(stream, dir);
            if action == 0 || continued(stream) > before {
                buf = body;
                j += 1;
                continue;
            }
            pending[j] = body;
            if eos {
                return Err(format!("{} held the stream", vms[i].name));
            }
            break;
        }
    }
    if hdr_next < n {
        return Err(format!(
            "{} held the headers",
            vms[order[hdr_next - 1]].name
        ));
    }
    Ok(out)
}

fn set_body(stream: &Arc<Mutex<Stream>>, dir: Dir, body: Vec<u8>) {
    let mut s = stream.lock().unwrap();
    match dir {
        Dir::Request => s.request_body = body,
        Dir::Response => s.response_body = body,
    }
}

fn take_body(stream: &Arc<Mutex<Stream>>, dir: Dir) -> Vec<u8> {
    let mut s = stream.lock().unwrap();
    match dir {
        Dir::Request => std::mem::take(&mut s.request_body),
        Dir::Response => std::mem::take(&mut s.response_body),
    }
}
