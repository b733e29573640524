//! [`MailTemplate`]: the mail of one language version of a circular, encoded once for all its
//! recipients, with the recipient's fields left as slots; per recipient it is spliced together
//! and, when DKIM is on, signed.
//!
//! # What is encoded once and what per recipient
//! Once per language: `From` (the language's display name), `Reply-To`, `Subject` (RFC 2047),
//! `MIME-Version`, `Content-Language`, `List-Id`, `List-Unsubscribe-Post`, the multipart
//! structure, both bodies around their slots, and the annexes (base64). Per recipient: `To`,
//! `Date`, `Message-ID`, `List-Unsubscribe`, the three body slots (the addressee, the
//! unsubscribe and preferences links, HTML-escaped in the HTML part as
//! [`Rendition::personalise`] does) and the envelope sender (VERP). Line ends are CRLF from the
//! start: the rendition's LF line ends are turned into CRLF once, when the template is made.
//!
//! # Why the encodings splice
//! A text body goes out in quoted-printable or base64, whichever is shorter for it: the mostly
//! ASCII bodies (English, French, Spanish) in quoted-printable, the mostly non-ASCII ones
//! (Arabic, Chinese, Russian) in base64, where quoted-printable would triple each byte. Either
//! is encoded once around the slots. Quoted-printable pieces are encoded on their own, from the
//! start of a line and ending with a soft line break, so a slot's value, encoded alike, drops
//! between them (`quoted`). Base64 pieces are encoded from each of the three positions a group
//! of three bytes can start at, and the bytes around a slot are encoded per recipient
//! (`base64`). Both give lines of at most 76 characters. The `Content-Transfer-Encoding` of a
//! part and the boundaries (`=_` cannot occur in either encoding) are fixed per template.
//!
//! This is written by hand because no mail crate splices into an encoded body: lettre and
//! mail-builder encode a whole body per message, which is the cost this replaces (about a
//! dozen passes over 20–35 KB per recipient, a `\r` inserted byte by byte).

use super::body::{Body, Values};
use super::{fields, link, MailError};
use crate::dkim::DkimSigner;
use circulars_core::config::MailConfig;
use circulars_core::domain::{
    escape_html, Annex, CircularId, DeliveryKey, Language, OutgoingMail, Recipient, Rendition,
};
use circulars_core::tokens::{message_id, return_address, Keyring, Purpose};
use data_encoding::BASE64;

/// The boundary of the text and HTML alternatives. `=_` occurs in neither quoted-printable nor
/// base64, so no encoded part can hold it.
const ALTERNATIVE: &str = "=_circulars-alternative";

/// The boundary of the body and its annexes.
const MIXED: &str = "=_circulars-mixed";

/// The mail of one language version, encoded once; [`MailTemplate::mail_for`] makes each
/// recipient's.
#[derive(Debug, Clone)]
pub struct MailTemplate {
    circular: CircularId,
    language: Language,
    /// `mail.public_base_url`, without its final `/`.
    base_url: String,
    return_domain: String,
    message_id_domain: String,
    /// The header fields every recipient gets alike.
    head: Vec<u8>,
    /// From the top-level `Content-Type` to the blank line before the text body.
    before_text: Vec<u8>,
    text: Body,
    /// From the end of the text body to the blank line before the HTML body.
    before_html: Vec<u8>,
    html: Body,
    /// From the end of the HTML body to the end of the mail: the annexes, the last boundaries.
    after_html: Vec<u8>,
}

