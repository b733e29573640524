//! Building one mail from a stored language version, its annexes and the recipient's personal
//! fields: the standard headers of a list mail (RFC 2369, 2919, 8058), an envelope sender that
//! carries a signed token (VERP), and a DKIM signature when configured.
//!
//! [`MailTemplate`] encodes a language's mail once and splices each recipient's fields into it
//! (`mail/template.rs` says how): the mail the dispatcher sends, test copies and previews are.
//! [`build`] makes the same mail whole with lettre, as every mail was made before the template:
//! the service no longer calls it; it stays as the reference the template is checked against
//! (`tests/mail_template.rs`: the same decoded headers and bodies) and measured against
//! (`benches/per_recipient.rs`), written by a maintained crate rather than by us. The two
//! decode to the same headers but are not encoded alike: lettre fills each RFC 2047 encoded
//! word to the end of its line and so cuts words in two, where the template splits a display
//! name or a subject only between words (`encoded_words`); only the template's mails are sent.
//!
//! # Layout
//! - `template`: [`MailTemplate`], the mail of one language with the recipient's fields as slots
//! - `body`: a text body encoded once around its slots, in quoted-printable or base64
//! - `quoted`, `base64`: the two encodings, piece by piece
//! - `fields`: header fields (unstructured text, mailboxes, an annex's file name)
//! - `encoded_words`: RFC 2047 encoded words that each hold whole words of the text

mod base64;
mod body;
mod encoded_words;
mod fields;
mod quoted;
mod template;

pub use template::MailTemplate;

use crate::dkim::{DkimError, DkimSigner};
use circulars_core::config::MailConfig;
use circulars_core::domain::{Annex, PersonalLinks, Rendition};
use circulars_core::domain::{DeliveryKey, Language, Recipient};
use circulars_core::tokens::{message_id, return_address, Keyring, Purpose, Token};
use lettre::address::Envelope;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Body, Mailbox, MultiPart};
use lettre::{Address, Message};

/// Why a mail could not be built.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Bad configuration or a stored value that is not an address or a content type.
    #[error("cannot build the mail: {0}")]
    Invalid(String),
    /// The DKIM signature could not be made.
    #[error("cannot build the mail: {0}")]
    Dkim(#[from] DkimError),
}

/// What every mail of a dispatcher shares: addresses, token keys and the DKIM signer.
#[derive(Debug, Clone, Copy)]
pub struct MailSettings<'a> {
    /// `[mail]` of the configuration.
    pub config: &'a MailConfig,
    /// The keys of envelope and unsubscribe tokens.
    pub keyring: &'a Keyring,
    /// The signer, when DKIM is on.
    pub dkim: Option<&'a DkimSigner>,
}

macro_rules! text_header {
    ($(#[$doc:meta])* $name:ident, $header:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(pub String);

        impl Header for $name {
            fn name() -> HeaderName {
                HeaderName::new_from_ascii_str($header)
            }

            fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
                Ok($name(s.trim().to_owned()))
            }

            fn display(&self) -> HeaderValue {
                HeaderValue::new(Self::name(), self.0.clone())
            }
        }
    };
}

text_header!(
    /// `List-Id` (RFC 2919): which list the mail belongs to.
    ListId,
    "List-Id"
);
text_header!(
    /// `List-Unsubscribe` (RFC 2369): the https and mailto ways out.
    ListUnsubscribe,
    "List-Unsubscribe"
);
text_header!(
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
    ListUnsubscribePost,
    "List-Unsubscribe-Post"
);

/// The `Content-Language` header (RFC 3282).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentLanguage(pub Language);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ContentLanguage(s.trim().parse()?))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.code().to_owned())
    }
}

/// The one-click unsubscribe link of a delivery.
pub fn unsubscribe_url(config: &MailConfig, keyring: &Keyring, key: &DeliveryKey) -> String {
    link(
        &config.public_base_url,
        Purpose::Unsubscribe,
        &keyring.sign(key, Purpose::Unsubscribe),
    )
}

