//! A fault-injecting HTTP proxy in front of a real registry on loopback.
//!
//! Every request is forwarded to the upstream registry (one request per connection, answered
//! with `Connection: close`), except that the first N blob `GET`s (`GET /v2/<repo>/blobs/<digest>`)
//! after [`FaultProxy::inject`] get a [`Fault`] instead. The client's `Host` header is passed on,
//! so the registry's `Location` headers point back at the proxy. Connections that start with a
//! TLS handshake are closed at once (clients with TLS verification off then fall back to http).
//!
//! Everything that passes is logged as `METHOD target -> status` (query strings included), so
//! tests can see mounts, uploads and which blob a fault hit.

use super::http::{read_message, reason, Message};
use std::io::{BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What happens to a faulted blob `GET`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Status and headers (with the full Content-Length) and half the body, then the
    /// connection is closed.
    CutBody,
    /// The whole body with one byte (in the middle) flipped.
    FlipByte,
    /// `503 Service Unavailable` with a registry error body; upstream is not asked.
    Unavailable,
    /// `429 Too Many Requests` with `Retry-After: 1`; upstream is not asked.
    TooManyRequests,
    /// The real body, sent in 64 KiB pieces with this pause between pieces.
    Slow(Duration),
}

#[derive(Default)]
struct State {
    fault: Option<Fault>,
    remaining: usize,
    /// Targets of the requests that were faulted, in order.
    faulted: Vec<String>,
    /// `METHOD target -> status` of every request answered.
    log: Vec<String>,
    /// Connections being served now.
    active: usize,
    /// When the last connection was accepted.
    last_accept: Option<std::time::Instant>,
}