impl MailTemplate {
    /// Encodes the mail of `rendition` with its language's `annexes` (attached in the order
    /// given), addressed and linked as `config` says.
    pub fn new(
        rendition: &Rendition,
        annexes: &[Annex],
        config: &MailConfig,
    ) -> Result<Self, MailError> {
        let from = address("mail.from", &config.from)?;
        let reply_to = address("reply-to (the circular's contact)", &rendition.reply_to)?;
        let list_id = header_text("mail.list_id", &config.list_id)?;
        header_text("mail.public_base_url", &config.public_base_url)?;
        address("mail.return_domain", &format!("x@{}", config.return_domain))?;
        address(
            "mail.message_id_domain",
            &format!("x@{}", config.message_id_domain),
        )?;

        let mut head = Vec::with_capacity(1024);
        fields::mailbox(&mut head, "From", &rendition.sender_name, from);
        fields::raw(&mut head, "Reply-To", reply_to);
        fields::unstructured(&mut head, "Subject", &rendition.subject);
        fields::raw(&mut head, "MIME-Version", "1.0");
        fields::raw(&mut head, "Content-Language", rendition.language.code());
        fields::raw(&mut head, "List-Id", &format!("<{list_id}>"));
        fields::raw(
            &mut head,
            "List-Unsubscribe-Post",
            "List-Unsubscribe=One-Click",
        );

        let text = Body::new(&rendition.text_body);
        let html = Body::new(&rendition.html_body);
        let alternative = format!("multipart/alternative; boundary=\"{ALTERNATIVE}\"");
        let mut before_text = Vec::with_capacity(512);
        if annexes.is_empty() {
            fields::raw(&mut before_text, "Content-Type", &alternative);
            before_text.extend_from_slice(b"\r\n");
        } else {
            let mixed = format!("multipart/mixed; boundary=\"{MIXED}\"");
            fields::raw(&mut before_text, "Content-Type", &mixed);
            before_text.extend_from_slice(format!("\r\n--{MIXED}\r\n").as_bytes());
            fields::raw(&mut before_text, "Content-Type", &alternative);
            before_text.extend_from_slice(b"\r\n");
        }
        before_text.extend_from_slice(format!("--{ALTERNATIVE}\r\n").as_bytes());
        part_head(&mut before_text, "text/plain", &text);
        let mut before_html = format!("\r\n--{ALTERNATIVE}\r\n").into_bytes();
        part_head(&mut before_html, "text/html", &html);
        let mut after_html = format!("\r\n--{ALTERNATIVE}--\r\n").into_bytes();
        if !annexes.is_empty() {
            for annex in annexes {
                attach(&mut after_html, annex)?;
            }
            after_html.extend_from_slice(format!("\r\n--{MIXED}--\r\n").as_bytes());
        }
        Ok(MailTemplate {
            circular: rendition.circular.clone(),
            language: rendition.language,
            base_url: config.public_base_url.trim_end_matches('/').to_owned(),
            return_domain: config.return_domain.clone(),
            message_id_domain: config.message_id_domain.clone(),
            head,
            before_text,
            text,
            before_html,
            html,
            after_html,
        })
    }

    /// The language of the mail.
    pub fn language(&self) -> Language {
        self.language
    }

