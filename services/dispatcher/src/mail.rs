//! Building one mail from a stored language version and the recipient's personal fields.

use circulars_shared::config::MailConfig;
use circulars_shared::domain::{CircularId, Language, Recipient};
use circulars_shared::store::Rendition;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use sha2::{Digest, Sha256};

/// Why a mail could not be built (bad configuration or a stored value that is not an address).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the mail: {0}")]
pub struct MailError(String);

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

/// The `Message-ID` of a delivery: the same for every attempt, so a receiver can recognise
/// the one duplicate a crash may cause.
pub fn message_id(circular: &CircularId, recipient: &Recipient, domain: &str) -> String {
    let digest = Sha256::digest(recipient.address.as_str().as_bytes());
    let hash: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("<{circular}.{hash}@{domain}>")
}

/// Builds the mail for `recipient` from the `rendition` in their language.
pub fn build(
    rendition: &Rendition,
    recipient: &Recipient,
    config: &MailConfig,
) -> Result<Message, MailError> {
    let from_address = config
        .from
        .parse()
        .map_err(|e| MailError(format!("mail.from '{}': {e}", config.from)))?;
    let to_address = recipient
        .address
        .as_str()
        .parse()
        .map_err(|e| MailError(format!("recipient '{}': {e}", recipient.address)))?;
    let (text, html) = rendition.personalise(recipient.addressee.name());
    Message::builder()
        .from(Mailbox::new(
            Some(rendition.sender_name.clone()),
            from_address,
        ))
        .to(Mailbox::new(Some(recipient.name.clone()), to_address))
        .subject(rendition.subject.clone())
        .message_id(Some(message_id(
            &rendition.circular,
            recipient,
            &config.message_id_domain,
        )))
        .header(ContentLanguage(recipient.language))
        .multipart(MultiPart::alternative_plain_html(text, html))
        .map_err(|e| MailError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use circulars_shared::domain::RecipientAddress;

    fn recipient() -> Recipient {
        Recipient {
            address: RecipientAddress::parse("amina@Example.org").unwrap(),
            name: "Amina Diallo".into(),
            language: Language::Fr,
            addressee: "Administration de <Freedonie>".parse().unwrap(),
        }
    }

    #[test]
    fn the_mail_is_utf8_with_language_message_id_and_personal_parts() {
        let rendition = Rendition {
            circular: "TSB-36".parse().unwrap(),
            language: Language::Fr,
            subject: "Circulaire TSB 36: Invitation à participer".into(),
            sender_name: "Bureau de la normalisation".into(),
            text_body: "Objet: Invitation\nPour {{addressee}}.\n".into(),
            html_body: "<p>Pour {{addressee}}.</p>".into(),
        };
        let mail = build(&rendition, &recipient(), &MailConfig::default()).unwrap();
        let raw = String::from_utf8(mail.formatted()).unwrap();
        assert!(raw.contains("Content-Language: fr\r\n"), "{raw}");
        assert!(raw.contains("Message-ID: <TSB-36."), "{raw}");
        assert!(
            raw.contains("To: \"Amina Diallo\" <amina@example.org>"),
            "{raw}"
        );
        assert!(
            raw.contains("=?utf-8?"),
            "a non-ASCII subject is RFC 2047 encoded: {raw}"
        );
        assert!(
            raw.contains("Administration de &lt;Freedonie&gt;"),
            "the HTML part escapes personal fields"
        );
        assert_eq!(
            message_id(&rendition.circular, &recipient(), "x.example"),
            message_id(&rendition.circular, &recipient(), "x.example"),
            "stable across attempts"
        );
    }
}
