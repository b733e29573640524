//! One language version of a circular as rendered once: the bodies with the recipient's parts
//! left as slots, filled in per recipient.

use super::{CircularId, Language};

/// Where a rendition's bodies hold the recipient's addressee (organisation); the dispatcher
/// fills it in per recipient (escaped for HTML), so each language is rendered only once.
pub const ADDRESSEE_SLOT: &str = "{{addressee}}";

/// Where a rendition's bodies hold the recipient's one-click unsubscribe URL.
pub const UNSUBSCRIBE_SLOT: &str = "{{unsubscribe}}";

/// One language version of a circular, ready to be personalised and sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    /// The circular.
    pub circular: CircularId,
    /// The language.
    pub language: Language,
    /// The mail's subject.
    pub subject: String,
    /// The display name of `From:` in this language.
    pub sender_name: String,
    /// The `Reply-To` address (the circular's contact).
    pub reply_to: String,
    /// The text/plain part.
    pub text_body: String,
    /// The text/html part.
    pub html_body: String,
}

impl Rendition {
    /// The text and HTML bodies for one recipient: the addressee and unsubscribe slots filled in.
    pub fn personalise(&self, addressee: &str, unsubscribe_url: &str) -> (String, String) {
        (
            self.text_body
                .replace(ADDRESSEE_SLOT, addressee)
                .replace(UNSUBSCRIBE_SLOT, unsubscribe_url),
            self.html_body
                .replace(ADDRESSEE_SLOT, &escape_html(addressee))
                .replace(UNSUBSCRIBE_SLOT, &escape_html(unsubscribe_url)),
        )
    }
}

/// Escapes text for HTML content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
