//! A circular previewed before it is issued: its six language versions exactly as a recipient
//! gets them (rendered, personalised, built into the mail with its annexes), and the same six
//! sent as test copies through the relays. One function for the CLI's `preview` (a circular
//! file and the annexes beside it) and the gateway's preview and "send me a test copy" (a
//! stored circular and its stored annexes, [`crate::annexes::stored_annexes`]).

use circulars_core::config::Config;
use circulars_core::domain::{
    AddressError, Addressee, Annex, BadAddressee, Circular, DeliveryKey, Language, OutgoingMail,
    PersonalLinks, Recipient, RecipientAddress, Rendition, SmtpReply,
};
use circulars_core::tokens::TokenError;
use circulars_relays::{Relays, SendError};
use circulars_render::dkim::DkimError;
use circulars_render::mail::{self, MailError, MailTemplate};
use circulars_render::render::{render, RenderError};
use circulars_render::templates::{TemplateError, Templates};

/// What marks a test copy's subject, so nobody mistakes it for the circular issued.
pub const TEST_COPY_MARK: &str = "[TEST COPY]";

/// The organisation a preview is addressed to, in the addressee slot.
pub const SAMPLE_ADDRESSEE: &str = "Administration of Freedonia";

/// Why a preview could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// The wording files compiled into this build are broken.
    #[error(transparent)]
    Wording(#[from] TemplateError),
    /// The `[tokens]` keys that sign the unsubscribe link and the envelope sender are unusable.
    #[error(transparent)]
    Tokens(#[from] TokenError),
    /// The DKIM key could not be read.
    #[error(transparent)]
    Dkim(#[from] DkimError),
    /// A language version could not be rendered (a body the renderer refuses, a missing text).
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A language version's mail could not be built (an address or an annex's content type).
    #[error("{language}: {source}")]
    Mail {
        /// The language version.
        language: Language,
        /// What the mail builder said.
        source: MailError,
    },
    /// The sample recipient's address was refused (a preview's own address, never the user's).
    #[error("the sample recipient: {0}")]
    SampleAddress(#[from] AddressError),
    /// The sample recipient's organisation was refused.
    #[error("the sample recipient: {0}")]
    SampleAddressee(#[from] BadAddressee),
}

impl PreviewError {
    /// A stable code for the API's JSON errors and the pages: `invalid` when the circular or
    /// its annexes are at fault, `internal` otherwise.
    pub fn code(&self) -> &'static str {
        match self {
            PreviewError::Render(RenderError::Template(_)) => "internal",
            PreviewError::Render(_) | PreviewError::Mail { .. } => "invalid",
            PreviewError::Wording(_)
            | PreviewError::Tokens(_)
            | PreviewError::Dkim(_)
            | PreviewError::SampleAddress(_)
            | PreviewError::SampleAddressee(_) => "internal",
        }
    }
}

/// One language version as its recipient gets it.
#[derive(Debug, Clone)]
pub struct Version {
    /// The language.
    pub language: Language,
    /// The rendition, its two personal slots still open; `subject` is marked on a test copy.
    pub rendition: Rendition,
    /// The HTML body with the addressee and the unsubscribe link filled in.
    pub html: String,
    /// The plain-text body, filled in alike.
    pub text: String,
    /// The mail as the dispatcher sends it, spliced from the language's [`MailTemplate`] with
    /// its annexes, signed when DKIM is on: what a test copy sends and what `circulars preview
    /// --out` writes as `<language>.eml`.
    pub mail: OutgoingMail,
}

/// What sending one language's test copy gave.
#[derive(Debug)]
pub struct TestCopySent {
    /// The language.
    pub language: Language,
    /// The relay it went through (or was refused by).
    pub relay: String,
    /// The relay's reply, or why the copy was not sent.
    pub reply: Result<SmtpReply, SendError>,
}

impl TestCopySent {
    /// The reply code of an accepted copy (250); `None` when it was not sent.
    pub fn code(&self) -> Option<u16> {
        self.reply.as_ref().ok().map(|r| r.code)
    }
}

/// The six versions of `circular` with its `annexes` (every language's; each version takes its
/// own), addressed to a sample recipient in each language, or to `test_copy_to` with the
/// subject marked [`TEST_COPY_MARK`]. Tokens are signed with the configured keys (the public
/// development key when none are: callers may say so).
pub fn versions(
    config: &Config,
    circular: &Circular,
    annexes: &[Annex],
    test_copy_to: Option<&RecipientAddress>,
) -> Result<Vec<Version>, PreviewError> {
    let templates = Templates::embedded()?;
    let keyring = config.tokens.keyring()?;
    let dkim = circulars_render::dkim_signer(config)?;
    let addressee = Addressee::parse(SAMPLE_ADDRESSEE)?;
    let mut out = Vec::with_capacity(Language::ALL.len());
    for language in Language::ALL {
        let mut rendition = render(&templates, circular, language)?;
        let address = match test_copy_to {
            Some(to) => {
                rendition.subject = format!("{TEST_COPY_MARK} {}", rendition.subject);
                to.clone()
            }
            None => RecipientAddress::parse(&format!("preview.{language}@example.org"))?,
        };
        let recipient = Recipient {
            address,
            name: "Sample Recipient".into(),
            language,
            addressee: addressee.clone(),
        };
        let own: Vec<Annex> = annexes
            .iter()
            .filter(|a| a.language == language)
            .cloned()
            .collect();
        let failed = |source| PreviewError::Mail { language, source };
        let template = MailTemplate::new(&rendition, &own, &config.mail).map_err(failed)?;
        let mail = template
            .mail_for(&recipient, &keyring, dkim.as_ref(), chrono::Utc::now())
            .map_err(failed)?;
        let key = DeliveryKey::new(circular.id.clone(), recipient.address.clone());
        let unsubscribe = mail::unsubscribe_url(&config.mail, &keyring, &key);
        let preferences = mail::preferences_url(&config.mail, &keyring, &key);
        let links = PersonalLinks {
            unsubscribe: &unsubscribe,
            preferences: &preferences,
        };
        let (text, html) = rendition.personalise(recipient.addressee.name(), links);
        out.push(Version {
            language,
            rendition,
            html,
            text,
            mail,
        });
    }
    Ok(out)
}

/// Sends the six versions of `circular` to `to` through `relays`, each marked as a test copy,
/// one after the other; every language is tried, and its outcome returned in the order of
/// [`Language::ALL`]. Nothing is recorded: a test copy is no delivery.
pub async fn send_test_copies(
    config: &Config,
    relays: &Relays,
    circular: &Circular,
    annexes: &[Annex],
    to: &RecipientAddress,
) -> Result<Vec<TestCopySent>, PreviewError> {
    let mut sent = Vec::with_capacity(Language::ALL.len());
    for version in versions(config, circular, annexes, Some(to))? {
        let outcome = relays.send(&version.mail).await;
        sent.push(TestCopySent {
            language: version.language,
            relay: outcome.relay,
            reply: outcome.result,
        });
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MimeHeaders;

    fn sample() -> (Config, Circular) {
        let text = include_str!("../../../samples/circulars/tsb-36.toml");
        let circular = Circular::from_toml("tsb-36.toml", text).unwrap();
        (Config::from_sources(None, Vec::new()).unwrap(), circular)
    }

    /// One annex, in French only: the French version carries it, no other.
    fn french_annex() -> Annex {
        Annex {
            position: 1,
            language: Language::Fr,
            file_name: "annexe-1.pdf".into(),
            source: "annexe-1.fr.pdf".into(),
            content_type: "application/pdf".into(),
            content: b"%PDF-1.4 fr".to_vec(),
        }
    }

    /// The mail as parsed by a reader's mail parser.
    fn parsed(mail: &OutgoingMail) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(&mail.message)
            .expect("the mail parses")
    }

    #[test]
    fn the_sample_previews_in_six_versions_one_per_language_each_with_its_own_annexes() {
        let (config, circular) = sample();
        let versions = versions(&config, &circular, &[french_annex()], None).unwrap();
        let languages: Vec<Language> = versions.iter().map(|v| v.language).collect();
        assert_eq!(languages, Language::ALL);
        for v in &versions {
            let code = v.language.code();
            let mail = parsed(&v.mail);
            let to = mail.to().and_then(|to| to.first()).expect("To");
            assert_eq!(to.name(), Some("Sample Recipient"), "{code}");
            assert_eq!(
                to.address(),
                Some(format!("preview.{code}@example.org").as_str())
            );
            assert!(!v.rendition.subject.starts_with(TEST_COPY_MARK), "{code}");
            assert!(
                v.html.contains(SAMPLE_ADDRESSEE),
                "{code}: addressee filled in"
            );
            assert!(v.text.contains("/unsubscribe/"), "{code}: unsubscribe link");
            let expected = usize::from(v.language == Language::Fr);
            let annexes: Vec<_> = mail
                .attachments()
                .filter_map(|a| a.attachment_name())
                .collect();
            assert_eq!(annexes.len(), expected, "{code}: annexes {annexes:?}");
            assert!(annexes.iter().all(|name| *name == "annexe-1.pdf"));
            let eml = String::from_utf8_lossy(&v.mail.message);
            assert!(
                eml.contains(&format!("Content-Language: {code}\r\n")),
                "{code}"
            );
            assert_eq!(v.mail.recipient, format!("preview.{code}@example.org"));
        }
    }

    #[test]
    fn a_test_copy_goes_to_the_address_given_with_its_subject_marked() {
        let (config, circular) = sample();
        let to = RecipientAddress::parse("reviewer@itu.example").unwrap();
        let versions = versions(&config, &circular, &[], Some(&to)).unwrap();
        assert_eq!(versions.len(), 6);
        for v in &versions {
            let mail = parsed(&v.mail);
            let subject = mail.subject().unwrap();
            assert!(subject.starts_with("[TEST COPY] "), "{subject}");
            assert_eq!(subject, v.rendition.subject);
            let to = mail.to().and_then(|to| to.first()).expect("To");
            assert_eq!(to.address(), Some("reviewer@itu.example"));
            assert_eq!(v.mail.recipient, "reviewer@itu.example");
        }
    }
}
