//! `signedIdentity` rules: whether the Docker reference a signature claims is acceptable for an
//! image, by containers/image's `matchesDockerReference` semantics.
//!
//! The rules that compare with the image (`matchExact`, `matchRepoDigestOrExact`,
//! `matchRepository`, `remapIdentity`) need the image's Docker reference; an image without one
//! (`dir:`, `oci:`…) matches none of them, as in containers/image. `exactReference` and
//! `exactRepository` compare with a reference named in the policy and work for any image.
//! A signed reference that does not parse never matches.

use crate::error::{Error, Result};
use crate::reference::Reference;

/// One `signedIdentity` rule of a policy requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityRule {
    /// `matchExact`: the signed reference is the image's, tag or digest included.
    MatchExact,
    /// `matchRepoDigestOrExact` (the default): exact for an image named by tag; the same
    /// repository (any tag) for an image named by digest.
    MatchRepoDigestOrExact,
    /// `matchRepository`: the same repository, any tag or digest.
    MatchRepository,
    /// `exactReference`: the signed reference is `docker_reference` (which has a tag or digest).
    ExactReference { docker_reference: String },
    /// `exactRepository`: the signed reference is in `docker_repository`.
    ExactRepository { docker_repository: String },
    /// `remapIdentity`: the image's name with `prefix` replaced by `signed_prefix`, then
    /// matched as `matchRepoDigestOrExact`.
    RemapIdentity { prefix: String, signed_prefix: String },
}

impl IdentityRule {
    /// Whether a signature claiming `signed` is acceptable for the image named `image`
    /// (`None`: the image has no Docker reference).
    pub fn matches(&self, image: Option<&Reference>, signed: &str) -> bool {
        let Ok(signed) = Reference::parse(signed) else { return false };
        match self {
            IdentityRule::MatchExact => {
                image.is_some_and(|i| !is_name_only(i) && !is_name_only(&signed) && i.to_string() == signed.to_string())
            }
            IdentityRule::MatchRepoDigestOrExact => image.is_some_and(|i| repo_digest_or_exact(i, &signed)),
            IdentityRule::MatchRepository => image.is_some_and(|i| i.name() == signed.name()),
            IdentityRule::ExactReference { docker_reference } => Reference::parse(docker_reference)
                .is_ok_and(|r| !is_name_only(&r) && !is_name_only(&signed) && r.to_string() == signed.to_string()),
            IdentityRule::ExactRepository { docker_repository } => {
                Reference::parse(docker_repository).is_ok_and(|r| r.name() == signed.name())
            }
            IdentityRule::RemapIdentity { prefix, signed_prefix } => image
                .and_then(|i| remap(i, prefix, signed_prefix))
                .is_some_and(|remapped| repo_digest_or_exact(&remapped, &signed)),
        }
    }

    /// [`IdentityRule::matches`] as the check a signature verification calls, with
    /// containers/image's refusal text.
    pub fn check(&self, image: Option<&Reference>, signed: &str) -> Result<()> {
        if self.matches(image, signed) {
            Ok(())
        } else {
            Err(Error::Signature(format!("Signature for identity {signed:?} is not accepted")))
        }
    }
}

/// Neither tag nor digest.
fn is_name_only(reference: &Reference) -> bool {
    reference.tag().is_none() && reference.digest().is_none()
}

/// `matchRepoDigestOrExact` between the intended reference and the signed one.
fn repo_digest_or_exact(intended: &Reference, signed: &Reference) -> bool {
    if is_name_only(signed) {
        return false;
    }
    if intended.tag().is_some() {
        // Includes a reference with both a tag and a digest.
        intended.to_string() == signed.to_string()
    } else if intended.digest().is_some() {
        // The digest itself is checked against the manifest by the signature verification.
        intended.name() == signed.name()
    } else {
        false
    }
}

