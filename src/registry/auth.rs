//! Registry credentials and bearer tokens: the token request (GET with Basic credentials, or the
//! OAuth2 POST with an identity/refresh token), the token response, and expiry.

use std::fmt;

use base64::Engine as _;

use super::challenge::Challenge;
use super::url;
use crate::clock::now_secs;
use crate::error::{Error, Result};
use crate::http::{Method, Request, RequestBody, Transport};

/// How to authenticate to a registry.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Credentials {
    /// A user name and password (or personal access token).
    Basic { username: String, password: String },
    /// An identity token (OAuth2 refresh token), exchanged with a POST to the token realm.
    IdentityToken(String),
    /// A bearer token sent as is (`--registry-token`).
    RegistryToken(String),
}

impl Credentials {
    /// The credentials a face was given as separate fields: a user name with a password, or a
    /// bearer token (sent as is), or nothing. A user name without a password (or the reverse),
    /// or both a user name and a token, is refused with [`Error::Config`]; `origin` names where
    /// the fields came from at the start of that line (`options`, `upstream options`).
    pub fn from_parts(
        username: Option<String>,
        password: Option<String>,
        token: Option<String>,
        origin: &str,
    ) -> Result<Option<Credentials>> {
        match (username, password, token) {
            (Some(_), _, Some(_)) => {
                Err(Error::Config(format!("{origin}: give either username/password or token, not both")))
            }
            (Some(username), Some(password), None) => Ok(Some(Credentials::Basic { username, password })),
            (Some(_), None, None) | (None, Some(_), _) => {
                Err(Error::Config(format!("{origin}: username and password must be given together")))
            }
            (None, None, Some(token)) => Ok(Some(Credentials::RegistryToken(token))),
            (None, None, None) => Ok(None),
        }
    }

    /// The value of an `Authorization: Basic …` header for these credentials, if they are basic.
    pub fn basic_header(&self) -> Option<String> {
        match self {
            Credentials::Basic { username, password } => {
                let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
                Some(format!("Basic {encoded}"))
            }
            _ => None,
        }
    }
}

impl fmt::Debug for Credentials {
    /// Never prints a secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Basic { username, .. } => write!(f, "Basic({username}, <redacted>)"),
            Credentials::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
            Credentials::RegistryToken(_) => f.write_str("RegistryToken(<redacted>)"),
        }
    }
}

/// A bearer token and when it stops being usable.
#[derive(Clone)]
pub struct Token {
    pub value: String,
    pub expires_at: f64,
}

impl Token {
    /// Whether the token is still usable (with a little margin).
    pub fn is_fresh(&self) -> bool {
        now_secs() + 5.0 < self.expires_at
    }
}

/// Tokens live 60 seconds when the server does not say (the distribution token spec's default).
const DEFAULT_TOKEN_LIFETIME: f64 = 60.0;
const TOKEN_RESPONSE_LIMIT: u64 = 1024 * 1024;

/// Asks the challenge's realm for a token covering `scopes`.
pub async fn fetch_token<T: Transport>(
    transport: &T,
    challenge: &Challenge,
    scopes: &[String],
    credentials: Option<&Credentials>,
) -> Result<Token> {
    let realm = challenge.param("realm").unwrap_or_default().to_string();
    match try_fetch_token(transport, challenge, scopes, credentials).await? {
        Ok(token) => Ok(token),
        Err(status) => {
            Err(Error::Auth(format!("the token service at {realm} refused the credentials (HTTP {status})")))
        }
    }
}

