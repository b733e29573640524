//! `circulars-render`: a circular as each language's reader sees it, and the mail that carries
//! it, as pure functions: no database, no NATS. The composer stores what [`render::render`]
//! makes once per language; the dispatcher builds each recipient's mail from it with
//! [`mail::build`]; staff previews and checks call the same functions.
//!
//! # Layout
//! - [`bidi`]: right-to-left text kept readable without help: left-to-right runs (numbers,
//!   addresses, Latin names) isolated, plain-text lines opened with RLM
//! - [`dates`]: circular dates formatted with ICU4X, and the Fluent `DATE` function
//! - [`markdown`]: bodies (Markdown) to HTML with inline styles and to plain text
//! - [`templates`]: the Fluent bundles of `locales/<lang>/circular.ftl`, checked at start
//! - [`wording`]: the six wording files checked as a set; the list of wording to review
//! - [`render`]: one language version as text/plain and HTML, personal parts left as slots
//! - [`public`]: a stored language version as the public archive shows it, without the
//!   recipient's parts (addressee, unsubscribe and any other personal link)
//! - [`mail`]: the mail built from a stored language version and the personal fields: whole by
//!   lettre ([`mail::build`]), or encoded once per language and spliced per recipient
//!   ([`mail::MailTemplate`])
//! - [`dkim`]: DKIM signatures (RSA-2048 or Ed25519) over the headers RFC 8058 needs signed

pub mod bidi;
pub mod dates;
pub mod dkim;
pub mod mail;
pub mod markdown;
pub mod public;
pub mod render;
pub mod templates;
pub mod wording;

use circulars_core::config::Config;
use dkim::{DkimError, DkimSigner};

/// The DKIM signer `[dkim]` configures: `None` unless enabled with a key file.
pub fn dkim_signer(config: &Config) -> Result<Option<DkimSigner>, DkimError> {
    let d = &config.dkim;
    match (&d.private_key_file, d.enabled) {
        (Some(path), true) => Ok(Some(DkimSigner::from_file(
            &d.domain,
            &d.selector,
            d.algorithm.parse()?,
            path,
        )?)),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Config {
        Config::from_sources(Some(("c.toml", extra)), Vec::new()).unwrap()
    }

    #[test]
    fn dkim_signs_only_when_enabled_with_a_readable_key() {
        assert!(
            dkim_signer(&config("")).unwrap().is_none(),
            "off by default"
        );
        let key = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/dkim/ed25519.pkcs8.pem"
        );
        let on = config(&format!(
            "[dkim]\nenabled = true\nalgorithm = \"ed25519\"\ndomain = \"itu.example\"\nprivate_key_file = \"{key}\"\n"
        ));
        let signer = dkim_signer(&on).unwrap().unwrap();
        assert_eq!(
            (signer.domain(), signer.selector()),
            ("itu.example", "circulars")
        );
        let missing =
            config("[dkim]\nenabled = true\nprivate_key_file = \"/nonexistent/dkim.pem\"\n");
        let err = dkim_signer(&missing).unwrap_err().to_string();
        assert!(
            err.contains("/nonexistent/dkim.pem"),
            "the error names the file: {err}"
        );
    }
}
