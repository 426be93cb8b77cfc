//! The registry client's request machinery: endpoint discovery (`/v2/` ping, https then http when
//! allowed), authorization per scope, redirects followed by hand, and `429` back-off.
//!
//! Invariant: an `Authorization` header is only ever attached to requests for the registry's own
//! origin (and to the token realm the registry named); a redirect to any other host drops it, and
//! a `401` from any other host is not answered (its challenge could name a realm of its own).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::auth::{fetch_token, try_fetch_token, Credentials, Token};
use super::challenge::Challenge;
use super::{errors, url};
use crate::error::{Error, Result};
use crate::http::{Headers, Method, Request, Response, Transport};

/// Redirect hops followed before giving up.
const MAX_REDIRECTS: usize = 10;
/// Times a `429 Too Many Requests` is waited out before giving up.
pub const MAX_429_RETRIES: u32 = 3;
/// Longest `Retry-After` honoured.
const MAX_RETRY_AFTER_SECS: u64 = 60;
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// How to reach a registry.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Credentials to use when the registry asks.
    pub credentials: Option<Credentials>,
    /// Whether plain http may be used when https fails (`--tls-verify=false`).
    pub allow_http: bool,
    /// Use this base URL (`https://proxy.example/`) instead of the registry's own host. Every
    /// request to it names the registry in containerd's mirror parameter, `?ns=REGISTRY`, so one
    /// proxy can stand in for many registries.
    pub base_url: Option<String>,
}

#[derive(Default)]
struct State {
    base: Option<String>,
    challenge: Option<Challenge>,
    tokens: HashMap<String, Token>,
}

/// A client for one registry, over any [`Transport`].
///
/// Clones share the endpoint found by the ping and the token cache, so one client can serve
/// many images of the same registry.
#[derive(Clone)]
pub struct RegistryClient<T: Transport> {
    transport: T,
    registry: String,
    options: ClientOptions,
    state: Arc<Mutex<State>>,
}

impl<T: Transport> RegistryClient<T> {
    /// A client for `registry` (a host such as `docker.io` or `127.0.0.1:5000`).
    pub fn new(transport: T, registry: &str, options: ClientOptions) -> Self {
        RegistryClient {
            transport,
            registry: registry.to_string(),
            options,
            state: Arc::new(Mutex::new(State::default())),
        }
    }

    /// The registry host this client talks to.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The transport underneath.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The API's base URL (`https://host`), pinging `/v2/` the first time.
    pub async fn base_url(&self) -> Result<String> {
        if let Some(base) = self.lock().base.clone() {
            return Ok(base);
        }
        self.ping().await
    }

    /// Pings `/v2/`: finds the scheme that works and records the authentication challenge.
    pub async fn ping(&self) -> Result<String> {
        let candidates: Vec<String> = match &self.options.base_url {
            Some(base) => vec![base.trim_end_matches('/').to_string()],
            None => {
                let host = crate::reference::api_host(&self.registry);
                let mut v = vec![format!("https://{host}")];
                if self.options.allow_http {
                    v.push(format!("http://{host}"));
                }
                v
            }
        };
        let mut last_error = None;
        for base in candidates {
            let ping_url = self.naming_registry(format!("{base}/v2/"), &base);
            match self.transport.send(Request::new(Method::Get, &ping_url)).await {
                Ok(response) => {
                    let challenge = pick_challenge(&response.headers);
                    let status = response.status;
                    drop(response);
                    if status >= 500 {
                        return Err(Error::Protocol {
                            url: ping_url,
                            reason: format!("the registry answered HTTP {status} to the /v2/ ping"),
                        });
                    }
                    let mut state = self.lock();
                    state.base = Some(base.clone());
                    state.challenge = if status == 401 { challenge } else { None };
                    return Ok(base);
                }
                // An abort ends the ping at once, with its own error (code `CANCELLED`).
                Err(e @ Error::Cancelled(_)) => return Err(e),
                Err(e) => last_error = Some(e),
            }
        }
        let e = last_error.expect("at least one candidate");
        // A browser's CORS refusal keeps its kind (code `CORS`) and its advice.
        Err(match e {
            Error::Cors(message) => Error::Cors(format!("pinging container registry {}: {message}", self.registry)),
            e => Error::Network(format!("pinging container registry {}: {e}", self.registry)),
        })
    }

