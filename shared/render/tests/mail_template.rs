//! The mail of a language encoded once and spliced per recipient ([`MailTemplate`]): read back
//! by mail-parser it is the rendition personalised as `Rendition::personalise` does, with the
//! headers lettre's `mail::build` wrote, its annexes byte for byte, lines a relay accepts, and a
//! DKIM signature mail-auth verifies; two recipients' mails differ only where they must.
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

use circulars_core::config::MailConfig;
use circulars_core::domain::{
    Annex, Circular, DeliveryKey, Language, OutgoingMail, PersonalLinks, Recipient,
    RecipientAddress, Rendition,
};
use circulars_core::tokens::Keyring;
use circulars_render::dkim::{DkimAlgorithm, DkimSigner};
use circulars_render::mail::{self, MailSettings, MailTemplate};
use circulars_render::render::render;
use circulars_render::templates::Templates;
use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
use mail_auth::{
    AuthenticatedMessage, DkimResult, MessageAuthenticator, Parameters, ResolverCache, Txt,
};
use mail_parser::{Message, MessageParser, MimeHeaders as _};
use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The six renditions of the sample circular TSB-36.
fn renditions() -> Vec<Rendition> {
    let path = root().join("../../samples/circulars/tsb-36.toml");
    let circular =
        Circular::from_toml("tsb-36.toml", &std::fs::read_to_string(path).unwrap()).unwrap();
    let templates = Templates::embedded().unwrap();
    Language::ALL
        .iter()
        .map(|&language| render(&templates, &circular, language).unwrap())
        .collect()
}

/// Two annexes of a language: a binary file with every byte value, and a text file whose
/// name is not ASCII.
fn annexes(language: Language) -> Vec<Annex> {
    vec![
        Annex {
            position: 1,
            language,
            file_name: "annex1.pdf".into(),
            source: "annex1.pdf".into(),
            content_type: "application/pdf".into(),
            content: (0..=255u8).cycle().take(5000).collect(),
        },
        Annex {
            position: 2,
            language,
            file_name: "приложение 2 «ITU».txt".into(),
            source: "annex2.txt".into(),
            content_type: "text/plain; charset=utf-8".into(),
            content: "ligne 1\nline 2 — =?utf-8?q?x?=\r\n.\r\n"
                .as_bytes()
                .to_vec(),
        },
    ]
}

fn recipient(language: Language, address: &str, name: &str, addressee: &str) -> Recipient {
    Recipient {
        address: RecipientAddress::parse(address).unwrap(),
        name: name.into(),
        language,
        addressee: addressee.parse().unwrap(),
    }
}

/// A plain recipient and one whose name and organisation have non-ASCII, quotes and `<>`.
fn recipients(language: Language) -> [Recipient; 2] {
    [
        recipient(
            language,
            "amina@ptt.freedonia.example.org",
            "Amina Diallo",
            "Administration of Freedonia",
        ),
        recipient(
            language,
            "zoe.ndiaye@Example.ORG",
            "Zoë \"Z\" Ndiaye <Directrice>, Télécoms",
            "Ministère des « Postes » & <Télécoms> \"PTT\" — Фридония 弗里多尼亚",
        ),
    ]
}

fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-03-12T09:30:00Z".parse().unwrap()
}

/// `text` with every LF line end made CRLF: text parts travel in the canonical form of text.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// What `Rendition::personalise` gives for `recipient`, line ends as sent.
fn personalised(rendition: &Rendition, recipient: &Recipient) -> (String, String) {
    let config = MailConfig::default();
    let keyring = Keyring::development();
    let key = DeliveryKey::new(rendition.circular.clone(), recipient.address.clone());
    let unsubscribe = mail::unsubscribe_url(&config, &keyring, &key);
    let preferences = mail::preferences_url(&config, &keyring, &key);
    let links = PersonalLinks {
        unsubscribe: &unsubscribe,
        preferences: &preferences,
    };
    let (text, html) = rendition.personalise(recipient.addressee.name(), links);
    (crlf(&text), crlf(&html))
}

/// lettre's mail for the same recipient, serialised.
fn built_by_lettre(rendition: &Rendition, annexes: &[Annex], recipient: &Recipient) -> Vec<u8> {
    let config = MailConfig::default();
    let keyring = Keyring::development();
    let settings = MailSettings {
        config: &config,
        keyring: &keyring,
        dkim: None,
    };
    let prepared = mail::prepare_annexes(annexes).unwrap();
    mail::build(rendition, &prepared, recipient, settings)
        .unwrap()
        .formatted()
}

fn parse(raw: &[u8]) -> Message<'_> {
    MessageParser::default().parse(raw).unwrap()
}

