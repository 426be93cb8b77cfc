//! A scripted [`Transport`] for unit tests: answers come from a table, every request is recorded.
//!
//! A [`FakeTransport`] holds [`Route`]s, tried in the order they were added: the first whose
//! method, URL (exact, or a prefix) and optional header predicate match answers. A route answers
//! with its [`Reply`]s in turn and keeps repeating the last one, or computes its answer from the
//! request. A reply can stream its body in given chunks, fail midway, or refuse the connection.
//! A request nothing matches fails with [`Error::Network`], as an unreachable host would.
//!
//! Request bodies are read to the end before the answer, as a real client sends them; a streamed
//! body that fails or does not match its declared length fails the send. `sleep` returns at once
//! and records the duration, so back-off can be asserted without waiting.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;

use crate::error::{Error, Result};
use crate::http::{ByteStream, Headers, Method, Request, RequestBody, Response, Transport};

/// A request as the fake received it.
#[derive(Clone, Debug)]
pub(crate) struct Seen {
    pub method: Method,
    pub url: String,
    pub headers: Headers,
    /// The body's bytes (empty for no body).
    pub body: Vec<u8>,
    /// Whether the body was a stream (not bytes held in memory).
    pub streamed: bool,
    /// The length a streamed body declared.
    pub declared_length: Option<u64>,
    /// Items of the response body the client has pulled so far.
    pulled: Arc<AtomicUsize>,
}

impl Seen {
    /// The `Authorization` header, if the request carried one.
    pub fn authorization(&self) -> Option<&str> {
        self.headers.get("authorization")
    }

    /// How many items (chunks, or the final error) of the response body were read.
    pub fn body_items_read(&self) -> usize {
        self.pulled.load(Ordering::SeqCst)
    }

    /// The URL's origin (`https://host:port`).
    pub fn origin(&self) -> &str {
        crate::registry::url::origin(&self.url).unwrap_or("")
    }
}

#[derive(Clone, Debug)]
enum Refusal {
    Network(String),
    Cancelled(String),
}

/// One scripted answer.
#[derive(Clone, Debug)]
pub(crate) struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    chunks: Vec<Bytes>,
    error_at_end: Option<String>,
    refusal: Option<Refusal>,
}

impl Reply {
    /// An answer with this status, no headers and an empty body.
    pub fn status(status: u16) -> Reply {
        Reply { status, headers: Vec::new(), chunks: Vec::new(), error_at_end: None, refusal: None }
    }

    /// `200 OK` with an empty body.
    pub fn ok() -> Reply {
        Reply::status(200)
    }

    /// A redirect with this status to `location`.
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::status(status).header("Location", location)
    }

    /// `200 OK` with a JSON body (and its Content-Type and Content-Length).
    pub fn json(body: &str) -> Reply {
        Reply::ok().header("Content-Type", "application/json").body(body.as_bytes().to_vec()).with_length()
    }

    /// No answer at all: the send fails with [`Error::Network`] (DNS, TCP, TLS…).
    pub fn network_error(message: &str) -> Reply {
        Reply { refusal: Some(Refusal::Network(message.to_string())), ..Reply::status(0) }
    }

    /// The send fails with [`Error::Cancelled`] (an abort).
    pub fn cancelled(message: &str) -> Reply {
        Reply { refusal: Some(Refusal::Cancelled(message.to_string())), ..Reply::status(0) }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// The body, as one chunk.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Reply {
        self.chunks = vec![Bytes::from(body.into())];
        self
    }

    /// The body, streamed in these chunks.
    pub fn chunks<C: Into<Bytes>>(mut self, chunks: impl IntoIterator<Item = C>) -> Reply {
        self.chunks = chunks.into_iter().map(Into::into).collect();
        self
    }

    /// After its chunks, the body fails with [`Error::Network`] (a connection cut midway).
    pub fn then_fail(mut self, message: &str) -> Reply {
        self.error_at_end = Some(message.to_string());
        self
    }

    /// Adds `Content-Length` for the body's chunks.
    pub fn with_length(self) -> Reply {
        let length: usize = self.chunks.iter().map(Bytes::len).sum();
        self.header("Content-Length", length.to_string())
    }
}

type HeaderPredicate = Arc<dyn Fn(&Headers) -> bool + Send + Sync>;
type Responder = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

enum Answers {
    /// In turn; the last one repeats.
    Sequence { replies: Vec<Reply>, next: usize },
    /// Computed from the request.
    Computed(Responder),
}

/// A row of the table: which requests it answers and how.
pub(crate) struct Route {
    method: Method,
    url: String,
    prefix: bool,
    when: Option<HeaderPredicate>,
    answers: Answers,
    hits: usize,
}

impl Route {
    /// Answers `method` on exactly `url` (query included) with `reply`.
    pub fn new(method: Method, url: &str, reply: Reply) -> Route {
        Route {
            method,
            url: url.to_string(),
            prefix: false,
            when: None,
            answers: Answers::Sequence { replies: vec![reply], next: 0 },
            hits: 0,
        }
    }

