//! Unit tests of the policy as a whole: parsing real and broken files, scope lookup.

use super::config::{KeySource, KeyType, Requirement};
use super::identity::IdentityRule;
use super::*;
use crate::image::name::ImageName;

const CONTAINERS_COMMON: &[u8] = include_bytes!("testdata/containers-common.json");
const LOCKED_DOWN: &[u8] = include_bytes!("testdata/locked-down.json");
const ORIGIN: &str = "/etc/containers/policy.json";

fn subject(name: &str) -> PolicySubject {
    // Paths are taken as already resolved.
    PolicySubject::from_image_name(&ImageName::parse(name).unwrap(), &|path| Ok(path.to_string())).unwrap()
}

fn parse(text: &str) -> Policy {
    Policy::parse(text.as_bytes(), ORIGIN).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The error message of a file that must not parse, without the common prefix.
fn refusal(text: &str) -> String {
    let err = Policy::parse(text.as_bytes(), ORIGIN).expect_err(text);
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let message = err.to_string();
    let prefix = format!("invalid policy in {ORIGIN:?}: ");
    message.strip_prefix(&prefix).unwrap_or_else(|| panic!("{message}")).to_string()
}

/// A policy whose default accepts and whose docker scopes each hold one identifying requirement.
fn with_docker_scopes(scopes: &[&str]) -> Policy {
    let entries: Vec<String> = scopes
        .iter()
        .map(|scope| {
            format!(
                r#""{scope}": [{{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/keys/{}"}}]"#,
                scope.replace(['/', ':', '*', '@'], "_")
            )
        })
        .collect();
    parse(&format!(
        r#"{{"default": [{{"type": "insecureAcceptAnything"}}], "transports": {{"docker": {{{}}}}}}}"#,
        entries.join(", ")
    ))
}

/// The key path of the one `signedBy` requirement selected for `name`, or `"default"`.
fn chosen(policy: &Policy, name: &str) -> String {
    match policy.requirements_for(&subject(name)) {
        [Requirement::SignedBy(s)] => match &s.keys {
            KeySource::Path(p) => p.trim_start_matches("/keys/").to_string(),
            other => panic!("{other:?}"),
        },
        [Requirement::InsecureAcceptAnything] => "default".into(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn containers_common_policy_accepts_anything() {
    let policy = Policy::parse(CONTAINERS_COMMON, ORIGIN).unwrap();
    assert_eq!(policy, Policy::accept_anything());
    for name in ["docker://busybox", "dir:/tmp/x", "oci:/tmp/layout:v1", "docker-archive:/a.tar"] {
        assert_eq!(policy.requirements_for(&subject(name)), [Requirement::InsecureAcceptAnything], "{name}");
    }
}

#[test]
fn locked_down_policy() {
    let policy = Policy::parse(LOCKED_DOWN, ORIGIN).unwrap();
    let describe =
        |name: &str| policy.requirements_for(&subject(name)).iter().map(|r| r.describe()).collect::<Vec<_>>();
    assert_eq!(describe("docker://busybox"), ["insecureAcceptAnything"]);
    assert_eq!(describe("docker://openshift/hello-openshift:v1"), ["insecureAcceptAnything"]);
    assert_eq!(describe("docker://a.b.temporary-project.example.com/x:1"), ["insecureAcceptAnything"]);
    assert_eq!(describe("docker://temporary-project.example.com/x:1"), ["reject"], "the wildcard needs a subdomain");
    assert_eq!(describe("docker://alpine"), ["reject"]);
    assert_eq!(describe("dir:/anywhere"), ["insecureAcceptAnything"]);
    assert_eq!(describe("oci:/anywhere"), ["reject"]);
    assert_eq!(
        describe("docker://hostname:5000/myns/sigstore-signed-with-full-references:v1"),
        ["sigstoreSigned (keyPath /path/to/sigstore-pubkey.pub)"]
    );
    assert_eq!(describe("docker://hostname:5000/myns/fulcio:v1"), ["sigstoreSigned (fulcio)"]);
    assert_eq!(
        describe("docker://hostname:5000/vendor/product:1"),
        [
            "signedBy (keyPath /path/to/vendor-pubkey.gpg)",
            "signedBy (keyPaths /path/to/reviewer-pubkey.gpg, /path/to/other-reviewer-pubkey.gpg)"
        ]
    );
    match policy.requirements_for(&subject("docker://private-mirror:5000/vendor-mirror/a/b:1")) {
        [Requirement::SignedBy(s)] => {
            assert_eq!(s.key_type, KeyType::GpgKeys);
            assert_eq!(
                s.signed_identity,
                IdentityRule::RemapIdentity {
                    prefix: "private-mirror:5000/vendor-mirror".into(),
                    signed_prefix: "vendor.example.com".into()
                }
            );
        }
        other => panic!("{other:?}"),
    }
    match policy.requirements_for(&subject("docker://hostname:5000/myns/official:1")) {
        [Requirement::SignedBy(s)] => {
            assert_eq!(s.signed_identity, IdentityRule::MatchRepoDigestOrExact, "the default")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn most_specific_docker_scope_wins() {
    let all = [
        "docker.io/library/busybox:latest",
        "docker.io/library/busybox",
        "docker.io/library",
        "docker.io",
        "*.io",
        "",
        "example.com:5000",
        "*.example.com",
        "*.com",
    ];
    let policy = with_docker_scopes(&all);
    assert_eq!(chosen(&policy, "docker://busybox"), "docker.io_library_busybox_latest");
    assert_eq!(chosen(&policy, "docker://busybox:1"), "docker.io_library_busybox");
    assert_eq!(chosen(&policy, "docker://alpine:1"), "docker.io_library");
    assert_eq!(chosen(&policy, "docker://someone/tool:1"), "docker.io");
    assert_eq!(chosen(&policy, "docker://quay.io/a/b:1"), "_.io");
    assert_eq!(chosen(&policy, "docker://example.com:5000/a:1"), "example.com_5000");
    assert_eq!(chosen(&policy, "docker://example.com/a:1"), "_.com", "example.com itself is not *.example.com");
    assert_eq!(chosen(&policy, "docker://r.example.com:5000/a:1"), "_.example.com", "wildcards ignore the port");
    assert_eq!(chosen(&policy, "docker://localhost:5000/a:1"), "", "the transport default");
    // Without the transport default, the global default applies.
    let policy = with_docker_scopes(&["docker.io/library"]);
    assert_eq!(chosen(&policy, "docker://quay.io/a:1"), "default");
    assert_eq!(
        chosen(
            &with_docker_scopes(&[
                "docker.io/library/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
            ]),
            "docker://busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
        ),
        "docker.io_library_busybox_sha256_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    );
}

#[test]
fn most_specific_path_scope_wins() {
    let policy = parse(
        r#"{"default": [{"type": "reject"}], "transports": {
            "dir": {"/srv/images/a": [{"type": "insecureAcceptAnything"}], "/srv": [{"type": "reject"}]},
            "oci": {"/srv/layouts": [{"type": "insecureAcceptAnything"}], "": [{"type": "reject"}]},
            "oci-archive": {"/srv/archives/a.tar": [{"type": "insecureAcceptAnything"}]},
            "docker-archive": {"": [{"type": "insecureAcceptAnything"}]}
        }}"#,
    );
    let first = |name: &str| policy.requirements_for(&subject(name))[0].describe();
    assert_eq!(first("dir:/srv/images/a"), "insecureAcceptAnything");
    assert_eq!(first("dir:/srv/images/a2"), "reject", "a path scope matches whole components");
    assert_eq!(first("dir:/srv/images/a/nested"), "insecureAcceptAnything");
    assert_eq!(first("dir:/other"), "reject");
    assert_eq!(first("oci:/srv/layouts:tag"), "insecureAcceptAnything");
    assert_eq!(first("oci:/srv/layouts/deeper:tag"), "insecureAcceptAnything");
    assert_eq!(first("oci:/srv/other"), "reject");
    assert_eq!(first("oci-archive:/srv/archives/a.tar"), "insecureAcceptAnything");
    assert_eq!(first("oci-archive:/srv/archives/b.tar"), "reject");
    assert_eq!(first("docker-archive:/srv/x.tar:busybox"), "insecureAcceptAnything");
}

#[test]
fn resolved_paths_are_looked_up() {
    let policy = parse(
        r#"{"default": [{"type": "reject"}], "transports": {"dir": {"/real/dir": [{"type": "insecureAcceptAnything"}]}}}"#,
    );
    let through_link =
        PolicySubject::from_image_name(&ImageName::parse("dir:./link").unwrap(), &|_| Ok("/real/dir".to_string()))
            .unwrap();
    assert_eq!(policy.requirements_for(&through_link), [Requirement::InsecureAcceptAnything]);
}

#[test]
fn requirement_kinds_parse() {
    let policy = parse(
        r#"{"default": [
            {"type": "insecureAcceptAnything"},
            {"type": "reject"},
            {"type": "signedBy", "keyType": "GPGKeys", "keyData": "aGVsbG8=", "signedIdentity": {"type": "matchExact"}},
            {"type": "signedBy", "keyType": "signedByGPGKeys", "keyPath": "/k"},
            {"type": "signedBy", "keyType": "GPGKeys", "keyPaths": ["/a", "/b"],
             "signedIdentity": {"type": "exactReference", "dockerReference": "busybox:1"}},
            {"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k",
             "signedIdentity": {"type": "exactRepository", "dockerRepository": "quay.io/a/b"}},
            {"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k", "signedIdentity": {"type": "matchRepository"}},
            {"type": "signedBaseLayer", "baseLayerIdentity": {"type": "matchRepoDigestOrExact"}},
            {"type": "sigstoreSigned", "keyData": "aGVsbG8=", "rekorPublicKeyData": "aGVsbG8="},
            {"type": "sigstoreSigned", "pki": {"caRootsPath": "/r.pem", "subjectHostname": "h.example"}}
        ]}"#,
    );
    let requirements = policy.requirements_for(&subject("docker://busybox"));
    let described: Vec<String> = requirements.iter().map(|r| r.describe()).collect();
    assert_eq!(
        described,
        [
            "insecureAcceptAnything",
            "reject",
            "signedBy (keyData)",
            "signedBy (keyPath /k)",
            "signedBy (keyPaths /a, /b)",
            "signedBy (keyPath /k)",
            "signedBy (keyPath /k)",
            "signedBaseLayer",
            "sigstoreSigned (keyData)",
            "sigstoreSigned (pki)"
        ]
    );
    match &requirements[2] {
        Requirement::SignedBy(s) => {
            assert_eq!(s.keys, KeySource::Data(b"hello".to_vec()));
            assert_eq!(s.signed_identity, IdentityRule::MatchExact);
        }
        other => panic!("{other:?}"),
    }
    match &requirements[3] {
        Requirement::SignedBy(s) => assert_eq!(s.key_type, KeyType::SignedByGpgKeys),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_fields_are_refused_at_every_level() {
    assert_eq!(refusal(r#"{"default": [{"type": "reject"}], "defualt": []}"#), "Unknown key \"defualt\"");
    assert_eq!(refusal(r#"{"default": [{"type": "reject", "why": 1}]}"#), "Unknown key \"why\" (at default[0])");
    assert_eq!(
        refusal(r#"{"default": [{"type": "insecureAcceptAnything", "x": 1}]}"#),
        "Unknown key \"x\" (at default[0])"
    );
    assert_eq!(
        refusal(
            r#"{"default": [{"type": "reject"}], "transports": {"docker": {"quay.io": [
                {"type": "signedBy", "keyType": "GPGKeys", "keyPth": "/k"}]}}}"#
        ),
        "Unknown key \"keyPth\" (at transports[\"docker\"][\"quay.io\"][0])"
    );
    assert_eq!(
        refusal(
            r#"{"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k",
                "signedIdentity": {"type": "matchExact", "strict": true}}]}"#
        ),
        "Unknown key \"strict\" (at default[0].signedIdentity)"
    );
    assert_eq!(
        refusal(
            r#"{"default": [{"type": "sigstoreSigned", "fulcio": {"caPath": "/c", "oidcIssuer": "i",
                "subjectEmail": "e", "extra": 1}, "rekorPublicKeyPath": "/r"}]}"#
        ),
        "Unknown key \"extra\" (at default[0].fulcio)"
    );
    assert_eq!(
        refusal(r#"{"default": [{"type": "sigstoreSigned", "keyPath": "/k", "keyType": "GPGKeys"}]}"#),
        "Unknown key \"keyType\" (at default[0])"
    );
    assert_eq!(
        refusal(r#"{"default": [{"type": "reject"}], "default": [{"type": "reject"}]}"#),
        "Duplicate key \"default\""
    );
    assert_eq!(
        refusal(r#"{"default": [{"type": "reject"}], "transports": {"dir": {"": [{"type": "reject"}], "": []}}}"#),
        "Duplicate key \"\" (at transports[\"dir\"])"
    );
}

#[test]
fn structural_errors() {
    assert_eq!(refusal(r#"{"transports": {}}"#), "Default policy is missing");
    assert_eq!(
        refusal(r#"{"default": []}"#),
        "List of verification policy requirements must not be empty (at default)"
    );
    assert_eq!(
        refusal(r#"{"default": null}"#),
        "List of verification policy requirements must not be empty (at default)"
    );
    assert_eq!(
        refusal(r#"{"default": [{"type": "reject"}], "transports": {"docker": {"quay.io": []}}}"#),
        "List of verification policy requirements must not be empty (at transports[\"docker\"][\"quay.io\"])"
    );
    assert_eq!(
        refusal(r#"{"default": [{"type": "accept"}]}"#),
        "Unknown policy requirement type \"accept\" (at default[0])"
    );
    assert_eq!(refusal(r#"{"default": [{}]}"#), "Unknown policy requirement type \"\" (at default[0])");
    assert_eq!(refusal(r#"{"default": ["reject"]}"#), "JSON object expected, got string (at default[0])");
    assert_eq!(refusal(r#"[]"#), "JSON object expected, got array");
    assert_eq!(
        refusal(r#"{"default": [{"type": "reject"}], "transports": null}"#),
        "JSON object expected, got null (at transports)"
    );
    assert_eq!(
        refusal(r#"{"default": [{"type": "reject"}], "transports": {"docker": []}}"#),
        "JSON object expected, got array (at transports[\"docker\"])"
    );
    for bad_json in ["", "{", r#"{"default": [{"type": "reject"}],}"#, r#"{"default": [{"type": "reject"}]} {}"#] {
        let message = refusal(bad_json);
        assert!(message.contains("line"), "{bad_json:?}: {message}");
    }
    // Transports skopos does not implement are kept, scopes unchecked.
    let policy =
        parse(r#"{"default": [{"type": "reject"}], "transports": {"nonsense": {"any thing": [{"type": "reject"}]}}}"#);
    assert_eq!(policy.requirements_for(&subject("docker://busybox")), [Requirement::Reject]);
}

#[test]
fn bad_scopes_per_transport() {
    let with_scope = |transport: &str, scope: &str| {
        refusal(&format!(
            r#"{{"default": [{{"type": "reject"}}], "transports": {{"{transport}": {{"{scope}": [{{"type": "reject"}}]}}}}}}"#
        ))
    };
    assert_eq!(
        with_scope("docker", "busybox:latest"),
        "Unknown key \"busybox:latest\" (at transports[\"docker\"]): Invalid scope busybox:latest: not in the fully \
         expanded form, perhaps try docker.io/library/busybox:latest"
    );
    assert!(with_scope("docker", "*.example.com:443").contains("wildcard"));
    assert_eq!(
        with_scope("dir", "images"),
        "Unknown key \"images\" (at transports[\"dir\"]): Invalid scope images: Must be an absolute path"
    );
    assert!(with_scope("dir", "/").ends_with("Invalid scope \"/\": Use the generic default scope \"\""));
    assert!(with_scope("oci", "/a/./b").ends_with("perhaps try with path /a/b"));
    assert!(with_scope("oci-archive", "a.tar").ends_with("Invalid scope a.tar: must be an absolute path"));
    assert!(with_scope("docker-archive", "/a.tar").ends_with("does not support any scopes except the default \"\" one"));
}

#[test]
fn signed_by_key_sources_and_types() {
    let signed_by = |members: &str| refusal(&format!(r#"{{"default": [{{"type": "signedBy", {members}}}]}}"#));
    assert_eq!(
        signed_by(r#""keyType": "GPGKeys", "keyPath": "/a", "keyData": "aGk=""#),
        "Exactly one of keyPath, keyPaths and keyData must be specified, more than one present (at default[0])"
    );
    assert_eq!(
        signed_by(r#""keyType": "GPGKeys", "keyPath": "/a", "keyPaths": ["/b"]"#),
        "Exactly one of keyPath, keyPaths and keyData must be specified, more than one present (at default[0])"
    );
    assert_eq!(
        signed_by(r#""keyType": "GPGKeys""#),
        "Exactly one of keyPath, keyPaths and keyData must be specified, none of them present (at default[0])"
    );
    assert_eq!(
        signed_by(r#""keyType": "GPGKeys", "keyPath": """#),
        "exactly one of keyPath, keyPaths and keyData must be specified (at default[0])"
    );
    assert_eq!(
        signed_by(r#""keyType": "GPGKeys", "keyPaths": []"#),
        "\"keyPaths\" contains no entries (at default[0])"
    );
    assert_eq!(signed_by(r#""keyType": "PGP", "keyPath": "/a""#), "Unrecognized keyType value \"PGP\" (at default[0])");
    assert_eq!(signed_by(r#""keyPath": "/a""#), "invalid keyType \"\" (at default[0])");
    assert_eq!(signed_by(r#""keyType": 1, "keyPath": "/a""#), "expected a string, got number (at default[0].keyType)");
    assert!(signed_by(r#""keyType": "GPGKeys", "keyData": "not base64!""#).starts_with("illegal base64 data"));
}

#[test]
fn signed_identity_errors() {
    let identity = |rule: &str| {
        refusal(&format!(
            r#"{{"default": [{{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k", "signedIdentity": {rule}}}]}}"#
        ))
    };
    assert_eq!(
        identity(r#"{"type": "matchEverything"}"#),
        "Unknown policy reference match type \"matchEverything\" (at default[0].signedIdentity)"
    );
    assert_eq!(identity("null"), "JSON object expected, got null (at default[0].signedIdentity)");
    assert_eq!(
        identity(r#"{"type": "exactReference", "dockerReference": "busybox"}"#),
        "dockerReference busybox contains neither a tag nor digest (at default[0].signedIdentity)"
    );
    assert!(identity(r#"{"type": "exactReference", "dockerReference": "UPPER:1"}"#).starts_with(
        "Invalid format of dockerReference UPPER:1: invalid reference format: repository name must be lowercase"
    ));
    assert_eq!(
        identity(r#"{"type": "exactReference"}"#),
        "Key \"dockerReference\" missing in a JSON object (at default[0].signedIdentity)"
    );
    assert!(identity(r#"{"type": "exactRepository", "dockerRepository": "a b"}"#)
        .starts_with("Invalid format of dockerRepository a b: invalid reference format"));
    assert_eq!(
        identity(r#"{"type": "remapIdentity", "prefix": "mirror.example/ns", "signedPrefix": "-bad-/x"}"#),
        "prefix \"-bad-/x\" is not valid (at default[0].signedIdentity)"
    );
    assert_eq!(
        identity(r#"{"type": "remapIdentity", "prefix": "mirror.example/ns:tag", "signedPrefix": "docker.io"}"#),
        "prefix \"mirror.example/ns:tag\" is not valid (at default[0].signedIdentity)"
    );
    assert_eq!(
        identity(r#"{"type": "remapIdentity", "prefix": "mirror.example"}"#),
        "Key \"signedPrefix\" missing in a JSON object (at default[0].signedIdentity)"
    );
}

#[test]
fn sigstore_signed_is_parsed_strictly() {
    let sigstore = |members: &str| refusal(&format!(r#"{{"default": [{{"type": "sigstoreSigned", {members}}}]}}"#));
    assert_eq!(
        sigstore(r#""keyPath": "/a", "keyData": "aGk=""#),
        "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified (at default[0])"
    );
    assert_eq!(
        sigstore(r#""signedIdentity": {"type": "matchRepository"}"#),
        "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified (at default[0])"
    );
    assert_eq!(
        sigstore(r#""fulcio": {"caPath": "/c", "oidcIssuer": "i", "subjectEmail": "e"}"#),
        "At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas must be \
         specified if fulcio is used (at default[0])"
    );
    assert_eq!(
        sigstore(r#""keyPath": "/a", "rekorPublicKeyPath": "/r", "rekorPublicKeyData": "aGk=""#),
        "at most one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas can be \
         used simultaneously (at default[0])"
    );
    assert_eq!(
        sigstore(r#""fulcio": {"oidcIssuer": "i", "subjectEmail": "e"}, "rekorPublicKeyPath": "/r""#),
        "At least one of caPath and caData must be specified (at default[0].fulcio)"
    );
    assert_eq!(
        sigstore(r#""fulcio": {"caPath": "/c", "subjectEmail": "e"}, "rekorPublicKeyPath": "/r""#),
        "oidcIssuer not specified (at default[0].fulcio)"
    );
    assert_eq!(
        sigstore(r#""pki": {"caRootsPath": "/r"}"#),
        "At least one of subjectEmail, subjectHostname must be specified (at default[0].pki)"
    );
    assert_eq!(sigstore(r#""keyDatas": []"#), "\"keyDatas\" contains no entries (at default[0])");
}

/// Evaluation: the signature fixtures of `src/signature/testdata` (made by skopeo 1.9.3 with
/// GnuPG, identity `example.com/skopos/test:v1`) over the manifests they sign.
mod evaluation {
    use super::*;
    use base64::Engine;
    use std::collections::HashMap;

    const V2S2: &[u8] = include_bytes!("../../tests/vectors/manifests/containers-image__v2s2.manifest.json");
    const V2S1: &[u8] = include_bytes!("../../tests/vectors/manifests/containers-image__v2s1.manifest.json");
    const V2S2_DIGEST: &str = "sha256:20bf21ed457b390829cdbeec8795a7bea1626991fda603e0d01b4e7f60427e55";
    const A_PUB: &[u8] = include_bytes!("../signature/testdata/a.pub.gpg");
    const A_PUB_ASC: &[u8] = include_bytes!("../signature/testdata/a.pub.asc");
    const EXPIRED_PUB: &[u8] = include_bytes!("../signature/testdata/expired.pub.gpg");
    const A_V2S2: &[u8] = include_bytes!("../signature/testdata/a-v2s2.sig");
    const A_V2S1: &[u8] = include_bytes!("../signature/testdata/a-v2s1.sig");
    const B_V2S2: &[u8] = include_bytes!("../signature/testdata/b-v2s2.sig");
    const SIGNED: &str = "example.com/skopos/test:v1";

    fn simple(bytes: &[u8]) -> crate::signature::Signature {
        crate::signature::Signature::SimpleSigning(bytes.to_vec())
    }

    /// Key files from memory; any other path is missing.
    struct Keys(HashMap<&'static str, &'static [u8]>);

    impl KeyFiles for Keys {
        fn read(&self, path: &str) -> Result<Vec<u8>> {
            self.0.get(path).map(|b| b.to_vec()).ok_or_else(|| Error::NotFound(format!("open {path}: no such file")))
        }
    }

    fn keys() -> Keys {
        Keys(HashMap::from([("/keys/a.gpg", A_PUB), ("/keys/a.asc", A_PUB_ASC), ("/keys/expired.gpg", EXPIRED_PUB)]))
    }

    /// The resolved policy of `name` under a policy whose default is `requirements` (JSON).
    fn image_policy(requirements: &str, name: &str) -> ImagePolicy {
        let policy = parse(&format!(r#"{{"default": {requirements}}}"#));
        policy.for_subject(&subject(name), &keys()).unwrap()
    }

    fn signed_by(identity: &str) -> String {
        format!(r#"[{{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/keys/a.gpg"{identity}}}]"#)
    }

    /// The (requirement, reason) of a denial.
    fn denial(result: Result<()>) -> (String, String) {
        match result {
            Err(Error::PolicyDenied { requirement, reason, .. }) => (requirement, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn image_policy_is_shareable() {
        fn shareable<T: Clone + Send + Sync + 'static>() {}
        shareable::<ImagePolicy>();
    }

    #[test]
    fn accept_and_reject() {
        let accept = image_policy(r#"[{"type": "insecureAcceptAnything"}]"#, "docker://busybox");
        assert!(!accept.needs_signatures());
        accept.evaluate(V2S2, &[]).unwrap();
        let reject = image_policy(r#"[{"type": "insecureAcceptAnything"}, {"type": "reject"}]"#, "docker://busybox");
        let err = reject.evaluate(V2S2, &[simple(A_V2S2)]).unwrap_err();
        assert_eq!(err.code(), "POLICY_DENIED");
        assert_eq!(
            err.to_string(),
            "Source image rejected: docker://busybox:latest: reject: Running image docker://busybox:latest is rejected \
             by policy."
        );
        let dir = image_policy(r#"[{"type": "reject"}]"#, "dir:/srv/img");
        assert_eq!(denial(dir.evaluate(V2S2, &[])).1, "Running image dir:/srv/img is rejected by policy.");
    }

    #[test]
    fn signed_by_accepts_a_valid_signature() {
        let policy = image_policy(&signed_by(""), &format!("docker://{SIGNED}"));
        assert!(policy.needs_signatures());
        policy.evaluate(V2S2, &[simple(A_V2S2)]).unwrap();
        // Schema 1: the digest is the one of the signed payload.
        policy.evaluate(V2S1, &[simple(A_V2S1)]).unwrap();
        // One accepted signature is enough, wherever it is.
        policy.evaluate(V2S2, &[simple(B_V2S2), simple(A_V2S2)]).unwrap();
    }

    #[test]
    fn signed_by_refusals_in_containers_image_words() {
        let policy = image_policy(&signed_by(""), &format!("docker://{SIGNED}"));
        let (requirement, reason) = denial(policy.evaluate(V2S2, &[]));
        assert_eq!(requirement, "signedBy (keyPath /keys/a.gpg)");
        assert_eq!(reason, "A signature was required, but no signature exists");
        // One refused signature: its own reason.
        let single = denial(policy.evaluate(V2S2, &[simple(B_V2S2)])).1;
        // Key B is not in the keyring; the message names its key ID (the end of its fingerprint).
        let b = include_str!("../signature/testdata/fingerprints.txt")
            .lines()
            .find_map(|l| l.strip_prefix("B "))
            .expect("key B's fingerprint");
        assert!(single.to_lowercase().contains(&b[b.len() - 16..].to_lowercase()), "{single}");
        assert!(!single.starts_with("None of"), "{single}");
        // The wrong manifest for the signature.
        let digest = denial(policy.evaluate(V2S1, &[simple(A_V2S2)])).1;
        assert_eq!(digest, format!("Signature for digest {V2S2_DIGEST} does not match"));
        // Several: all reasons, in order.
        let several = denial(policy.evaluate(V2S1, &[simple(A_V2S2), simple(b"garbage")])).1;
        let prefix = format!("None of the signatures were accepted, reasons: {digest}; ");
        assert!(several.starts_with(&prefix), "{several}");
    }

    #[test]
    fn signed_identity_rules_apply_to_the_signed_reference() {
        let other_tag = "docker://example.com/skopos/test:v2";
        let (_, reason) = denial(image_policy(&signed_by(""), other_tag).evaluate(V2S2, &[simple(A_V2S2)]));
        assert_eq!(reason, format!("Signature for identity {SIGNED:?} is not accepted"));
        let repository = r#", "signedIdentity": {"type": "matchRepository"}"#;
        image_policy(&signed_by(repository), other_tag).evaluate(V2S2, &[simple(A_V2S2)]).unwrap();
        let exact = r#", "signedIdentity": {"type": "matchExact"}"#;
        let by_digest = format!("docker://example.com/skopos/test@{V2S2_DIGEST}");
        // matchRepoDigestOrExact (the default) accepts any tag of the repository for an image named by digest…
        image_policy(&signed_by(""), &by_digest).evaluate(V2S2, &[simple(A_V2S2)]).unwrap();
        // …matchExact does not.
        assert!(image_policy(&signed_by(exact), &by_digest).evaluate(V2S2, &[simple(A_V2S2)]).is_err());
        let remap = r#", "signedIdentity": {"type": "remapIdentity", "prefix": "mirror.example:5000/skopos",
            "signedPrefix": "example.com/skopos"}"#;
        image_policy(&signed_by(remap), "docker://mirror.example:5000/skopos/test:v1")
            .evaluate(V2S2, &[simple(A_V2S2)])
            .unwrap();
        assert!(image_policy(&signed_by(""), "docker://mirror.example:5000/skopos/test:v1")
            .evaluate(V2S2, &[simple(A_V2S2)])
            .is_err());
    }

    #[test]
    fn images_without_docker_reference_need_exact_rules() {
        // dir: has no Docker reference, so the default matchRepoDigestOrExact refuses every identity…
        let (_, reason) = denial(image_policy(&signed_by(""), "dir:/srv/img").evaluate(V2S2, &[simple(A_V2S2)]));
        assert_eq!(reason, format!("Signature for identity {SIGNED:?} is not accepted"));
        // …while exactReference and exactRepository name the identity themselves.
        let exact = format!(r#", "signedIdentity": {{"type": "exactReference", "dockerReference": "{SIGNED}"}}"#);
        image_policy(&signed_by(&exact), "dir:/srv/img").evaluate(V2S2, &[simple(A_V2S2)]).unwrap();
        let repository =
            r#", "signedIdentity": {"type": "exactRepository", "dockerRepository": "example.com/skopos/test"}"#;
        image_policy(&signed_by(repository), "oci:/srv/layout:x").evaluate(V2S2, &[simple(A_V2S2)]).unwrap();
    }

    #[test]
    fn key_sources_load_before_evaluation() {
        let image = format!("docker://{SIGNED}");
        let paths = r#"[{"type": "signedBy", "keyType": "GPGKeys", "keyPaths": ["/keys/expired.gpg", "/keys/a.asc"]}]"#;
        image_policy(paths, &image).evaluate(V2S2, &[simple(A_V2S2)]).unwrap();
        let data = base64::engine::general_purpose::STANDARD.encode(A_PUB);
        let inline = format!(r#"[{{"type": "signedBy", "keyType": "GPGKeys", "keyData": "{data}"}}]"#);
        let policy = image_policy(&inline, &image);
        assert_eq!(denial(policy.evaluate(V2S2, &[])).0, "signedBy (keyData)");
        policy.evaluate(V2S2, &[simple(A_V2S2)]).unwrap();
        // Only the keys named count.
        let expired_only = r#"[{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/keys/expired.gpg"}]"#;
        assert!(image_policy(expired_only, &image).evaluate(V2S2, &[simple(A_V2S2)]).is_err());

        // A missing file or a keyring that does not parse fails now, naming the image and requirement.
        let missing = parse(r#"{"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/keys/none"}]}"#);
        let err = missing.for_subject(&subject(&image), &keys()).unwrap_err();
        assert_eq!(err.code(), "CONFIG");
        let message = err.to_string();
        assert!(message.starts_with(&format!("{image}: signedBy (keyPath /keys/none): ")), "{message}");
        assert!(message.contains("open /keys/none"), "{message}");
        let not_keys = parse(r#"{"default": [{"type": "signedBy", "keyType": "GPGKeys", "keyData": "bm9uc2Vuc2U="}]}"#);
        assert!(not_keys.for_subject(&subject(&image), &keys()).is_err());
        // Keys of requirements that do not apply are not read.
        let elsewhere = parse(
            r#"{"default": [{"type": "insecureAcceptAnything"}], "transports": {"docker": {"quay.io":
                [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/keys/none"}]}}}"#,
        );
        elsewhere.for_subject(&subject(&image), &keys()).unwrap().evaluate(V2S2, &[]).unwrap();
    }

    #[test]
    fn unimplemented_key_types_refuse_each_signature() {
        let policy = image_policy(
            r#"[{"type": "signedBy", "keyType": "signedByGPGKeys", "keyPath": "/keys/a.gpg"}]"#,
            &format!("docker://{SIGNED}"),
        );
        assert!(policy.needs_signatures());
        let (_, reason) = denial(policy.evaluate(V2S2, &[simple(A_V2S2)]));
        assert_eq!(reason, "Unimplemented \"keyType\" value \"signedByGPGKeys\"");
        assert_eq!(denial(policy.evaluate(V2S2, &[])).1, "A signature was required, but no signature exists");
    }

    #[test]
    fn sigstore_signed_is_refused_only_where_it_applies() {
        let policy = Policy::parse(LOCKED_DOWN, ORIGIN).unwrap();
        let sigstore = subject("docker://hostname:5000/myns/sigstore-signed-with-full-references:v1");
        let resolved = policy.for_subject(&sigstore, &keys()).unwrap();
        assert!(!resolved.needs_signatures());
        let (requirement, reason) = denial(resolved.evaluate(V2S2, &[simple(A_V2S2)]));
        assert_eq!(requirement, "sigstoreSigned (keyPath /path/to/sigstore-pubkey.pub)");
        assert_eq!(reason, "sigstoreSigned is not supported yet");
        // The same file serves other images.
        policy.for_subject(&subject("docker://busybox"), &keys()).unwrap().evaluate(V2S2, &[]).unwrap();
        let base_layer = image_policy(
            r#"[{"type": "signedBaseLayer", "baseLayerIdentity": {"type": "matchRepository"}}]"#,
            "docker://busybox",
        );
        assert_eq!(denial(base_layer.evaluate(V2S2, &[])).1, "signedBaseLayer not implemented yet!");
    }
}

#[test]
fn certificate_sources_are_exactly_one_of_path_and_data() {
    let policy = |fulcio: &str| {
        let text = format!(
            r#"{{"default":[{{"type":"sigstoreSigned","keyPath":"/k.pub"}}],"transports":{{"docker":{{"r.example":[{{"type":"sigstoreSigned","fulcio":{fulcio},"rekorPublicKeyPath":"/r.pub"}}]}}}}}}"#
        );
        Policy::parse(text.as_bytes(), "p.json").map(|_| ()).map_err(|e| e.to_string())
    };
    let both = policy(r#"{"caPath":"/ca.pem","caData":"YQ==","oidcIssuer":"i","subjectEmail":"e"}"#).unwrap_err();
    assert!(both.contains("caPath and caData cannot be used simultaneously"), "{both}");
    let none = policy(r#"{"oidcIssuer":"i","subjectEmail":"e"}"#).unwrap_err();
    assert!(none.contains("At least one of caPath and caData must be specified"), "{none}");
    policy(r#"{"caPath":"/ca.pem","oidcIssuer":"i","subjectEmail":"e"}"#).unwrap();
}
