//! Evaluating the policy for one image: [`ImagePolicy`] holds the requirements that apply,
//! keys loaded, and [`ImagePolicy::evaluate`] checks the image's manifest and signatures
//! against every one of them, as containers/image's `IsRunningImageAllowed` does.

use super::config::{KeySource, KeyType, Requirement, SignedBy};
use super::identity::IdentityRule;
use super::{KeyFiles, PolicySubject};
use crate::error::{Error, Result};
use crate::reference::Reference;
use crate::signature::{self, Keyring, Signature};

/// The resolved policy for one image. Cheap to clone, and shared between threads by the copy
/// engine.
#[derive(Debug, Clone)]
pub struct ImagePolicy {
    image: String,
    docker_reference: Option<Reference>,
    requirements: Vec<Resolved>,
}

/// One requirement, ready to evaluate.
#[derive(Debug, Clone)]
struct Resolved {
    description: String,
    check: Check,
}

#[derive(Debug, Clone)]
enum Check {
    Accept,
    Reject,
    /// A signature by a key of `keyring` claiming an identity `identity` accepts.
    Signed {
        keyring: Keyring,
        identity: IdentityRule,
    },
    /// A `signedBy` whose keyType containers/image does not implement: every signature fails
    /// with `reason`.
    SignedUnimplemented {
        reason: String,
    },
    /// A requirement skopos (or containers/image) cannot evaluate: the image is refused.
    Refuse {
        reason: String,
    },
}

impl ImagePolicy {
    /// Loads the keys of `requirements` (the ones that apply to `subject`).
    pub(super) fn resolve(
        subject: &PolicySubject,
        requirements: &[Requirement],
        keys: &dyn KeyFiles,
    ) -> Result<ImagePolicy> {
        let requirements = requirements
            .iter()
            .map(|requirement| {
                let description = requirement.describe();
                let check = match requirement {
                    Requirement::InsecureAcceptAnything => Check::Accept,
                    Requirement::Reject => Check::Reject,
                    Requirement::SignedBy(signed_by) => signed_check(signed_by, keys)
                        .map_err(|e| Error::Config(format!("{}: {description}: {e}", subject.describe())))?,
                    Requirement::SignedBaseLayer(_) => {
                        Check::Refuse { reason: "signedBaseLayer not implemented yet!".into() }
                    }
                    Requirement::SigstoreSigned(_) => {
                        Check::Refuse { reason: "sigstoreSigned is not supported yet".into() }
                    }
                };
                Ok(Resolved { description, check })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ImagePolicy {
            image: subject.describe(),
            docker_reference: subject.docker_reference().cloned(),
            requirements,
        })
    }

    /// Whether any requirement looks at signatures (so the caller must fetch them).
    pub fn needs_signatures(&self) -> bool {
        self.requirements.iter().any(|r| matches!(r.check, Check::Signed { .. } | Check::SignedUnimplemented { .. }))
    }

    /// Checks the image (its `manifest` bytes and its `signatures`) against every requirement,
    /// in order: `Ok(())`, or [`Error::PolicyDenied`] for the first requirement that refuses,
    /// with containers/image's reason. A requirement looks only at signatures of its own format
    /// (`signedBy` at simple signatures), as containers/image does.
    pub fn evaluate(&self, manifest: &[u8], signatures: &[Signature]) -> Result<()> {
        let simple: Vec<&[u8]> = signatures.iter().filter_map(Signature::as_simple_signing).collect();
        for requirement in &self.requirements {
            let refusal = match &requirement.check {
                Check::Accept => None,
                Check::Reject => Some(format!("Running image {} is rejected by policy.", self.image)),
                Check::Refuse { reason } => Some(reason.clone()),
                Check::Signed { keyring, identity } => self.signed(&simple, |signature| {
                    let identity_accepted = |signed: &str| identity.check(self.docker_reference.as_ref(), signed);
                    signature::verify_image_signature(keyring, None, signature, manifest, &identity_accepted)
                        .map(|_| ())
                }),
                Check::SignedUnimplemented { reason } => {
                    self.signed(&simple, |_| Err(Error::Signature(reason.clone())))
                }
            };
            if let Some(reason) = refusal {
                return Err(Error::PolicyDenied {
                    image: self.image.clone(),
                    requirement: requirement.description.clone(),
                    reason,
                });
            }
        }
        Ok(())
    }

    /// A `signedBy` verdict: `None` if one signature passes `accept`, else the reason in
    /// containers/image's words.
    fn signed<T>(&self, signatures: &[T], accept: impl Fn(&T) -> Result<()>) -> Option<String> {
        let mut rejections = Vec::new();
        for signature in signatures {
            match accept(signature) {
                Ok(()) => return None,
                Err(e) => rejections.push(e.to_string()),
            }
        }
        Some(match rejections.len() {
            0 => "A signature was required, but no signature exists".into(),
            1 => rejections.remove(0),
            _ => format!("None of the signatures were accepted, reasons: {}", rejections.join("; ")),
        })
    }
}

/// The check of a `signedBy` requirement, its keyring loaded.
fn signed_check(signed_by: &SignedBy, keys: &dyn KeyFiles) -> Result<Check> {
    if signed_by.key_type != KeyType::GpgKeys {
        return Ok(Check::SignedUnimplemented {
            reason: format!("Unimplemented \"keyType\" value {:?}", signed_by.key_type.as_str()),
        });
    }
    let keyring = match &signed_by.keys {
        KeySource::Data(data) => Keyring::parse(data)?,
        KeySource::Path(path) => Keyring::parse(&keys.read(path)?)?,
        KeySource::Paths(paths) => {
            let mut rings = paths.iter().map(|path| Keyring::parse(&keys.read(path)?));
            // Parsing ensures keyPaths is not empty.
            let mut keyring =
                rings.next().ok_or_else(|| Error::Config("\"keyPaths\" contains no entries".into()))??;
            for ring in rings {
                keyring.extend(ring?);
            }
            keyring
        }
    };
    Ok(Check::Signed { keyring, identity: signed_by.signed_identity.clone() })
}

/// The copy engine asks an [`ImagePolicy`] whether each image it reads may be copied.
impl crate::copy::TrustPolicy for ImagePolicy {
    fn needs_signatures(&self) -> bool {
        ImagePolicy::needs_signatures(self)
    }

    fn admit(&self, manifest: &[u8], signatures: &[Signature]) -> Result<()> {
        self.evaluate(manifest, signatures)
    }
}