/// The headers both builders write, as mail-parser decodes them (all but `Date` and the
/// boundaries in `Content-Type`).
const COMPARED: &[&str] = &[
    "From",
    "Reply-To",
    "To",
    "Subject",
    "Message-ID",
    "MIME-Version",
    "Content-Language",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// Checks the lines of a raw mail: CRLF only, at most 998 characters, at most 76 in the
/// encoded bodies, and a final CRLF.
fn check_lines(raw: &[u8], what: &str) {
    assert!(raw.ends_with(b"\r\n"), "{what}: ends with CRLF");
    for (i, &b) in raw.iter().enumerate() {
        if b == b'\n' {
            assert!(i > 0 && raw[i - 1] == b'\r', "{what}: bare LF at {i}");
        }
        if b == b'\r' {
            assert_eq!(raw.get(i + 1), Some(&b'\n'), "{what}: bare CR at {i}");
        }
    }
    let text = std::str::from_utf8(raw).unwrap();
    let mut in_body = false;
    let mut encoded = false;
    for line in text.split("\r\n") {
        assert!(line.len() <= 998, "{what}: {line}");
        if line.starts_with("--=_circulars") {
            in_body = false;
        } else if line.starts_with("Content-Transfer-Encoding:") {
            encoded = true;
        } else if line.is_empty() && encoded {
            in_body = true;
            encoded = false;
        } else if in_body {
            assert!(
                line.len() <= 76,
                "{what}: an encoded line of {}",
                line.len()
            );
        }
    }
}

#[test]
fn each_language_reads_back_as_personalised_with_lettres_headers_and_its_annexes() {
    let config = MailConfig::default();
    let keyring = Keyring::development();
    for rendition in renditions() {
        let language = rendition.language;
        for annexes in [Vec::new(), annexes(language)] {
            let template = MailTemplate::new(&rendition, &annexes, &config).unwrap();
            for recipient in recipients(language) {
                let what = format!("{language}, {} annexes", annexes.len());
                let mail = template
                    .mail_for(&recipient, &keyring, None, now())
                    .unwrap();
                check_lines(&mail.message, &what);
                let ours = parse(&mail.message);
                let lettre_raw = built_by_lettre(&rendition, &annexes, &recipient);
                let theirs = parse(&lettre_raw);
                let (text, html) = personalised(&rendition, &recipient);
                assert_eq!(ours.body_text(0).unwrap(), text, "{what}: text");
                assert_eq!(ours.body_html(0).unwrap(), html, "{what}: html");
                assert_eq!(ours.body_text(0), theirs.body_text(0), "{what}: as lettre");
                for name in COMPARED {
                    assert_eq!(ours.header(*name), theirs.header(*name), "{what}: {name}");
                    assert!(ours.header(*name).is_some(), "{what}: {name}");
                }
                let to = ours.to().unwrap().first().unwrap();
                assert_eq!(to.name(), Some(recipient.name.as_str()), "{what}");
                assert_eq!(to.address(), Some(recipient.address.as_str()), "{what}");
                assert_eq!(
                    ours.date().unwrap().to_rfc3339(),
                    "2026-03-12T09:30:00Z",
                    "{what}"
                );
                let attached: Vec<(&str, &[u8])> = ours
                    .attachments()
                    .map(|a| (a.attachment_name().unwrap(), a.contents()))
                    .collect();
                let expected: Vec<(&str, &[u8])> = annexes
                    .iter()
                    .map(|a| (a.file_name.as_str(), a.content.as_slice()))
                    .collect();
                assert_eq!(attached, expected, "{what}: annexes");
                let key = DeliveryKey::new(rendition.circular.clone(), recipient.address.clone());
                assert_eq!(mail.return_path, mail::return_path(&config, &keyring, &key));
                assert_eq!(mail.recipient, recipient.address.as_str());
            }
        }
    }
}

#[test]
fn the_bodies_of_latin_scripts_go_quoted_printable_the_others_base64() {
    let config = MailConfig::default();
    for rendition in renditions() {
        let template = MailTemplate::new(&rendition, &[], &config).unwrap();
        let [amina, _] = recipients(rendition.language);
        let mail = template
            .mail_for(&amina, &Keyring::development(), None, now())
            .unwrap();
        let raw = String::from_utf8(mail.message).unwrap();
        let expected = match rendition.language {
            Language::Ar | Language::Ru | Language::Zh => "base64",
            Language::En | Language::Fr | Language::Es => "quoted-printable",
        };
        assert_eq!(
            raw.matches(&format!("Content-Transfer-Encoding: {expected}\r\n"))
                .count(),
            2,
            "{}",
            rendition.language
        );
    }
}

/// The lines of `raw` that `other` lacks.
fn lines_not_in<'a>(raw: &'a str, other: &str) -> Vec<&'a str> {
    let theirs: HashSet<&str> = other.split("\r\n").collect();
    raw.split("\r\n").filter(|l| !theirs.contains(l)).collect()
}