/// The link to the recipient's preferences page of a delivery.
pub fn preferences_url(config: &MailConfig, keyring: &Keyring, key: &DeliveryKey) -> String {
    link(
        &config.public_base_url,
        Purpose::Preferences,
        &keyring.sign(key, Purpose::Preferences),
    )
}

/// `<public base URL>/<purpose>/<token>`: `/unsubscribe/…` or `/preferences/…`.
fn link(public_base_url: &str, purpose: Purpose, token: &Token) -> String {
    format!(
        "{}/{purpose}/{token}",
        public_base_url.trim_end_matches('/')
    )
}

/// The envelope sender of a delivery, `bounce+<token>@<return domain>` (VERP), so a bounce names
/// the delivery it is about.
pub fn return_path(config: &MailConfig, keyring: &Keyring, key: &DeliveryKey) -> String {
    return_address(
        Purpose::Bounce,
        &keyring.sign(key, Purpose::Bounce),
        &config.return_domain,
    )
}

/// An annex ready to attach: its content already transfer-encoded, so each mail only copies it.
#[derive(Debug, Clone)]
pub struct PreparedAnnex {
    file_name: String,
    content_type: ContentType,
    body: Body,
}

/// Encodes a language's annexes once, for all its recipients.
pub fn prepare_annexes(annexes: &[Annex]) -> Result<Vec<PreparedAnnex>, MailError> {
    annexes
        .iter()
        .map(|annex| {
            let content_type = ContentType::parse(&annex.content_type).map_err(|e| {
                MailError::Invalid(format!(
                    "annex {}: content type {}: {e}",
                    annex.file_name, annex.content_type
                ))
            })?;
            Ok(PreparedAnnex {
                file_name: annex.file_name.clone(),
                content_type,
                body: Body::new(annex.content.clone()),
            })
        })
        .collect()
}