    /// Answers `method` on exactly `url` with `replies` in turn, repeating the last.
    pub fn sequence(method: Method, url: &str, replies: Vec<Reply>) -> Route {
        assert!(!replies.is_empty(), "a route needs at least one reply");
        Route { answers: Answers::Sequence { replies, next: 0 }, ..Route::new(method, url, Reply::ok()) }
    }

    /// Answers `method` on exactly `url` with what `respond` computes from the request.
    pub fn computed(method: Method, url: &str, respond: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Route {
        Route { answers: Answers::Computed(Arc::new(respond)), ..Route::new(method, url, Reply::ok()) }
    }

    /// Matches every URL that starts with the route's URL instead of that URL alone.
    pub fn prefix(mut self) -> Route {
        self.prefix = true;
        self
    }

    /// Matches only requests whose headers satisfy `predicate`.
    pub fn when(mut self, predicate: impl Fn(&Headers) -> bool + Send + Sync + 'static) -> Route {
        self.when = Some(Arc::new(predicate));
        self
    }

    fn matches(&self, seen: &Seen) -> bool {
        let url_matches = if self.prefix { seen.url.starts_with(&self.url) } else { seen.url == self.url };
        seen.method == self.method && url_matches && self.when.as_ref().is_none_or(|p| p(&seen.headers))
    }

    fn answer(&mut self, seen: &Seen) -> Reply {
        self.hits += 1;
        match &mut self.answers {
            Answers::Sequence { replies, next } => {
                let reply = replies[(*next).min(replies.len() - 1)].clone();
                *next += 1;
                reply
            }
            Answers::Computed(respond) => respond(seen),
        }
    }
}

#[derive(Default)]
struct Script {
    routes: Vec<Route>,
    seen: Vec<Seen>,
    unanswered: Vec<String>,
    sleeps: Vec<Duration>,
}

/// The scripted transport. Clones share the table and the record.
#[derive(Clone, Default)]
pub(crate) struct FakeTransport {
    script: Arc<Mutex<Script>>,
}

impl FakeTransport {
    /// A transport with an empty table (every request fails until routes are added).
    pub fn new() -> FakeTransport {
        FakeTransport::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Script> {
        self.script.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a route (after the existing ones: earlier routes win).
    pub fn add(&self, route: Route) -> &FakeTransport {
        self.lock().routes.push(route);
        self
    }

    /// Answers `method` on exactly `url` with `reply`, every time.
    pub fn on(&self, method: Method, url: &str, reply: Reply) -> &FakeTransport {
        self.add(Route::new(method, url, reply))
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// The requests whose URL starts with `prefix`, in order.
    pub fn requests_to(&self, prefix: &str) -> Vec<Seen> {
        self.requests().into_iter().filter(|s| s.url.starts_with(prefix)).collect()
    }

    /// `METHOD URL` of every request, in order.
    pub fn lines(&self) -> Vec<String> {
        self.requests().iter().map(|s| format!("{} {}", s.method.as_str(), s.url)).collect()
    }

    /// `METHOD URL` of the requests no route answered.
    pub fn unanswered(&self) -> Vec<String> {
        self.lock().unanswered.clone()
    }

    /// The durations `sleep` was asked for, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.lock().sleeps.clone()
    }
}

/// Reads a request body to its end: (bytes, streamed, declared length), or the send's error.
async fn read_body(body: RequestBody) -> (Vec<u8>, bool, Option<u64>, Option<Error>) {
    match body {
        RequestBody::Empty => (Vec::new(), false, None, None),
        RequestBody::Bytes(bytes) => (bytes.to_vec(), false, None, None),
        RequestBody::Stream { mut stream, length } => {
            let mut out = Vec::new();
            while let Some(item) = stream.next().await {
                match item {
                    Ok(chunk) => out.extend_from_slice(&chunk),
                    Err(e) => return (out, true, length, Some(Error::Network(format!("sending the body: {e}")))),
                }
                if length.is_some_and(|l| out.len() as u64 > l) {
                    break;
                }
            }
            let error = length
                .filter(|l| *l != out.len() as u64)
                .map(|l| Error::Network(format!("the body was {} bytes, not the declared {l}", out.len())));
            (out, true, length, error)
        }
    }
}

impl Transport for FakeTransport {
    fn send(&self, request: Request) -> impl std::future::Future<Output = Result<Response>> + Send {
        let this = self.clone();
        async move {
            let Request { method, url, headers, body } = request;
            let (body, streamed, declared_length, body_error) = read_body(body).await;
            let pulled = Arc::new(AtomicUsize::new(0));
            let seen = Seen { method, url, headers, body, streamed, declared_length, pulled: pulled.clone() };
            let mut script = this.lock();
            script.seen.push(seen.clone());
            if let Some(e) = body_error {
                return Err(e);
            }
            let Some(route) = script.routes.iter_mut().find(|r| r.matches(&seen)) else {
                let line = format!("{} {}", seen.method.as_str(), seen.url);
                script.unanswered.push(line.clone());
                return Err(Error::Network(format!("fake transport: nothing answers {line}")));
            };
            let reply = route.answer(&seen);
            drop(script);
            match reply.refusal {
                Some(Refusal::Network(message)) => return Err(Error::Network(message)),
                Some(Refusal::Cancelled(message)) => return Err(Error::Cancelled(message)),
                None => {}
            }
            let mut headers = Headers::new();
            for (name, value) in reply.headers {
                headers.append(name, value);
            }
            let mut items: Vec<Result<Bytes>> = reply.chunks.into_iter().map(Ok).collect();
            if let Some(message) = reply.error_at_end {
                items.push(Err(Error::Network(message)));
            }
            let body: ByteStream = Box::pin(futures_util::stream::iter(items).inspect(move |_| {
                pulled.fetch_add(1, Ordering::SeqCst);
            }));
            Ok(Response { status: reply.status, headers, body })
        }
    }

    fn sleep(&self, duration: Duration) -> impl std::future::Future<Output = ()> + Send {
        self.lock().sleeps.push(duration);
        std::future::ready(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::read_limited;
    use crate::testing::block_on;

    #[test]
    fn routes_answer_in_order_and_repeat_the_last_reply() {
        let t = FakeTransport::new();
        t.add(Route::new(Method::Get, "https://a/x", Reply::status(201)).when(|h| h.get("x-first").is_some()));
        t.add(Route::sequence(Method::Get, "https://a/x", vec![Reply::status(500), Reply::status(204)]));
        let status = |r: Request| block_on(t.send(r)).map(|r| r.status).map_err(|e| e.to_string());
        assert_eq!(status(Request::new(Method::Get, "https://a/x")), Ok(500));
        assert_eq!(status(Request::new(Method::Get, "https://a/x").header("X-First", "1")), Ok(201));
        assert_eq!(status(Request::new(Method::Get, "https://a/x")), Ok(204));
        assert_eq!(status(Request::new(Method::Get, "https://a/x")), Ok(204));
        assert!(status(Request::new(Method::Head, "https://a/x")).unwrap_err().contains("nothing answers HEAD"));
        assert_eq!(t.unanswered(), vec!["HEAD https://a/x"]);
        assert_eq!(t.requests().len(), 5);
    }

    #[test]
    fn bodies_stream_in_chunks_fail_midway_and_count_reads() {
        let t = FakeTransport::new();
        t.on(Method::Get, "https://a/b", Reply::ok().chunks(["ab", "cd"]).then_fail("cut"));
        let response = block_on(t.send(Request::new(Method::Get, "https://a/b"))).unwrap();
        let items: Vec<_> = block_on(response.body.collect::<Vec<_>>());
        assert_eq!(items.len(), 3);
        assert_eq!(items[1].as_ref().unwrap().as_ref(), b"cd");
        assert!(matches!(&items[2], Err(Error::Network(m)) if m == "cut"));
        assert_eq!(t.requests()[0].body_items_read(), 3);
    }

    #[test]
    fn request_bodies_are_recorded_and_checked_against_their_length() {
        let t = FakeTransport::new();
        t.on(Method::Put, "https://a/u", Reply::status(201));
        let body = |chunks: Vec<&'static str>, length| {
            let stream: ByteStream =
                Box::pin(futures_util::stream::iter(chunks.into_iter().map(|c| Ok(Bytes::from(c)))));
            RequestBody::Stream { stream, length }
        };
        let mut request = Request::new(Method::Put, "https://a/u");
        request.body = body(vec!["he", "llo"], Some(5));
        assert_eq!(block_on(t.send(request)).unwrap().status, 201);
        let mut short = Request::new(Method::Put, "https://a/u");
        short.body = body(vec!["he"], Some(5));
        assert!(matches!(block_on(t.send(short)), Err(Error::Network(_))));
        let seen = t.requests();
        assert_eq!(
            (seen[0].body.as_slice(), seen[0].streamed, seen[0].declared_length),
            (&b"hello"[..], true, Some(5))
        );
        assert_eq!(seen[1].body, b"he");
    }

    #[test]
    fn sleep_records_and_returns_at_once() {
        let t = FakeTransport::new();
        block_on(t.sleep(Duration::from_secs(3600)));
        block_on(t.sleep(Duration::from_secs(2)));
        assert_eq!(t.sleeps(), vec![Duration::from_secs(3600), Duration::from_secs(2)]);
        t.on(Method::Get, "https://a/j", Reply::json("{}"));
        let response = block_on(t.send(Request::new(Method::Get, "https://a/j"))).unwrap();
        assert_eq!(response.headers.get("content-length"), Some("2"));
        assert_eq!(block_on(read_limited(response.body, 10, "j")).unwrap(), b"{}");
    }
}
