//! Parsing containers-policy.json(5) as strictly as containers/image does: unknown, duplicated
//! or mistyped fields reject the whole file, `default` is required, every requirement list is
//! non-empty, scopes are checked by their transport's rules ([`super::scope::validate`]), and
//! each requirement and `signedIdentity` rule is read with exactly the fields it may have.
//!
//! Messages carry containers/image's wording, followed by where in the file the problem is.

use std::collections::BTreeMap;

use super::identity::IdentityRule;
use super::json::{self, Fields, Json, Place};
use super::scope;
use crate::reference::{self, Reference};

/// One policy requirement (an element of a requirement list).
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    /// `insecureAcceptAnything`: accepts every image.
    InsecureAcceptAnything,
    /// `reject`: refuses every image.
    Reject,
    /// `signedBy`: a simple-signing signature by one of the given GPG keys.
    SignedBy(SignedBy),
    /// `signedBaseLayer`: parsed as containers/image does; it implements no evaluation either.
    SignedBaseLayer(IdentityRule),
    /// `sigstoreSigned`: parsed strictly, refused when it applies to an image.
    SigstoreSigned(SigstoreSigned),
}

/// The fields of a `signedBy` requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedBy {
    pub key_type: KeyType,
    pub keys: KeySource,
    pub signed_identity: IdentityRule,
}

/// `keyType` of `signedBy`. containers/image accepts the four names but implements only `GPGKeys`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    GpgKeys,
    SignedByGpgKeys,
    X509Certificates,
    SignedByX509Cas,
}

impl KeyType {
    /// The spelling in policy.json.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::GpgKeys => "GPGKeys",
            KeyType::SignedByGpgKeys => "signedByGPGKeys",
            KeyType::X509Certificates => "X509Certificates",
            KeyType::SignedByX509Cas => "signedByX509CAs",
        }
    }

    fn parse(text: &str) -> Option<KeyType> {
        [KeyType::GpgKeys, KeyType::SignedByGpgKeys, KeyType::X509Certificates, KeyType::SignedByX509Cas]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// Where the keys of a `signedBy` requirement come from: exactly one of the three.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `keyPath`: one keyring file.
    Path(String),
    /// `keyPaths`: several keyring files, all trusted.
    Paths(Vec<String>),
    /// `keyData`: the keyring itself (base64 in the file).
    Data(Vec<u8>),
}

/// A `sigstoreSigned` requirement: its fields are checked but only what messages need is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct SigstoreSigned {
    /// The key source, as a requirement description shows it: `keyPath /k.pub`, `fulcio`…
    pub key_source: String,
    pub signed_identity: IdentityRule,
}

impl Requirement {
    /// How messages name the requirement: `reject`, `signedBy (keyPath /etc/keys/a.gpg)`…
    pub fn describe(&self) -> String {
        match self {
            Requirement::InsecureAcceptAnything => "insecureAcceptAnything".into(),
            Requirement::Reject => "reject".into(),
            Requirement::SignedBy(signed_by) => {
                let keys = match &signed_by.keys {
                    KeySource::Path(path) => format!("keyPath {path}"),
                    KeySource::Paths(paths) => format!("keyPaths {}", paths.join(", ")),
                    KeySource::Data(_) => "keyData".into(),
                };
                format!("signedBy ({keys})")
            }
            Requirement::SignedBaseLayer(_) => "signedBaseLayer".into(),
            Requirement::SigstoreSigned(sigstore) => format!("sigstoreSigned ({})", sigstore.key_source),
        }
    }
}

/// Requirement lists by scope, for one transport.
pub type Scopes = BTreeMap<String, Vec<Requirement>>;

/// What a policy file holds: the global default and the per-transport scopes.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyConfig {
    pub default: Vec<Requirement>,
    pub transports: BTreeMap<String, Scopes>,
}

