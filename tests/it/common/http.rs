//! A minimal HTTP/1.1 client and server over std::net, for loopback use in tests only.
//!
//! One request per connection (`Connection: close`), no TLS. Enough to seed a registry, fetch a
//! token, and stand in for a misbehaving registry.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A parsed HTTP request (as received by [`Server`]) or a response (as received by [`request`]).
#[derive(Debug, Clone, Default)]
pub struct Message {
    /// Request method, or empty for responses.
    pub method: String,
    /// Request target (path and query), or empty for responses.
    pub target: String,
    /// Response status, or 0 for requests.
    pub status: u16,
    /// Header names are lowercased.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Message {
    /// A header value by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// The request path without the query string.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// All values of a query parameter (percent-decoded), in order.
    pub fn query_all(&self, name: &str) -> Vec<String> {
        let query = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        form_values(query, name)
    }

    /// The body as UTF-8 text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// All values of `name` in an `application/x-www-form-urlencoded` string, percent-decoded.
pub fn form_values(form: &str, name: &str) -> Vec<String> {
    form.split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .filter(|(k, _)| percent_decode(k) == name)
        .map(|(_, v)| percent_decode(v))
        .collect()
}

/// Decodes `%XX` escapes and `+` (as a space).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A response to be sent by a [`Server`] handler.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// A reply with a status, a Content-Type and a body.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply { status, headers: vec![("Content-Type".into(), content_type.into())], body: body.into() }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Reads a request line or status line, headers and body (Content-Length or chunked) from `r`.
/// `bodiless` is for responses to HEAD, which announce a length but carry no body.
pub fn read_message(r: &mut impl BufRead, is_request: bool, bodiless: bool) -> std::io::Result<Message> {
    let mut msg = Message::default();
    let mut line = String::new();
    r.read_line(&mut line)?;
    let mut parts = line.trim_end().splitn(3, ' ');
    if is_request {
        msg.method = parts.next().unwrap_or("").to_string();
        msg.target = parts.next().unwrap_or("").to_string();
    } else {
        parts.next();
        msg.status = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
    }
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
            break;
        }
        if let Some((k, v)) = line.trim_end().split_once(':') {
            msg.headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    if bodiless {
        return Ok(msg);
    }
    if msg.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        msg.body = read_chunked(r)?;
    } else if let Some(len) = msg.header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        msg.body = vec![0; len];
        r.read_exact(&mut msg.body)?;
    } else if !is_request {
        r.read_to_end(&mut msg.body)?;
    }
    Ok(msg)
}

/// Decodes a chunked transfer-encoded body.
fn read_chunked(r: &mut impl BufRead) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
        if size == 0 {
            // Trailer section ends with an empty line.
            loop {
                line.clear();
                if r.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..])?;
        line.clear();
        r.read_line(&mut line)?;
    }
}

/// Sends one HTTP request to `url` (must be `http://127.0.0.1:PORT/...`) and returns the response.
/// `headers` are extra request headers; a Content-Length is added for the body.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> std::io::Result<Message> {
    let rest = url.strip_prefix("http://").expect("only plain http:// URLs are supported");
    let (host, target) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut reader = BufReader::new(stream);
    read_message(&mut reader, false, method == "HEAD")
}

/// Plain GET returning the response.
pub fn get(url: &str, headers: &[(&str, &str)]) -> std::io::Result<Message> {
    request("GET", url, headers, &[])
}

/// A handler answering one request.
pub type Handler = dyn Fn(&Message) -> Reply + Send + Sync + 'static;

/// A tiny HTTP server on 127.0.0.1 running `handler` for each request on its own thread.
/// Connections that start with a TLS handshake are closed at once, so clients that try HTTPS
/// first fall back to plain HTTP. Stops (and joins its thread) on Drop.
pub struct Server {
    pub port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds a free loopback port and starts serving.
    pub fn start(handler: impl Fn(&Message) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        let stop2 = stop.clone();
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let handler = handler.clone();
                std::thread::spawn(move || serve_connection(conn, &*handler));
            }
        });
        Server { port, stop, thread: Some(thread) }
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `127.0.0.1:PORT`
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// Answers one request on `conn`, then closes it.
fn serve_connection(conn: TcpStream, handler: &Handler) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut first = [0u8; 1];
    match conn.peek(&mut first) {
        Ok(1) if first[0] == 0x16 => return, // TLS ClientHello: refuse, client falls back to http.
        Ok(1) => {}
        _ => return,
    }
    let mut reader = BufReader::new(conn.try_clone().expect("clone stream"));
    let Ok(req) = read_message(&mut reader, true, false) else { return };
    let reply = handler(&req);
    let mut out = format!("HTTP/1.1 {} {}\r\nConnection: close\r\n", reply.status, reason(reply.status));
    let mut has_length = false;
    for (k, v) in &reply.headers {
        has_length |= k.eq_ignore_ascii_case("content-length");
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    if !has_length {
        out.push_str(&format!("Content-Length: {}\r\n", reply.body.len()));
    }
    out.push_str("\r\n");
    let mut conn = conn;
    let _ = conn.write_all(out.as_bytes());
    if req.method != "HEAD" {
        let _ = conn.write_all(&reply.body);
    }
    let _ = conn.flush();
}

/// The standard reason phrase for the statuses the tests use.
pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        302 => "Found",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the stop flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