#[test]
fn two_recipients_of_one_template_differ_only_in_their_fields() {
    let config = MailConfig::default();
    let keyring = Keyring::development();
    let signer = signer(DkimAlgorithm::Ed25519, "ed25519.pkcs8.pem");
    for rendition in renditions() {
        let language = rendition.language;
        let template = MailTemplate::new(&rendition, &annexes(language), &config).unwrap();
        let [amina, zoe] = recipients(language);
        let later = now() + chrono::Duration::seconds(61);
        let a = template
            .mail_for(&amina, &keyring, Some(&signer), now())
            .unwrap();
        let b = template
            .mail_for(&zoe, &keyring, Some(&signer), later)
            .unwrap();
        let (a, b) = (
            String::from_utf8(a.message).unwrap(),
            String::from_utf8(b.message).unwrap(),
        );
        let (a_head, a_body) = a.split_once("\r\n\r\n").unwrap();
        let (b_head, b_body) = b.split_once("\r\n\r\n").unwrap();
        let personal = [
            "To:",
            "Date:",
            "Message-ID:",
            "List-Unsubscribe:",
            "DKIM-Signature:",
        ];
        let fields = |head: &str| -> Vec<String> {
            let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", "\t");
            unfolded
                .split("\r\n")
                .filter(|f| !personal.iter().any(|p| f.starts_with(p)))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(fields(a_head), fields(b_head), "{language}: shared fields");
        for p in personal {
            let count = a_head.split("\r\n").filter(|l| l.starts_with(p)).count();
            assert_eq!(count, 1, "{language}: {p}");
        }
        // Each slot touches at most a few encoded lines around it; everything else is shared.
        let slots =
            rendition.text_body.matches("{{").count() + rendition.html_body.matches("{{").count();
        let differing = lines_not_in(a_body, b_body).len();
        assert!(
            differing <= 5 * slots,
            "{language}: {differing} lines differ for {slots} slots"
        );
        assert!(differing >= slots, "{language}: the slots differ");
    }
}

#[test]
fn a_recipient_of_another_language_is_refused() {
    let rendition = renditions().remove(0);
    let template = MailTemplate::new(&rendition, &[], &MailConfig::default()).unwrap();
    let other = Language::ALL
        .into_iter()
        .find(|&l| l != rendition.language)
        .unwrap();
    let [amina, _] = recipients(other);
    let refused = template.mail_for(&amina, &Keyring::development(), None, now());
    assert!(refused.is_err());
}

#[test]
fn an_annex_without_a_media_type_is_refused() {
    let rendition = renditions().remove(0);
    let mut annex = annexes(rendition.language).remove(0);
    annex.content_type = "pdf\r\nBcc: x@example.org".into();
    let refused = MailTemplate::new(&rendition, &[annex], &MailConfig::default());
    assert!(refused.unwrap_err().to_string().contains("content type"));
}

// --- DKIM ---------------------------------------------------------------------------------

const DOMAIN: &str = "circulars.itu.example";

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/dkim").join(name)
}

fn signer(algorithm: DkimAlgorithm, key_file: &str) -> DkimSigner {
    DkimSigner::from_file(DOMAIN, algorithm.as_str(), algorithm, &fixture(key_file)).unwrap()
}

/// The TXT record of the selector named like the algorithm, as mail-auth looks it up.
struct Records(HashMap<Box<str>, Txt>);

impl Records {
    fn new(algorithm: DkimAlgorithm, record_file: &str) -> Self {
        let record = std::fs::read_to_string(fixture(record_file)).unwrap();
        let key = DomainKey::parse(record.trim().as_bytes()).unwrap();
        let name = format!("{algorithm}._domainkey.{DOMAIN}.").into_boxed_str();
        Records(HashMap::from([(name, Txt::from(key))]))
    }
}

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

/// What mail-auth says of the one signature of `mail`, with the records given only (the
/// resolver has no name server: nothing is ever queried).
async fn verify(mail: &OutgoingMail, records: &Records) -> DkimResult {
    let authenticator = MessageAuthenticator::new(
        ResolverConfig::from_name_servers(vec![]),
        ResolverOpts::default(),
    )
    .unwrap();
    let message = AuthenticatedMessage::parse(&mail.message).unwrap();
    let outputs = authenticator
        .verify_dkim(Parameters::new(&message).with_txt_cache(records))
        .await;
    assert_eq!(outputs.len(), 1, "one signature");
    outputs[0].result().clone()
}

#[tokio::test]
async fn ed25519_and_rsa_signatures_of_every_language_verify() {
    let config = MailConfig::default();
    let keyring = Keyring::development();
    for (algorithm, key, record, slow) in [
        (
            DkimAlgorithm::Ed25519,
            "ed25519.pkcs8.pem",
            "ed25519.txt-record",
            false,
        ),
        (
            DkimAlgorithm::Rsa,
            "rsa-2048.pkcs8.pem",
            "rsa-2048.txt-record",
            true,
        ),
    ] {
        let signer = signer(algorithm, key);
        assert_eq!(signer.signs_slowly(), slow, "{algorithm}");
        let records = Records::new(algorithm, record);
        for rendition in renditions() {
            let language = rendition.language;
            for annexes in [Vec::new(), annexes(language)] {
                let template = MailTemplate::new(&rendition, &annexes, &config).unwrap();
                for recipient in recipients(language) {
                    let mail = template
                        .mail_for(&recipient, &keyring, Some(&signer), now())
                        .unwrap();
                    assert!(mail.message.starts_with(b"DKIM-Signature: "));
                    check_lines(&mail.message, "signed");
                    assert_eq!(
                        verify(&mail, &records).await,
                        DkimResult::Pass,
                        "{algorithm}, {language}, {} annexes",
                        annexes.len()
                    );
                }
            }
        }
    }
}