/// Parses a whole policy file; the message of an error is containers/image's, with its place.
pub fn parse(bytes: &[u8]) -> Result<PolicyConfig, String> {
    let document = Json::parse(bytes)?;
    let root = Place::root();
    let mut fields = Fields::of(&document, &root)?;
    let default = fields.take("default");
    let transports = fields.take("transports");
    fields.finish()?;
    let default = match default {
        Some(value) => requirements(value, &root.field("default"))?,
        None => return Err("Default policy is missing".into()),
    };
    let transports = match transports {
        Some(value) => transport_map(value, &root.field("transports"))?,
        None => BTreeMap::new(),
    };
    Ok(PolicyConfig { default, transports })
}

fn transport_map(value: &Json, place: &Place) -> Result<BTreeMap<String, Scopes>, String> {
    let members = value.object_members().map_err(|e| place.error(e))?;
    let mut transports = BTreeMap::new();
    for (transport, scopes) in members {
        transports.insert(transport.clone(), scope_map(transport, scopes, &place.key(transport))?);
    }
    Ok(transports)
}

fn scope_map(transport: &str, value: &Json, place: &Place) -> Result<Scopes, String> {
    let members = value.object_members().map_err(|e| place.error(e))?;
    let mut scopes = BTreeMap::new();
    for (scope, list) in members {
        if !scope.is_empty() {
            if let Err(reason) = scope::validate(transport, scope) {
                // containers/image reports an invalid scope as an unknown key; the reason is skopos's addition.
                return Err(format!("{}: {reason}", place.error(format!("Unknown key {scope:?}"))));
            }
        }
        scopes.insert(scope.clone(), requirements(list, &place.key(scope))?);
    }
    Ok(scopes)
}

fn requirements(value: &Json, place: &Place) -> Result<Vec<Requirement>, String> {
    let items = match value {
        Json::Array(items) => items.as_slice(),
        Json::Null => &[],
        other => return Err(place.error(format!("expected an array of policy requirements, got {}", other.kind()))),
    };
    if items.is_empty() {
        return Err(place.error("List of verification policy requirements must not be empty"));
    }
    items.iter().enumerate().map(|(i, item)| requirement(item, &place.index(i))).collect()
}

/// The `type` member of a requirement or identity rule, read leniently first as Go does.
fn type_of(value: &Json, place: &Place) -> Result<String, String> {
    let members = value.object_members().map_err(|e| place.error(e))?;
    match members.iter().find(|(k, _)| k == "type") {
        Some((_, t)) => json::string(t, &place.field("type")),
        None => Ok(String::new()),
    }
}

fn requirement(value: &Json, place: &Place) -> Result<Requirement, String> {
    let kind = type_of(value, place)?;
    let mut fields = Fields::of(value, place)?;
    fields.take("type");
    Ok(match kind.as_str() {
        "insecureAcceptAnything" => {
            fields.finish()?;
            Requirement::InsecureAcceptAnything
        }
        "reject" => {
            fields.finish()?;
            Requirement::Reject
        }
        "signedBy" => Requirement::SignedBy(signed_by(fields)?),
        "signedBaseLayer" => {
            let identity = fields.require("baseLayerIdentity")?;
            fields.finish()?;
            Requirement::SignedBaseLayer(identity_rule(identity, &place.field("baseLayerIdentity"))?)
        }
        "sigstoreSigned" => Requirement::SigstoreSigned(sigstore_signed(fields)?),
        other => return Err(place.error(format!("Unknown policy requirement type {other:?}"))),
    })
}

/// The `signedIdentity` member of the requirement at `place`, `matchRepoDigestOrExact` when absent.
fn signed_identity(value: Option<&Json>, place: &Place) -> Result<IdentityRule, String> {
    match value {
        Some(value) => identity_rule(value, &place.field("signedIdentity")),
        None => Ok(IdentityRule::MatchRepoDigestOrExact),
    }
}

