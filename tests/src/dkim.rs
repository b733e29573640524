//! DKIM signatures checked as a receiving system would, with mail-auth's verifier given the
//! test key's TXT record directly: the resolver has no name server at all, so a record missing
//! from the cache is an error, never a query.

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
use mail_auth::{
    AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache, Txt,
};
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::time::Instant;

/// The `[dkim]` section that signs with the Ed25519 test key (`shared/render/tests/fixtures/dkim`)
/// as `circulars._domainkey.itu.example`.
pub fn ed25519_section() -> String {
    let key = crate::workspace().join("shared/render/tests/fixtures/dkim/ed25519.pkcs8.pem");
    format!(
        "\n[dkim]\nenabled = true\nalgorithm = \"ed25519\"\ndomain = \"{DOMAIN}\"\n\
         selector = \"{SELECTOR}\"\nprivate_key_file = {:?}\n",
        key.display().to_string()
    )
}

const DOMAIN: &str = "itu.example";
const SELECTOR: &str = "circulars";

/// The TXT records the verifier sees, keyed as mail-auth looks them up.
struct Records(HashMap<Box<str>, Txt>);

impl ResolverCache<Box<str>, Txt> for Records {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.get(name).cloned()
    }

    fn remove<Q>(&self, _: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        None
    }

    fn insert(&self, _: Box<str>, _: Txt, _: Instant) {}
}

/// The result of verifying the one DKIM signature of `raw` against the Ed25519 test key.
pub async fn verify_ed25519(raw: &[u8]) -> DkimResult {
    let record = std::fs::read_to_string(
        crate::workspace().join("shared/render/tests/fixtures/dkim/ed25519.txt-record"),
    )
    .expect("the test key's record");
    let key = DomainKey::parse(record.trim().as_bytes()).expect("a DKIM key record");
    let name = format!("{SELECTOR}._domainkey.{DOMAIN}.").into_boxed_str();
    let records = Records(HashMap::from([(name, Txt::from(key))]));
    let authenticator = MessageAuthenticator::new(
        ResolverConfig::from_name_servers(vec![]),
        ResolverOpts::default(),
    )
    .expect("a resolver without name servers");
    let message = AuthenticatedMessage::parse(raw).expect("the mail parses");
    let outputs = authenticator
        .verify_dkim(Parameters::new(&message).with_txt_cache(&records))
        .await;
    assert_eq!(outputs.len(), 1, "one signature");
    outputs[0].result().clone()
}