/// Builds the mail for `recipient` from the `rendition` and `annexes` of their language, whole,
/// with lettre: the reference [`MailTemplate`] is checked and measured against.
pub fn build(
    rendition: &Rendition,
    annexes: &[PreparedAnnex],
    recipient: &Recipient,
    settings: MailSettings<'_>,
) -> Result<Message, MailError> {
    let config = settings.config;
    let address = |what: &str, value: &str| {
        value
            .parse::<Address>()
            .map_err(|e| MailError::Invalid(format!("{what} '{value}': {e}")))
    };
    let key = DeliveryKey::new(rendition.circular.clone(), recipient.address.clone());
    let from = address("mail.from", &config.from)?;
    let to = address("recipient", recipient.address.as_str())?;
    let reply_to = address("reply-to (the circular's contact)", &rendition.reply_to)?;
    let envelope_from = address(
        "envelope sender",
        &return_path(config, settings.keyring, &key),
    )?;
    let envelope = Envelope::new(Some(envelope_from), vec![to.clone()])
        .map_err(|e| MailError::Invalid(e.to_string()))?;
    let unsubscribe_token = settings.keyring.sign(&key, Purpose::Unsubscribe);
    let unsubscribe = link(
        &config.public_base_url,
        Purpose::Unsubscribe,
        &unsubscribe_token,
    );
    let preferences = preferences_url(config, settings.keyring, &key);
    let links = PersonalLinks {
        unsubscribe: &unsubscribe,
        preferences: &preferences,
    };
    let (text, html) = rendition.personalise(recipient.addressee.name(), links);

    let alternative = MultiPart::alternative_plain_html(text, html);
    let body = if annexes.is_empty() {
        alternative
    } else {
        let mut mixed = MultiPart::mixed().multipart(alternative);
        for annex in annexes {
            mixed = mixed.singlepart(
                Attachment::new(annex.file_name.clone())
                    .body(annex.body.clone(), annex.content_type.clone()),
            );
        }
        mixed
    };
    let mut mail = Message::builder()
        .from(Mailbox::new(Some(rendition.sender_name.clone()), from))
        .reply_to(Mailbox::new(None, reply_to))
        .to(Mailbox::new(Some(recipient.name.clone()), to))
        .subject(rendition.subject.clone())
        .message_id(Some(format!(
            "<{}>",
            message_id(&key, &config.message_id_domain)
        )))
        .header(ContentLanguage(recipient.language))
        .header(ListId(format!("<{}>", config.list_id)))
        .header(ListUnsubscribe(format!(
            "<{unsubscribe}>, <mailto:{}?subject=unsubscribe>",
            return_address(
                Purpose::Unsubscribe,
                &unsubscribe_token,
                &config.return_domain
            )
        )))
        .header(ListUnsubscribePost("List-Unsubscribe=One-Click".into()))
        .envelope(envelope)
        .multipart(body)
        .map_err(|e| MailError::Invalid(e.to_string()))?;
    if let Some(signer) = settings.dkim {
        signer.sign(&mut mail)?;
    }
    Ok(mail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_core::domain::RecipientAddress;

    fn recipient() -> Recipient {
        Recipient {
            address: RecipientAddress::parse("amina@Example.org").unwrap(),
            name: "Amina Diallo".into(),
            language: Language::Fr,
            addressee: "Administration de <Freedonie>".parse().unwrap(),
        }
    }

    fn rendition() -> Rendition {
        Rendition {
            circular: "TSB-36".parse().unwrap(),
            language: Language::Fr,
            subject: "Circulaire TSB 36: Invitation à participer".into(),
            sender_name: "Bureau de la normalisation".into(),
            reply_to: "ai-calls@itu.example".into(),
            text_body: "Objet: Invitation\nPour {{addressee}}.\nDésabonnement: {{unsubscribe}}\n"
                .into(),
            html_body: "<p>Pour {{addressee}}. <a href=\"{{unsubscribe}}\">x</a></p>".into(),
        }
    }

    #[test]
    fn the_mail_has_the_headers_of_a_list_mail_and_a_verp_envelope() {
        let config = MailConfig::default();
        let keyring = Keyring::development();
        let settings = MailSettings {
            config: &config,
            keyring: &keyring,
            dkim: None,
        };
        let annex = Annex {
            position: 1,
            language: Language::Fr,
            file_name: "annex1.pdf".into(),
            source: "annex1.fr.pdf".into(),
            content_type: "application/pdf".into(),
            content: b"%PDF-1.4".to_vec(),
        };
        let annexes = prepare_annexes(&[annex]).unwrap();
        let mail = build(&rendition(), &annexes, &recipient(), settings).unwrap();
        let raw = String::from_utf8(mail.formatted()).unwrap();
        for header in [
            "Content-Language: fr\r\n",
            "Message-ID: <TSB-36.",
            "To: \"Amina Diallo\" <amina@example.org>",
            "Reply-To: ai-calls@itu.example\r\n",
            "List-Id: <tsb-circulars.itu.example>\r\n",
            "List-Unsubscribe: <https://circulars.itu.example/unsubscribe/",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
            "Content-Type: multipart/mixed",
            "Content-Type: application/pdf",
            "filename=\"annex1.pdf\"",
        ] {
            assert!(raw.contains(header), "missing {header:?} in:\n{raw}");
        }
        assert!(
            raw.contains("=?utf-8?"),
            "a non-ASCII subject is RFC 2047 encoded"
        );
        let key = DeliveryKey::new("TSB-36".parse().unwrap(), recipient().address);
        let envelope_from = mail.envelope().from().unwrap().to_string();
        assert_eq!(envelope_from, return_path(&config, &keyring, &key));
        let token = envelope_from
            .strip_prefix("bounce+")
            .unwrap()
            .split('@')
            .next()
            .unwrap();
        let verified = keyring.verify(token).unwrap();
        assert_eq!(verified.purpose, Purpose::Bounce);
        assert!(
            envelope_from.split('@').next().unwrap().len() <= 64,
            "fits a local part"
        );
        assert!(raw.contains(&unsubscribe_url(&config, &keyring, &key)));
    }
}