    /// Checks this client's credentials against the registry's `/v2/` as a login does: Basic
    /// credentials directly, or through a token fetched with no scope for a bearer challenge.
    ///
    /// `Ok(false)` means the registry (or its token service) refused them. A registry that
    /// answers `/v2/` without asking for credentials accepts any.
    pub async fn check_credentials(&self) -> Result<bool> {
        let base = self.ping().await?;
        let Some(challenge) = self.lock().challenge.clone() else { return Ok(true) };
        let credentials = self.options.credentials.as_ref();
        let authorization = match challenge.scheme.as_str() {
            "basic" => credentials.and_then(Credentials::basic_header),
            "bearer" => match try_fetch_token(&self.transport, &challenge, &[], credentials).await? {
                Ok(token) => Some(format!("Bearer {}", token.value)),
                Err(_) => return Ok(false),
            },
            _ => None,
        };
        let url = self.naming_registry(format!("{base}/v2/"), &base);
        let mut request = Request::new(Method::Get, &url);
        if let Some(value) = authorization {
            request.headers.set("Authorization", value);
        }
        let response = self.transport.send(request).await?;
        match response.status {
            200..=299 => Ok(true),
            401 | 403 => Ok(false),
            _ => self.expect_success(response, &url).await.map(|_| true),
        }
    }

    /// The `Authorization` value to send for `scope` (space-separated scopes share one token),
    /// fetching a token if needed.
    async fn authorization(&self, scope: &str) -> Result<Option<String>> {
        if let Some(Credentials::RegistryToken(token)) = &self.options.credentials {
            return Ok(Some(format!("Bearer {token}")));
        }
        let challenge = self.lock().challenge.clone();
        let Some(challenge) = challenge else { return Ok(None) };
        match challenge.scheme.as_str() {
            "basic" => Ok(self.options.credentials.as_ref().and_then(Credentials::basic_header)),
            "bearer" => {
                if let Some(token) = self.lock().tokens.get(scope).filter(|t| t.is_fresh()) {
                    return Ok(Some(format!("Bearer {}", token.value)));
                }
                let scopes: Vec<String> = scope.split_whitespace().map(str::to_string).collect();
                let token =
                    fetch_token(&self.transport, &challenge, &scopes, self.options.credentials.as_ref()).await?;
                let header = format!("Bearer {}", token.value);
                self.lock().tokens.insert(scope.to_string(), token);
                Ok(Some(header))
            }
            _ => Ok(None),
        }
    }

    /// Sends a request to `url` with authorization for `scope`, following redirects by hand,
    /// re-authorizing once on a new bearer challenge and waiting out `429`s.
    ///
    /// `build` makes a fresh request for each attempt. Any status may come back; see
    /// [`RegistryClient::expect_success`].
    pub async fn send(&self, build: &(dyn Fn() -> Request + Sync), scope: &str) -> Result<Response> {
        let base = self.base_url().await?;
        let mut reauthorized = false;
        let mut waits = 0;
        loop {
            let mut request = build();
            self.prepare(&mut request, &base, scope).await?;
            let (response, answered_by) = self.follow_redirects(request, &base, Some(build)).await?;
            // Only the registry's own challenge is answered: a 401 from another origin (storage it
            // redirected to) must not name the realm that credentials are sent to.
            let from_registry = url::same_origin(&answered_by, &base);
            match response.status {
                401 if !reauthorized && from_registry && self.accept_new_challenge(&response.headers, scope) => {
                    reauthorized = true
                }
                429 if waits < MAX_429_RETRIES => {
                    waits += 1;
                    self.transport.sleep(retry_after(&response.headers)).await;
                }
                429 => {
                    return Err(Error::TooManyRequests {
                        url: build().url,
                        retry_after_secs: retry_after(&response.headers).as_secs(),
                    })
                }
                _ => return Ok(response),
            }
        }
    }

    /// Sends a request that cannot be repeated (its body streams), with authorization for
    /// `scope` when it goes to the registry's origin. Redirects and errors come back as they are.
    pub async fn send_once(&self, mut request: Request, scope: &str) -> Result<Response> {
        let base = self.base_url().await?;
        self.prepare(&mut request, &base, scope).await?;
        self.transport.send(request).await
    }

    /// Adds `ns=REGISTRY` (containerd's mirror parameter) to a URL on a proxy base URL, unless
    /// it names a registry already (a `Location` or `Link` the proxy sent back may).
    fn naming_registry(&self, url: String, base: &str) -> String {
        if self.options.base_url.is_none() || !url::same_origin(&url, base) || url::has_query_key(&url, "ns") {
            return url;
        }
        url::with_query(&url, &[("ns", &self.registry)])
    }

