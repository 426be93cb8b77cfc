//! Turning a command's image name and flags into the [`ImageSource`] to read from or the
//! [`ImageDestination`] to write to, whatever the transport.

use std::collections::HashMap;
use std::path::Path;

use super::options::ImageOptions;
use crate::digest::Digest;
use crate::error::{Error, Result};
use crate::http::ByteStream;
use crate::image::name::ImageName;
use crate::image::{BlobInfo, ImageDestination, ImageSource, MountOrigin, RegistryDestination, RegistrySource};
use crate::manifest::ManifestKind;
use crate::native::auth_file;
use crate::native::layout::dir::{DirDestination, DirSource};
use crate::native::layout::docker_archive::{DockerArchiveDestination, DockerArchiveSource};
use crate::native::layout::oci::{OciDestination, OciSource};
use crate::native::layout::oci_archive::{OciArchiveDestination, OciArchiveSource};
use crate::native::lookaside::Lookaside;
use crate::native::registries_d;
use crate::native::transport::{ReqwestTransport, TlsOptions};
use crate::reference::Reference;
use crate::registry::FetchedManifest;
use crate::registry::{ClientOptions, Credentials, RegistryClient};
use crate::signature::Signature;

/// A registry client for `reference`'s registry, with credentials from the flags or auth files.
///
/// Clients are shared within the process: every image of a `sync` (or both ends of a copy
/// within one registry) that needs the same registry, credentials and TLS settings reuses one
/// client, its connections, its endpoint and its tokens.
pub fn registry_client(reference: &Reference, options: &ImageOptions) -> Result<RegistryClient<ReqwestTransport>> {
    type Key = (String, Option<Credentials>, bool, Option<std::path::PathBuf>);
    static CLIENTS: std::sync::OnceLock<std::sync::Mutex<HashMap<Key, RegistryClient<ReqwestTransport>>>> =
        std::sync::OnceLock::new();
    let credentials = match options.explicit_credentials()? {
        Some(explicit) => explicit,
        None => auth_file::lookup(options.authfile.as_deref(), reference.registry(), reference.repository())?,
    };
    let verify = options.tls_verify.unwrap_or(true);
    let key: Key = (reference.registry().to_string(), credentials.clone(), verify, options.cert_dir.clone());
    let clients = CLIENTS.get_or_init(Default::default);
    if let Some(client) = clients.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(client.clone());
    }
    let tls = TlsOptions { verify, cert_dir: options.cert_dir.clone() };
    let transport = ReqwestTransport::new(reference.registry(), &tls)?;
    let client = RegistryClient::new(
        transport,
        reference.registry(),
        ClientOptions { credentials, allow_http: !verify, base_url: None },
    );
    clients.lock().unwrap_or_else(|p| p.into_inner()).insert(key, client.clone());
    Ok(client)
}

/// Every readable source, as one type.
pub enum AnySource {
    /// A registry image and the lookaside store of its signatures.
    Registry(RegistrySource<ReqwestTransport>, Lookaside),
    Dir(DirSource),
    Oci(OciSource),
    OciArchive(OciArchiveSource),
    DockerArchive(DockerArchiveSource),
}

/// Opens the source an image name points at.
pub async fn open_source(name: &ImageName, options: &ImageOptions) -> Result<AnySource> {
    match name {
        ImageName::Docker { reference, .. } => {
            let reference = reference.or_latest();
            let client = registry_client(&reference, options)?;
            Ok(AnySource::Registry(
                RegistrySource::new(client, reference.repository(), &reference.manifest_reference(), &reference.name()),
                registries_d::lookaside_for(&reference)?,
            ))
        }
        ImageName::Dir { path } => Ok(AnySource::Dir(DirSource::open(Path::new(path))?)),
        ImageName::Oci { path, image } => Ok(AnySource::Oci(OciSource::open(Path::new(path), image.as_deref()).await?)),
        ImageName::OciArchive { path, image } => {
            Ok(AnySource::OciArchive(OciArchiveSource::open(Path::new(path), image.as_deref()).await?))
        }
        ImageName::DockerArchive { path, image } => {
            Ok(AnySource::DockerArchive(DockerArchiveSource::open(Path::new(path), image.as_deref()).await?))
        }
    }
}

/// Runs `$body` with `$s` bound to whichever source an [`AnySource`] holds.
macro_rules! each_source {
    ($value:expr, $s:ident => $body:expr) => {
        match $value {
            AnySource::Registry($s, _) => $body,
            AnySource::Dir($s) => $body,
            AnySource::Oci($s) => $body,
            AnySource::OciArchive($s) => $body,
            AnySource::DockerArchive($s) => $body,
        }
    };
}

impl ImageSource for AnySource {
    async fn manifest(&self, instance: Option<&Digest>) -> Result<FetchedManifest> {
        each_source!(self, s => s.manifest(instance).await)
    }

    async fn blob(&self, digest: &Digest, size: Option<u64>) -> Result<ByteStream> {
        each_source!(self, s => s.blob(digest, size).await)
    }

    fn docker_name(&self) -> Option<String> {
        each_source!(self, s => s.docker_name())
    }

    fn mount_origin(&self) -> Option<MountOrigin> {
        each_source!(self, s => s.mount_origin())
    }