fn signed_by(mut fields: Fields<'_>) -> Result<SignedBy, String> {
    let place = fields.place().clone();
    let key_type = fields.take("keyType");
    let key_path = fields.take("keyPath");
    let key_paths = fields.take("keyPaths");
    let key_data = fields.take("keyData");
    let identity = fields.take("signedIdentity");
    fields.finish()?;
    let key_type = match key_type {
        Some(value) => {
            let text = json::string(value, &place.field("keyType"))?;
            Some(KeyType::parse(&text).ok_or_else(|| place.error(format!("Unrecognized keyType value {text:?}")))?)
        }
        None => None,
    };
    let signed_identity = signed_identity(identity, &place)?;
    let present = [key_path, key_paths, key_data].iter().filter(|v| v.is_some()).count();
    match present {
        0 => {
            return Err(
                place.error("Exactly one of keyPath, keyPaths and keyData must be specified, none of them present")
            )
        }
        1 => {}
        _ => {
            return Err(
                place.error("Exactly one of keyPath, keyPaths and keyData must be specified, more than one present")
            )
        }
    }
    let Some(key_type) = key_type else {
        return Err(place.error("invalid keyType \"\""));
    };
    let none_given = || place.error("exactly one of keyPath, keyPaths and keyData must be specified");
    let keys = if let Some(value) = key_path {
        let path = json::string(value, &place.field("keyPath"))?;
        if path.is_empty() {
            return Err(none_given());
        }
        KeySource::Path(path)
    } else if let Some(value) = key_paths {
        let paths = json::strings(value, &place.field("keyPaths"))?.ok_or_else(none_given)?;
        if paths.is_empty() {
            return Err(place.error("\"keyPaths\" contains no entries"));
        }
        KeySource::Paths(paths)
    } else {
        let data = key_data.map(|v| json::base64_bytes(v, &place.field("keyData"))).transpose()?.flatten();
        KeySource::Data(data.ok_or_else(none_given)?)
    };
    Ok(SignedBy { key_type, keys, signed_identity })
}

fn sigstore_signed(mut fields: Fields<'_>) -> Result<SigstoreSigned, String> {
    let place = fields.place().clone();
    let names = [
        "keyPath",
        "keyPaths",
        "keyData",
        "keyDatas",
        "fulcio",
        "pki",
        "rekorPublicKeyPath",
        "rekorPublicKeyPaths",
        "rekorPublicKeyData",
        "rekorPublicKeyDatas",
        "signedIdentity",
    ];
    let [key_path, key_paths, key_data, key_datas, fulcio, pki, rekor_path, rekor_paths, rekor_data, rekor_datas, identity] =
        names.map(|name| fields.take(name));
    fields.finish()?;
    let mut key_sources = Vec::new();
    if let Some(value) = key_path {
        let path = json::string(value, &place.field("keyPath"))?;
        if !path.is_empty() {
            key_sources.push(format!("keyPath {path}"));
        }
    }
    if let Some(value) = key_paths {
        if let Some(paths) = json::strings(value, &place.field("keyPaths"))? {
            if paths.is_empty() {
                return Err(place.error("\"keyPaths\" contains no entries"));
            }
            key_sources.push(format!("keyPaths {}", paths.join(", ")));
        }
    }
    if let Some(value) = key_data {
        if json::base64_bytes(value, &place.field("keyData"))?.is_some() {
            key_sources.push("keyData".into());
        }
    }
    if let Some(value) = key_datas {
        if let Some(datas) = json::base64_list(value, &place.field("keyDatas"))? {
            if datas.is_empty() {
                return Err(place.error("\"keyDatas\" contains no entries"));
            }
            key_sources.push("keyDatas".into());
        }
    }
    if let Some(value) = fulcio {
        sigstore_fulcio(value, &place.field("fulcio"))?;
        key_sources.push("fulcio".into());
    }
    if let Some(value) = pki {
        sigstore_pki(value, &place.field("pki"))?;
        key_sources.push("pki".into());
    }
    let mut rekor_sources = 0;
    if let Some(value) = rekor_path {
        rekor_sources += usize::from(!json::string(value, &place.field("rekorPublicKeyPath"))?.is_empty());
    }
    if let Some(value) = rekor_paths {
        if let Some(paths) = json::strings(value, &place.field("rekorPublicKeyPaths"))? {
            if paths.is_empty() {
                return Err(place.error("\"rekorPublickeyPaths\" contains no entries"));
            }
            rekor_sources += 1;
        }
    }
    if let Some(value) = rekor_data {
        rekor_sources += usize::from(json::base64_bytes(value, &place.field("rekorPublicKeyData"))?.is_some());
    }
    if let Some(value) = rekor_datas {
        if let Some(datas) = json::base64_list(value, &place.field("rekorPublicKeyDatas"))? {
            if datas.is_empty() {
                return Err(place.error("\"rekorPublickeyDatas\" contains no entries"));
            }
            rekor_sources += 1;
        }
    }
    let signed_identity = signed_identity(identity, &place)?;
    if key_sources.len() != 1 {
        return Err(
            place.error("exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified")
        );
    }
    if rekor_sources > 1 {
        return Err(place.error(
            "at most one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas can be used simultaneously",
        ));
    }
    if fulcio.is_some() && rekor_sources == 0 {
        return Err(place.error(
            "At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas must be specified if fulcio is used",
        ));
    }
    Ok(SigstoreSigned { key_source: key_sources.remove(0), signed_identity })
}