/// Like [`fetch_token`], but a refusal of the credentials (HTTP 401 or 403 from the realm) comes
/// back as `Ok(Err(status))`, apart from every other failure.
pub async fn try_fetch_token<T: Transport>(
    transport: &T,
    challenge: &Challenge,
    scopes: &[String],
    credentials: Option<&Credentials>,
) -> Result<std::result::Result<Token, u16>> {
    let realm = challenge.param("realm").ok_or_else(|| Error::Auth("bearer challenge has no realm".into()))?;
    if url::origin(realm).is_none() || !(realm.starts_with("https://") || realm.starts_with("http://")) {
        return Err(Error::Auth(format!("token realm {realm:?} is not an http(s) URL")));
    }
    let service = challenge.param("service");
    let request = match credentials {
        Some(Credentials::IdentityToken(refresh)) => {
            let mut form =
                vec![("grant_type", "refresh_token"), ("refresh_token", refresh.as_str()), ("client_id", "skopos")];
            if let Some(service) = service {
                form.push(("service", service));
            }
            let scope = scopes.join(" ");
            if !scope.is_empty() {
                form.push(("scope", scope.as_str()));
            }
            let body = url::with_query("", &form).trim_start_matches('?').to_string();
            let mut request =
                Request::new(Method::Post, realm).header("Content-Type", "application/x-www-form-urlencoded");
            request.body = RequestBody::Bytes(body.into_bytes().into());
            request
        }
        _ => {
            let mut pairs: Vec<(&str, &str)> = Vec::new();
            if let Some(service) = service {
                pairs.push(("service", service));
            }
            for scope in scopes {
                pairs.push(("scope", scope));
            }
            let mut request = Request::new(Method::Get, url::with_query(realm, &pairs));
            if let Some(header) = credentials.and_then(Credentials::basic_header) {
                request.headers.set("Authorization", header);
            }
            request
        }
    };
    let response = transport
        .send(request)
        .await
        .map_err(|e| Error::Auth(format!("cannot reach the token service at {realm}: {e}")))?;
    let status = response.status;
    let body = response.bytes_limited(TOKEN_RESPONSE_LIMIT, realm).await?;
    match status {
        200 => parse_token_response(&body, realm).map(Ok),
        401 | 403 => Ok(Err(status)),
        _ => Err(Error::Auth(format!("the token service at {realm} answered HTTP {status}"))),
    }
}

fn parse_token_response(body: &[u8], realm: &str) -> Result<Token> {
    #[derive(serde::Deserialize)]
    struct Answer {
        #[serde(default)]
        token: Option<String>,
        #[serde(default)]
        access_token: Option<String>,
        #[serde(default)]
        expires_in: Option<f64>,
    }
    let answer: Answer = serde_json::from_slice(body)
        .map_err(|_| Error::Auth(format!("the token service at {realm} did not answer with token JSON")))?;
    let value = answer
        .token
        .filter(|t| !t.is_empty())
        .or(answer.access_token.filter(|t| !t.is_empty()))
        .ok_or_else(|| Error::Auth(format!("the token service at {realm} answered without a token")))?;
    let lifetime = answer.expires_in.filter(|s| *s > 0.0).unwrap_or(DEFAULT_TOKEN_LIFETIME);
    Ok(Token { value, expires_at: now_secs() + lifetime })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_response_shapes() {
        let t = parse_token_response(br#"{"token":"a","expires_in":300}"#, "r").unwrap();
        assert_eq!(t.value, "a");
        assert!(t.is_fresh());
        assert_eq!(parse_token_response(br#"{"access_token":"b"}"#, "r").unwrap().value, "b");
        assert_eq!(parse_token_response(br#"{"token":"","access_token":"c"}"#, "r").unwrap().value, "c");
        assert!(parse_token_response(br#"{}"#, "r").is_err());
        assert!(parse_token_response(b"<html>", "r").is_err());
    }

    fn parts(u: Option<&str>, p: Option<&str>, t: Option<&str>) -> Result<Option<Credentials>> {
        Credentials::from_parts(u.map(Into::into), p.map(Into::into), t.map(Into::into), "options")
    }

    #[test]
    fn credentials_from_parts() {
        assert_eq!(
            parts(Some("u"), Some("p:w"), None).unwrap(),
            Some(Credentials::Basic { username: "u".into(), password: "p:w".into() })
        );
        assert_eq!(parts(None, None, Some("tok")).unwrap(), Some(Credentials::RegistryToken("tok".into())));
        assert_eq!(parts(None, None, None).unwrap(), None);
        // An empty password is a password.
        assert!(matches!(parts(Some("u"), Some(""), None), Ok(Some(Credentials::Basic { .. }))));
    }

    #[test]
    fn credentials_from_parts_refuse_half_or_mixed_sets() {
        let together = "options: username and password must be given together";
        let not_both = "options: give either username/password or token, not both";
        for (u, p, t, line) in [
            (Some("u"), None, None, together),
            (None, Some("p"), None, together),
            (None, Some("p"), Some("t"), together),
            (Some("u"), Some("p"), Some("t"), not_both),
            (Some("u"), None, Some("t"), not_both),
        ] {
            let err = parts(u, p, t).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{err:?}");
            assert_eq!(err.to_string(), line, "{u:?} {p:?} {t:?}");
            assert_eq!(err.code(), "CONFIG");
        }
        let err = Credentials::from_parts(Some("u".into()), None, None, "upstream options").unwrap_err();
        assert_eq!(err.to_string(), "upstream options: username and password must be given together");
    }

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::Basic { username: "u".into(), password: "hunter2".into() };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(c.basic_header().unwrap(), "Basic dTpodW50ZXIy");
    }
}