/// `image` with `prefix` replaced by `signed_prefix` when its name is `prefix` or under it (at a
/// `/`); `None` when the result is not a reference in canonical form (containers/image's
/// `ParseNamed`), which then matches nothing.
fn remap(image: &Reference, prefix: &str, signed_prefix: &str) -> Option<Reference> {
    let name = image.name();
    let under_prefix = match name.strip_prefix(prefix) {
        Some("") => true,
        Some(rest) => rest.starts_with('/'),
        None => false,
    };
    if !under_prefix {
        return Some(image.clone());
    }
    let rewritten = image.to_string().replacen(prefix, signed_prefix, 1);
    Reference::parse(&rewritten).ok().filter(|r| r.to_string() == rewritten)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    const OTHER_DIGEST: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    const RHEL: &str = "registry.access.redhat.com/rhel7/rhel";

    fn image(reference: &str) -> Reference {
        Reference::parse(reference).unwrap()
    }

    fn accepts(rule: &IdentityRule, intended: &str, signed: &str) -> bool {
        rule.matches(Some(&image(intended)), signed)
    }

    #[test]
    fn match_exact() {
        let rule = IdentityRule::MatchExact;
        let tagged = format!("{RHEL}:7.2.3");
        assert!(accepts(&rule, &tagged, &tagged));
        // Short forms normalize before comparing.
        assert!(accepts(&rule, "busybox:latest", "docker.io/library/busybox:latest"));
        assert!(!accepts(&rule, &tagged, &format!("{RHEL}:7.2.4")));
        assert!(!accepts(&rule, &tagged, RHEL), "a signed name without tag never matches");
        assert!(!accepts(&rule, RHEL, RHEL), "an intended name without tag never matches");
        // By digest, the signed reference must carry the same digest.
        assert!(accepts(&rule, &format!("{RHEL}@{DIGEST}"), &format!("{RHEL}@{DIGEST}")));
        assert!(!accepts(&rule, &format!("{RHEL}@{DIGEST}"), &tagged));
        assert!(!accepts(&rule, &tagged, "UPPER/invalid"), "an unparsable signed reference");
        assert!(!rule.matches(None, &tagged), "no Docker reference for the image");
    }

    #[test]
    fn match_repo_digest_or_exact() {
        let rule = IdentityRule::MatchRepoDigestOrExact;
        let tagged = format!("{RHEL}:7.2.3");
        assert!(accepts(&rule, &tagged, &tagged));
        assert!(!accepts(&rule, &tagged, &format!("{RHEL}:latest")));
        // By digest: any tag of the same repository (the digest is checked against the manifest).
        let by_digest = format!("{RHEL}@{DIGEST}");
        assert!(accepts(&rule, &by_digest, &tagged));
        assert!(accepts(&rule, &by_digest, &format!("{RHEL}@{OTHER_DIGEST}")));
        assert!(!accepts(&rule, &by_digest, "registry.access.redhat.com/rhel7/other:7.2.3"));
        assert!(!accepts(&rule, &by_digest, RHEL), "the signed reference needs a tag or digest");
        // Both tag and digest: treated as tagged, so exact.
        let both = format!("{RHEL}:7.2.3@{DIGEST}");
        assert!(accepts(&rule, &both, &both));
        assert!(!accepts(&rule, &both, &tagged));
        assert!(!rule.matches(None, &tagged));
    }

    #[test]
    fn match_repository() {
        let rule = IdentityRule::MatchRepository;
        assert!(accepts(&rule, &format!("{RHEL}:latest"), &format!("{RHEL}:7.2.3")));
        assert!(accepts(&rule, &format!("{RHEL}@{DIGEST}"), RHEL));
        assert!(!accepts(&rule, &format!("{RHEL}:7.2.3"), "registry.access.redhat.com/rhel7/other:7.2.3"));
        assert!(accepts(&rule, "busybox:1", "docker.io/library/busybox:2"));
        assert!(!rule.matches(None, RHEL));
    }

    #[test]
    fn exact_reference_and_repository_need_no_image_reference() {
        let exact = IdentityRule::ExactReference { docker_reference: format!("{RHEL}:7.2.3") };
        assert!(exact.matches(None, &format!("{RHEL}:7.2.3")));
        assert!(!exact.matches(None, &format!("{RHEL}:7.2.4")));
        assert!(!exact.matches(None, RHEL));
        assert!(accepts(&exact, "unrelated.example/x:1", &format!("{RHEL}:7.2.3")), "the image does not count");
        let repository = IdentityRule::ExactRepository { docker_repository: RHEL.into() };
        assert!(repository.matches(None, &format!("{RHEL}:anything")));
        assert!(repository.matches(None, &format!("{RHEL}@{DIGEST}")));
        assert!(!repository.matches(None, "registry.access.redhat.com/rhel7/other:1"));
        let short = IdentityRule::ExactRepository { docker_repository: "busybox".into() };
        assert!(short.matches(None, "docker.io/library/busybox:latest"));
    }

    #[test]
    fn remap_identity() {
        // The man page's mirror example.
        let rule = IdentityRule::RemapIdentity {
            prefix: "private-mirror:5000/vendor-mirror".into(),
            signed_prefix: "vendor.example.com".into(),
        };
        let mirrored = "private-mirror:5000/vendor-mirror/producta/image1:latest";
        assert!(accepts(&rule, mirrored, "vendor.example.com/producta/image1:latest"));
        assert!(!accepts(&rule, mirrored, mirrored), "the mirror's own name is no longer accepted");
        assert!(!accepts(&rule, mirrored, "vendor.example.com/producta/image1:other"));
        // By digest: matchRepoDigestOrExact after remapping.
        let by_digest = format!("private-mirror:5000/vendor-mirror/producta/image1@{DIGEST}");
        assert!(accepts(&rule, &by_digest, "vendor.example.com/producta/image1:v1"));
        // Only at a path boundary: "vendor-mirror2" is not under "vendor-mirror".
        let beside = "private-mirror:5000/vendor-mirror2/p:latest";
        assert!(accepts(&rule, beside, beside), "outside the prefix the image is matched unchanged");
        assert!(!accepts(&rule, beside, "vendor.example.com2/p:latest"));
        // A remapped name that is not canonical (docker.io without library/) matches nothing.
        let to_hub =
            IdentityRule::RemapIdentity { prefix: "mirror.example/lib".into(), signed_prefix: "docker.io".into() };
        assert!(!accepts(&to_hub, "mirror.example/lib/busybox:1", "docker.io/library/busybox:1"));
        let to_hub_library = IdentityRule::RemapIdentity {
            prefix: "mirror.example/lib".into(),
            signed_prefix: "docker.io/library".into(),
        };
        assert!(accepts(&to_hub_library, "mirror.example/lib/busybox:1", "busybox:1"));
        assert!(!rule.matches(None, "vendor.example.com/producta/image1:latest"));
    }

    #[test]
    fn check_words_the_refusal() {
        let err = IdentityRule::MatchExact.check(Some(&image("a.example/b:1")), "a.example/b:2").unwrap_err();
        assert_eq!(err.to_string(), "Signature for identity \"a.example/b:2\" is not accepted");
        assert!(IdentityRule::MatchExact.check(Some(&image("a.example/b:1")), "a.example/b:1").is_ok());
    }
}