    /// The mail for `recipient`, a reader of the template's language: the template with their
    /// fields spliced in, dated `now`, signed with `dkim` when given, and its VERP envelope.
    pub fn mail_for(
        &self,
        recipient: &Recipient,
        keyring: &Keyring,
        dkim: Option<&DkimSigner>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<OutgoingMail, MailError> {
        if recipient.language != self.language {
            return Err(MailError::Invalid(format!(
                "the {} mail of {} cannot go to {}, who reads {}",
                self.language,
                self.circular,
                recipient.address.masked(),
                recipient.language
            )));
        }
        let to = recipient.address.as_str();
        let key = DeliveryKey::new(self.circular.clone(), recipient.address.clone());
        let unsubscribe_token = keyring.sign(&key, Purpose::Unsubscribe);
        let unsubscribe = link(&self.base_url, Purpose::Unsubscribe, &unsubscribe_token);
        let preferences = link(
            &self.base_url,
            Purpose::Preferences,
            &keyring.sign(&key, Purpose::Preferences),
        );
        let return_path = return_address(
            Purpose::Bounce,
            &keyring.sign(&key, Purpose::Bounce),
            &self.return_domain,
        );

        let mut out = Vec::with_capacity(self.len_estimate());
        out.extend_from_slice(&self.head);
        fields::mailbox(&mut out, "To", &recipient.name, to);
        let date = now.format("%a, %d %b %Y %H:%M:%S +0000").to_string();
        fields::raw(&mut out, "Date", &date);
        let id = message_id(&key, &self.message_id_domain);
        fields::raw(&mut out, "Message-ID", &format!("<{id}>"));
        let mailto = return_address(
            Purpose::Unsubscribe,
            &unsubscribe_token,
            &self.return_domain,
        );
        out.extend_from_slice(b"List-Unsubscribe: <");
        out.extend_from_slice(unsubscribe.as_bytes());
        out.extend_from_slice(b">,\r\n <mailto:");
        out.extend_from_slice(mailto.as_bytes());
        out.extend_from_slice(b"?subject=unsubscribe>\r\n");

        let addressee = recipient.addressee.name();
        out.extend_from_slice(&self.before_text);
        let text = Values {
            addressee,
            unsubscribe: &unsubscribe,
            preferences: &preferences,
        };
        self.text.write(&text, &mut out);
        out.extend_from_slice(&self.before_html);
        let (addressee, unsubscribe, preferences) = (
            escape_html(addressee),
            escape_html(&unsubscribe),
            escape_html(&preferences),
        );
        let html = Values {
            addressee: &addressee,
            unsubscribe: &unsubscribe,
            preferences: &preferences,
        };
        self.html.write(&html, &mut out);
        out.extend_from_slice(&self.after_html);

        let message = match dkim {
            None => out,
            Some(signer) => {
                let mut signed = signer.signature_field(&out)?;
                signed.reserve_exact(out.len());
                signed.extend_from_slice(&out);
                signed
            }
        };
        Ok(OutgoingMail {
            return_path,
            recipient: to.to_owned(),
            message,
        })
    }

    /// About the size of one recipient's mail, signature included.
    fn len_estimate(&self) -> usize {
        self.head.len()
            + self.before_text.len()
            + self.text.fixed_len()
            + self.before_html.len()
            + self.html.fixed_len()
            + self.after_html.len()
            + 2048
    }
}

/// The header fields of a text part and the blank line after them.
fn part_head(out: &mut Vec<u8>, media_type: &str, body: &Body) {
    fields::raw(out, "Content-Type", &format!("{media_type}; charset=utf-8"));
    fields::raw(out, "Content-Transfer-Encoding", body.transfer_encoding());
    out.extend_from_slice(b"\r\n");
}

/// Appends an annex as a part of the mixed body: its delimiter, header fields and base64.
fn attach(out: &mut Vec<u8>, annex: &Annex) -> Result<(), MailError> {
    let content_type = annex.content_type.trim();
    let valid = content_type
        .split(';')
        .next()
        .and_then(|media| media.trim().split_once('/'))
        .is_some_and(|(kind, sub)| token(kind) && token(sub))
        && content_type.bytes().all(|b| (b' '..=b'~').contains(&b));
    if !valid {
        return Err(MailError::Invalid(format!(
            "annex {}: content type {}: not a media type",
            annex.file_name, annex.content_type
        )));
    }
    out.extend_from_slice(format!("\r\n--{MIXED}\r\n").as_bytes());
    fields::raw(out, "Content-Type", content_type);
    fields::raw(
        out,
        "Content-Disposition",
        &fields::attachment_disposition(&annex.file_name),
    );
    fields::raw(out, "Content-Transfer-Encoding", "base64");
    out.extend_from_slice(b"\r\n");
    for line in annex.content.chunks(57) {
        out.extend_from_slice(BASE64.encode(line).as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    Ok(())
}

/// Whether `s` is an RFC 2045 token: printable ASCII without spaces or `tspecials`.
fn token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
}

/// Checks an address written into a header as it is: `local@domain`, nothing that would end
/// the field or the angle brackets around it.
fn address<'a>(what: &str, value: &'a str) -> Result<&'a str, MailError> {
    let value = value.trim();
    let well_formed = value
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !value
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "<>()[],;:\"\\".contains(c));
    if well_formed {
        Ok(value)
    } else {
        Err(MailError::Invalid(format!(
            "{what} '{value}' is not an address"
        )))
    }
}

/// Checks a configured value written into a header inside angle brackets.
fn header_text<'a>(what: &str, value: &'a str) -> Result<&'a str, MailError> {
    if value.is_empty()
        || value
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '<' || c == '>')
    {
        Err(MailError::Invalid(format!(
            "{what} '{value}' cannot be written into a header"
        )))
    } else {
        Ok(value)
    }
}