    async fn repository_tags(&self) -> Result<Option<Vec<String>>> {
        each_source!(self, s => s.repository_tags().await)
    }

    async fn signatures(&self, instance: Option<&Digest>, digest: &Digest) -> Result<Vec<Signature>> {
        match self {
            // The lookaside holds simple signatures only (containers/image reads them as such).
            AnySource::Registry(_, lookaside) => {
                Ok(lookaside.read(digest).await?.into_iter().map(Signature::SimpleSigning).collect())
            }
            other => each_source!(other, s => s.signatures(instance, digest).await),
        }
    }
}

/// Every writable destination, as one type.
pub enum AnyDestination {
    /// A registry image and the lookaside store its signatures are written to.
    Registry(RegistryDestination<ReqwestTransport>, Lookaside),
    Dir(DirDestination),
    Oci(OciDestination),
    OciArchive(OciArchiveDestination),
    DockerArchive(DockerArchiveDestination),
}

/// Opens (and for layouts, prepares) the destination an image name points at.
pub async fn open_destination(name: &ImageName, options: &ImageOptions) -> Result<AnyDestination> {
    match name {
        ImageName::Docker { reference, .. } => {
            let reference = reference.or_latest();
            let client = registry_client(&reference, options)?;
            Ok(AnyDestination::Registry(
                RegistryDestination::new(
                    client,
                    reference.repository(),
                    &reference.manifest_reference(),
                    &reference.to_string(),
                ),
                registries_d::lookaside_for(&reference)?,
            ))
        }
        ImageName::Dir { path } => Ok(AnyDestination::Dir(DirDestination::create(Path::new(path)).await?)),
        ImageName::Oci { path, image } => {
            Ok(AnyDestination::Oci(OciDestination::create(Path::new(path), image.as_deref()).await?))
        }
        ImageName::OciArchive { path, image } => {
            Ok(AnyDestination::OciArchive(OciArchiveDestination::create(Path::new(path), image.as_deref()).await?))
        }
        ImageName::DockerArchive { path, image } => Ok(AnyDestination::DockerArchive(
            DockerArchiveDestination::create(Path::new(path), image.as_deref()).await?,
        )),
    }
}

/// Runs `$body` with `$d` bound to whichever destination an [`AnyDestination`] holds.
macro_rules! each_destination {
    ($value:expr, $d:ident => $body:expr) => {
        match $value {
            AnyDestination::Registry($d, _) => $body,
            AnyDestination::Dir($d) => $body,
            AnyDestination::Oci($d) => $body,
            AnyDestination::OciArchive($d) => $body,
            AnyDestination::DockerArchive($d) => $body,
        }
    };
}

impl ImageDestination for AnyDestination {
    fn describe(&self) -> String {
        each_destination!(self, d => d.describe())
    }

    fn supports_index(&self) -> bool {
        each_destination!(self, d => d.supports_index())
    }

    fn required_kinds(&self) -> Option<&'static [ManifestKind]> {
        each_destination!(self, d => d.required_kinds())
    }

    async fn has_manifest(&self, digest: &Digest) -> Result<bool> {
        each_destination!(self, d => d.has_manifest(digest).await)
    }

    async fn has_blob(&self, blob: &BlobInfo) -> Result<bool> {
        each_destination!(self, d => d.has_blob(blob).await)
    }

    async fn try_mount(&self, blob: &BlobInfo, origin: &MountOrigin) -> Result<bool> {
        each_destination!(self, d => d.try_mount(blob, origin).await)
    }

    async fn put_blob(&self, blob: &BlobInfo, stream: ByteStream) -> Result<()> {
        each_destination!(self, d => d.put_blob(blob, stream).await)
    }

    async fn put_new_blob(&self, stream: ByteStream, media_type: &str) -> Result<BlobInfo> {
        each_destination!(self, d => d.put_new_blob(stream, media_type).await)
    }

    async fn put_instance_manifest(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        each_destination!(self, d => d.put_instance_manifest(raw, media_type, digest).await)
    }

    fn docker_reference(&self) -> Option<String> {
        each_destination!(self, d => d.docker_reference())
    }

    fn signature_support(&self) -> Result<()> {
        match self {
            AnyDestination::Registry(_, lookaside) => lookaside.check_writable(),
            other => each_destination!(other, d => d.signature_support()),
        }
    }

    async fn put_signatures(&self, instance: Option<&Digest>, digest: &Digest, signatures: &[Signature]) -> Result<()> {
        match self {
            // As containers/image: an image without signatures leaves the store as it is.
            AnyDestination::Registry(_, _) if signatures.is_empty() => Ok(()),
            AnyDestination::Registry(_, lookaside) => {
                let simple = signatures
                    .iter()
                    .map(|signature| {
                        signature.as_simple_signing().map(<[u8]>::to_vec).ok_or_else(|| {
                            Error::Unsupported(format!(
                                "Can not store {} signatures to a lookaside",
                                signature.format_name()
                            ))
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                lookaside.write(digest, &simple)
            }
            other => each_destination!(other, d => d.put_signatures(instance, digest, signatures).await),
        }
    }

    async fn commit(&self, raw: &[u8], media_type: &str, digest: &Digest) -> Result<()> {
        each_destination!(self, d => d.commit(raw, media_type, digest).await)
    }
}
