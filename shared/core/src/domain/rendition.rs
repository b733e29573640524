//! One language version of a circular as rendered once: the bodies with the recipient's parts
//! left as slots, filled in per recipient.

use super::{CircularId, Language};

/// Where a rendition's bodies hold the recipient's addressee (organisation); the dispatcher
/// fills it in per recipient (escaped for HTML), so each language is rendered only once.
pub const ADDRESSEE_SLOT: &str = "{{addressee}}";

/// Where a rendition's bodies hold the recipient's one-click unsubscribe URL.
pub const UNSUBSCRIBE_SLOT: &str = "{{unsubscribe}}";

/// Where a rendition's bodies hold the link to the recipient's preferences page.
pub const PREFERENCES_SLOT: &str = "{{preferences}}";

/// The links of one delivery that its mail carries, filled into a rendition's slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonalLinks<'a> {
    /// The one-click unsubscribe URL (RFC 8058).
    pub unsubscribe: &'a str,
    /// The URL of the recipient's preferences page.
    pub preferences: &'a str,
}

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
    /// The text and HTML bodies for one recipient: the addressee, unsubscribe and preferences
    /// slots filled in. A rendition stored before the preferences slot existed simply has none.
    pub fn personalise(&self, addressee: &str, links: PersonalLinks<'_>) -> (String, String) {
        (
            self.text_body
                .replace(ADDRESSEE_SLOT, addressee)
                .replace(UNSUBSCRIBE_SLOT, links.unsubscribe)
                .replace(PREFERENCES_SLOT, links.preferences),
            self.html_body
                .replace(ADDRESSEE_SLOT, &escape_html(addressee))
                .replace(UNSUBSCRIBE_SLOT, &escape_html(links.unsubscribe))
                .replace(PREFERENCES_SLOT, &escape_html(links.preferences)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personalising_fills_every_slot_and_escapes_html_only_in_the_html_part() {
        let rendition = Rendition {
            circular: "TSB-36".parse().unwrap(),
            language: Language::En,
            subject: "Circular TSB 36".into(),
            sender_name: "TSB".into(),
            reply_to: "tsb@itu.example".into(),
            text_body: format!("For {ADDRESSEE_SLOT}. {UNSUBSCRIBE_SLOT} {PREFERENCES_SLOT}"),
            html_body: format!(
                "<p>For {ADDRESSEE_SLOT}. <a href=\"{UNSUBSCRIBE_SLOT}\">u</a> \
                 <a href=\"{PREFERENCES_SLOT}\">p</a></p>"
            ),
        };
        let links = PersonalLinks {
            unsubscribe: "https://c.example/unsubscribe/u?a&b",
            preferences: "https://c.example/preferences/p?a&b",
        };
        let (text, html) = rendition.personalise("O'Brien & Co", links);
        assert_eq!(
            text,
            "For O'Brien & Co. https://c.example/unsubscribe/u?a&b https://c.example/preferences/p?a&b"
        );
        assert_eq!(
            html,
            "<p>For O&#39;Brien &amp; Co. <a href=\"https://c.example/unsubscribe/u?a&amp;b\">u</a> \
             <a href=\"https://c.example/preferences/p?a&amp;b\">p</a></p>"
        );
    }
}