/// A running proxy; stops accepting on Drop.
pub struct FaultProxy {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Starts a proxy forwarding to `upstream` (`127.0.0.1:PORT`, plain HTTP).
    pub fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (state2, stop2, upstream) = (state.clone(), stop.clone(), upstream.to_string());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                {
                    let mut s = state2.lock().unwrap();
                    s.active += 1;
                    s.last_accept = Some(std::time::Instant::now());
                }
                let (state, upstream) = (state2.clone(), upstream.clone());
                std::thread::spawn(move || {
                    serve(conn, &upstream, &state);
                    state.lock().unwrap().active -= 1;
                });
            }
        });
        FaultProxy { port, state, stop, thread: Some(thread) }
    }

    /// `127.0.0.1:PORT`
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `docker://127.0.0.1:PORT/{name}`
    pub fn docker_ref(&self, name: &str) -> String {
        format!("docker://{}/{name}", self.host())
    }

    /// Applies `fault` to the next `count` blob GETs (replacing any pending fault).
    pub fn inject(&self, fault: Fault, count: usize) {
        let mut s = self.state.lock().unwrap();
        s.fault = Some(fault);
        s.remaining = count;
    }

    /// Stops injecting faults.
    pub fn clear(&self) {
        self.inject(Fault::FlipByte, 0);
    }

    /// Targets (`/v2/repo/blobs/sha256:…`) of the requests that were faulted so far.
    pub fn faulted(&self) -> Vec<String> {
        self.state.lock().unwrap().faulted.clone()
    }

    /// `METHOD target -> status` for every request answered so far.
    pub fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }

    /// Waits until no connection is being served and none was accepted for 300 ms (at most 10 s),
    /// so that requests a finished client left queued are answered before the next
    /// [`FaultProxy::inject`] and cannot take its faults.
    pub fn wait_idle(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while std::time::Instant::now() < deadline {
            {
                let s = self.state.lock().unwrap();
                let quiet = s.last_accept.is_none_or(|t| t.elapsed() > Duration::from_millis(300));
                if s.active == 0 && quiet {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Forgets the log and the faulted targets.
    pub fn reset_log(&self) {
        let mut s = self.state.lock().unwrap();
        s.log.clear();
        s.faulted.clear();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Whether `req` is a blob GET (not an upload, not a manifest).
fn is_blob_get(req: &Message) -> bool {
    req.method == "GET"
        && req.path().starts_with("/v2/")
        && req.path().contains("/blobs/sha256:")
        && !req.path().contains("/uploads/")
}

/// The fault to apply to `req`, if any (and counts it).
fn take_fault(req: &Message, state: &Mutex<State>) -> Option<Fault> {
    if !is_blob_get(req) {
        return None;
    }
    let mut s = state.lock().unwrap();
    if s.remaining == 0 {
        return None;
    }
    s.remaining -= 1;
    s.faulted.push(req.target.clone());
    s.fault
}

fn serve(conn: TcpStream, upstream: &str, state: &Mutex<State>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let mut first = [0u8; 1];
    match conn.peek(&mut first) {
        Ok(1) if first[0] == 0x16 => return, // TLS ClientHello
        Ok(1) => {}
        _ => return,
    }
    let mut reader = BufReader::new(conn.try_clone().expect("clone stream"));
    let Ok(req) = read_message(&mut reader, true, false) else { return };
    let fault = take_fault(&req, state);
    let log = |status: u16| state.lock().unwrap().log.push(format!("{} {} -> {status}", req.method, req.target));
    let mut conn = conn;
    match fault {
        Some(Fault::Unavailable) => {
            let body = br#"{"errors":[{"code":"UNAVAILABLE","message":"service unavailable (injected)"}]}"#;
            write_head(&mut conn, 503, &[("Content-Type".into(), "application/json".into())], body.len());
            let _ = conn.write_all(body);
            log(503);
            return;
        }
        Some(Fault::TooManyRequests) => {
            let body = br#"{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down (injected)"}]}"#;
            let headers = [("Content-Type".into(), "application/json".into()), ("Retry-After".into(), "1".into())];
            write_head(&mut conn, 429, &headers, body.len());
            let _ = conn.write_all(body);
            log(429);
            return;
        }
        _ => {}
    }
    let resp = match forward(&req, upstream) {
        Ok(resp) => resp,
        Err(_) => {
            write_head(&mut conn, 502, &[], 0);
            log(502);
            return;
        }
    };
    let headers: Vec<(String, String)> = resp
        .headers
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "content-length" | "transfer-encoding" | "connection"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut body = resp.body;
    let length = if req.method == "HEAD" {
        resp.headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0)
    } else {
        body.len()
    };
    write_head(&mut conn, resp.status, &headers, length);
    log(resp.status);
    if req.method == "HEAD" {
        return;
    }
    match fault {
        Some(Fault::CutBody) => {
            let _ = conn.write_all(&body[..body.len() / 2]);
            let _ = conn.flush();
            let _ = conn.shutdown(Shutdown::Both);
        }
        Some(Fault::FlipByte) => {
            if !body.is_empty() {
                let middle = body.len() / 2;
                body[middle] ^= 0xff;
            }
            let _ = conn.write_all(&body);
        }
        Some(Fault::Slow(pause)) => {
            for piece in body.chunks(64 * 1024) {
                if conn.write_all(piece).and_then(|_| conn.flush()).is_err() {
                    return;
                }
                std::thread::sleep(pause);
            }
        }
        _ => {
            let _ = conn.write_all(&body);
        }
    }
    let _ = conn.flush();
}

/// Sends `req` to `upstream` (keeping the client's Host) and reads the whole response.
fn forward(req: &Message, upstream: &str) -> std::io::Result<Message> {
    let mut up = TcpStream::connect(upstream)?;
    up.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!("{} {} HTTP/1.1\r\n", req.method, req.target);
    for (k, v) in &req.headers {
        if !matches!(k.as_str(), "content-length" | "transfer-encoding" | "connection") {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str(&format!("Connection: close\r\nContent-Length: {}\r\n\r\n", req.body.len()));
    up.write_all(head.as_bytes())?;
    up.write_all(&req.body)?;
    let mut reader = BufReader::new(up);
    read_message(&mut reader, false, req.method == "HEAD")
}

fn write_head(conn: &mut TcpStream, status: u16, headers: &[(String, String)], length: usize) {
    let mut out = format!("HTTP/1.1 {status} {}\r\nConnection: close\r\n", reason(status));
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {length}\r\n\r\n"));
    let _ = conn.write_all(out.as_bytes());
}