    /// Readies a request for the registry's origin (`base`): names the registry on a proxy and
    /// adds authorization for `scope`. A request to any other origin is left without credentials.
    async fn prepare(&self, request: &mut Request, base: &str, scope: &str) -> Result<()> {
        request.url = self.naming_registry(std::mem::take(&mut request.url), base);
        if url::same_origin(&request.url, base) {
            if let Some(value) = self.authorization(scope).await? {
                request.headers.set("Authorization", value);
            }
        }
        Ok(())
    }

    /// Sends a request once, with authorization for `scope` when it goes to the registry's origin,
    /// and follows redirects (hops to other origins go without `Authorization`). Every status,
    /// 401 and 429 included, comes back as it is: for relaying a registry's answers.
    pub async fn send_following_redirects(&self, mut request: Request, scope: &str) -> Result<Response> {
        let base = self.base_url().await?;
        self.prepare(&mut request, &base, scope).await?;
        self.follow_redirects(request, &base, None).await.map(|(response, _)| response)
    }

    /// Records a fresh challenge from a 401 and forgets the token it replaces.
    fn accept_new_challenge(&self, headers: &Headers, scope: &str) -> bool {
        if matches!(self.options.credentials, Some(Credentials::RegistryToken(_))) {
            return false;
        }
        let Some(challenge) = pick_challenge(headers) else { return false };
        let mut state = self.lock();
        state.tokens.remove(scope);
        state.challenge = Some(challenge);
        true
    }

    /// Sends `request` and follows redirects; returns the final response and the URL it came from.
    ///
    /// A hop that keeps the method (all but a 303) sends the body again, made afresh by `rebuild`;
    /// without `rebuild` (a request that is not repeatable) later hops have no body.
    async fn follow_redirects(
        &self,
        request: Request,
        registry_base: &str,
        rebuild: Option<&(dyn Fn() -> Request + Sync)>,
    ) -> Result<(Response, String)> {
        let (mut method, mut url, mut headers) = (request.method, request.url.clone(), request.headers.clone());
        let original_method = method;
        let mut first = Some(request);
        for _ in 0..=MAX_REDIRECTS {
            let attempt = first.take().unwrap_or_else(|| Request {
                method,
                url: url.clone(),
                headers: headers.clone(),
                body: match rebuild {
                    Some(rebuild) if method == original_method => rebuild().body,
                    _ => crate::http::RequestBody::Empty,
                },
            });
            let response = self.transport.send(attempt).await?;
            if !matches!(response.status, 301 | 302 | 303 | 307 | 308) {
                return Ok((response, url));
            }
            let location = response.headers.get("location").ok_or_else(|| Error::Redirect {
                url: url.clone(),
                reason: format!("HTTP {} without a Location header", response.status),
            })?;
            let next = url::resolve(&url, location).ok_or_else(|| Error::Redirect {
                url: url.clone(),
                reason: format!("unusable Location {location:?}"),
            })?;
            if response.status == 303 && method != Method::Head {
                method = Method::Get;
            }
            if !url::same_origin(&next, registry_base) {
                headers.remove("Authorization");
            }
            url = next;
        }
        Err(Error::Redirect { url, reason: format!("stopped after {MAX_REDIRECTS} redirects (a redirect loop?)") })
    }

    /// Passes a successful response through; turns any other into a typed error.
    pub async fn expect_success(&self, response: Response, url: &str) -> Result<Response> {
        if (200..300).contains(&response.status) {
            return Ok(response);
        }
        let status = response.status;
        let body = if status == 429 {
            Vec::new()
        } else {
            response.bytes_limited(ERROR_BODY_LIMIT, url).await.unwrap_or_default()
        };
        Err(errors::from_response(status, &body, url))
    }
}

/// The challenge to answer: bearer if offered, else basic.
fn pick_challenge(headers: &Headers) -> Option<Challenge> {
    let all = Challenge::parse_all(headers.get_all("www-authenticate"));
    let bearer = all.iter().find(|c| c.scheme == "bearer").cloned();
    bearer.or_else(|| all.into_iter().find(|c| c.scheme == "basic"))
}

/// How long a `429` asks to wait (`Retry-After` seconds; one second when absent or a date).
fn retry_after(headers: &Headers) -> Duration {
    let secs = headers.get("retry-after").and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(1);
    Duration::from_secs(secs.min(MAX_RETRY_AFTER_SECS))
}