/// Reads the string members `names` of an object (each optional), refusing any other member.
fn string_members(value: &Json, place: &Place, names: &[&str]) -> Result<Vec<Option<String>>, String> {
    let mut fields = Fields::of(value, place)?;
    let values = names
        .iter()
        .map(|name| fields.take(name).map(|v| json::string(v, &place.field(name))).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    fields.finish()?;
    Ok(values)
}

/// containers/image's rule for a certificate source given as a path or as data: exactly one,
/// each as (field name, whether it is given).
fn exactly_one_source(place: &Place, path: (&str, bool), data: (&str, bool)) -> Result<(), String> {
    match (path.1, data.1) {
        (true, true) => Err(place.error(format!("{} and {} cannot be used simultaneously", path.0, data.0))),
        (false, false) => Err(place.error(format!("At least one of {} and {} must be specified", path.0, data.0))),
        _ => Ok(()),
    }
}

fn sigstore_fulcio(value: &Json, place: &Place) -> Result<(), String> {
    let mut fields = Fields::of(value, place)?;
    let ca_path = fields.take("caPath").map(|v| json::string(v, &place.field("caPath"))).transpose()?;
    let ca_data = fields.take("caData").map(|v| json::base64_bytes(v, &place.field("caData"))).transpose()?;
    let issuer = fields.take("oidcIssuer").map(|v| json::string(v, &place.field("oidcIssuer"))).transpose()?;
    let email = fields.take("subjectEmail").map(|v| json::string(v, &place.field("subjectEmail"))).transpose()?;
    fields.finish()?;
    exactly_one_source(
        place,
        ("caPath", ca_path.is_some_and(|p| !p.is_empty())),
        ("caData", ca_data.flatten().is_some()),
    )?;
    if issuer.unwrap_or_default().is_empty() {
        return Err(place.error("oidcIssuer not specified"));
    }
    if email.unwrap_or_default().is_empty() {
        return Err(place.error("subjectEmail not specified"));
    }
    Ok(())
}

fn sigstore_pki(value: &Json, place: &Place) -> Result<(), String> {
    let mut fields = Fields::of(value, place)?;
    let roots_path = fields.take("caRootsPath").map(|v| json::string(v, &place.field("caRootsPath"))).transpose()?;
    let roots_data =
        fields.take("caRootsData").map(|v| json::base64_bytes(v, &place.field("caRootsData"))).transpose()?;
    let mid_path =
        fields.take("caIntermediatesPath").map(|v| json::string(v, &place.field("caIntermediatesPath"))).transpose()?;
    let mid_data = fields
        .take("caIntermediatesData")
        .map(|v| json::base64_bytes(v, &place.field("caIntermediatesData")))
        .transpose()?;
    let email = fields.take("subjectEmail").map(|v| json::string(v, &place.field("subjectEmail"))).transpose()?;
    let hostname =
        fields.take("subjectHostname").map(|v| json::string(v, &place.field("subjectHostname"))).transpose()?;
    fields.finish()?;
    exactly_one_source(
        place,
        ("caRootsPath", roots_path.is_some_and(|p| !p.is_empty())),
        ("caRootsData", roots_data.flatten().is_some()),
    )?;
    if mid_path.is_some_and(|p| !p.is_empty()) && mid_data.flatten().is_some() {
        return Err(place.error("caIntermediatesPath and caIntermediatesData cannot be used simultaneously"));
    }
    if email.unwrap_or_default().is_empty() && hostname.unwrap_or_default().is_empty() {
        return Err(place.error("At least one of subjectEmail, subjectHostname must be specified"));
    }
    Ok(())
}

fn identity_rule(value: &Json, place: &Place) -> Result<IdentityRule, String> {
    let kind = type_of(value, place)?;
    let exact = |names: &[&str]| -> Result<Vec<String>, String> {
        let mut all = vec!["type"];
        all.extend_from_slice(names);
        let values = string_members(value, place, &all)?;
        all.iter()
            .zip(values)
            .map(|(name, v)| v.ok_or_else(|| place.error(format!("Key {name:?} missing in a JSON object"))))
            .collect::<Result<Vec<_>, _>>()
            .map(|mut v| v.split_off(1))
    };
    match kind.as_str() {
        "matchExact" => exact(&[]).map(|_| IdentityRule::MatchExact),
        "matchRepoDigestOrExact" => exact(&[]).map(|_| IdentityRule::MatchRepoDigestOrExact),
        "matchRepository" => exact(&[]).map(|_| IdentityRule::MatchRepository),
        "exactReference" => {
            let docker_reference = exact(&["dockerReference"])?.remove(0);
            let parsed = Reference::parse(&docker_reference).map_err(|e| {
                place.error(format!("Invalid format of dockerReference {docker_reference}: {}", reason(e)))
            })?;
            if parsed.tag().is_none() && parsed.digest().is_none() {
                return Err(
                    place.error(format!("dockerReference {docker_reference} contains neither a tag nor digest"))
                );
            }
            Ok(IdentityRule::ExactReference { docker_reference })
        }
        "exactRepository" => {
            let docker_repository = exact(&["dockerRepository"])?.remove(0);
            Reference::parse(&docker_repository).map_err(|e| {
                place.error(format!("Invalid format of dockerRepository {docker_repository}: {}", reason(e)))
            })?;
            Ok(IdentityRule::ExactRepository { docker_repository })
        }
        "remapIdentity" => {
            let mut values = exact(&["prefix", "signedPrefix"])?;
            let signed_prefix = values.remove(1);
            let prefix = values.remove(0);
            for p in [&prefix, &signed_prefix] {
                if !is_remapping_prefix(p) {
                    return Err(place.error(format!("prefix {p:?} is not valid")));
                }
            }
            Ok(IdentityRule::RemapIdentity { prefix, signed_prefix })
        }
        other => Err(place.error(format!("Unknown policy reference match type {other:?}"))),
    }
}

/// containers/image's `validateIdentityRemappingPrefix`: a registry (`host[:port]`), or a name
/// that starts with one (`host/namespace[/repo]`). Like it, this does not refuse short names
/// that merely look like a host (`busybox`); they never match.
fn is_remapping_prefix(prefix: &str) -> bool {
    match prefix.split_once('/') {
        None => reference::is_domain(prefix),
        Some((domain, rest)) => {
            reference::is_domain(domain) && (reference::is_remote_name(rest) || reference::is_remote_name(prefix))
        }
    }
}

/// The reason text of a reference error, as Go's reference parser phrases it (its uppercase
/// error carries the generic "invalid reference format: " in front).
fn reason(err: crate::error::Error) -> String {
    match err {
        crate::error::Error::InvalidReference { reason, .. } if reason == "repository name must be lowercase" => {
            format!("invalid reference format: {reason}")
        }
        crate::error::Error::InvalidReference { reason, .. } => reason,
        other => other.to_string(),
    }
}
