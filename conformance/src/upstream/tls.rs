//! The run's test certificate authority: made at start, its PEM written to a file for
//! `[[client_tls]] ca_roots_file`, and one server certificate for the names the cases use.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// Names the server certificate is valid for.
pub const SERVER_NAMES: &[&str] = &["localhost", "svc", "svc.example.test", "*.example.test"];

#[derive(Clone)]
pub struct TestCa {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// Where `ca_pem` is written.
    pub ca_path: PathBuf,
    server: Arc<rustls::ServerConfig>,
    /// The same certificate, offering only `h2` through ALPN.
    server_h2: Arc<rustls::ServerConfig>,
}

impl TestCa {
    /// Makes a CA and a server certificate, and writes the CA's PEM into `dir`.
    pub fn generate(dir: &Path) -> anyhow::Result<TestCa> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "courier conformance test CA");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_cert = ca_params.self_signed(&ca_key)?;

        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(
            SERVER_NAMES
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>(),
        )?;
        params
            .distinguished_name
            .push(DnType::CommonName, "courier conformance upstream");
        params
            .subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv4Addr::LOCALHOST.into()));
        params
            .subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
        let issuer = rcgen::Issuer::from_params(&ca_params, &ca_key);
        let cert = params.signed_by(&key, &issuer)?;

        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut server = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone(), ca_cert.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )?;
        let mut server_h2 = server.clone();
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        server_h2.alpn_protocols = vec![b"h2".to_vec()];

        let ca_pem = ca_cert.pem();
        std::fs::create_dir_all(dir)?;
        let ca_path = dir.join("courier-test-ca.pem");
        std::fs::write(&ca_path, &ca_pem)
            .with_context(|| format!("writing {}", ca_path.display()))?;
        Ok(TestCa {
            ca_pem,
            ca_path,
            server: Arc::new(server),
            server_h2: Arc::new(server_h2),
        })
    }

    pub fn acceptor(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.server.clone())
    }

    /// An acceptor that speaks HTTP/2 only (ALPN `h2`).
    pub fn acceptor_h2(&self) -> TlsAcceptor {
        TlsAcceptor::from(self.server_h2.clone())
    }

    /// The CA as a rustls trust anchor, for clients in tests.
    pub fn ca_der(&self) -> anyhow::Result<CertificateDer<'static>> {
        let mut rd = std::io::Cursor::new(self.ca_pem.as_bytes());
        rustls_pemfile_first(&mut rd)
    }
}

fn rustls_pemfile_first(rd: &mut dyn std::io::BufRead) -> anyhow::Result<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    let mut text = String::new();
    rd.read_to_string(&mut text)?;
    Ok(CertificateDer::from_pem_slice(text.as_bytes())?)
}
