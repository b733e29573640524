//! A recipient reaches their preferences page from any mail: every delivered mail carries a link
//! `<public_base_url>/preferences/<token>` in its plain-text and its HTML part, beside the
//! one-click unsubscribe link, which stays as it was. The token names the delivery (the
//! recipient's address never appears in the URL) and is made for preferences only.

use circulars_core::domain::{CircularId, DeliveryKey, RecipientAddress};
use circulars_core::tokens::{DeliveryRef, Keyring, Purpose, TOKEN_LEN};
use circulars_tests::{on_both_databases, Db, Harness, Mail};

/// Where the links of mails lead (`[mail] public_base_url` of the test configuration).
const PREFERENCES: &str = "https://circulars.itu.example/preferences/";

/// The token of the first preferences link in `part`, and the text after it.
fn preferences_token(part: &str) -> Option<&str> {
    let at = part.find(PREFERENCES)? + PREFERENCES.len();
    part.get(at..at + TOKEN_LEN)
}

/// The token of the https link of `List-Unsubscribe`.
fn one_click_token(mail: &Mail) -> String {
    let header: String = mail
        .list_unsubscribe
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let at = header
        .find("/unsubscribe/")
        .expect("an https unsubscribe link")
        + 13;
    header[at..at + TOKEN_LEN].to_owned()
}

async fn every_mail_links_to_the_recipients_preferences_page_in_both_parts(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    h.import_sample_directory();
    h.draft_sample_circular();
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;

    let mails = h.mails();
    assert!(
        mails.len() > 1,
        "the sample directory has several recipients"
    );
    let keys = Keyring::development();
    let circular: CircularId = "TSB-36".parse().unwrap();
    for mail in &mails {
        let who = &mail.recipient;
        let text = preferences_token(&mail.text).unwrap_or_else(|| {
            panic!(
                "{who}: no preferences link in the text part:\n{}",
                mail.text
            )
        });
        let html = preferences_token(&mail.html).unwrap_or_else(|| {
            panic!(
                "{who}: no preferences link in the HTML part:\n{}",
                mail.html
            )
        });
        assert_eq!(text, html, "{who}: one link in both parts");
        assert!(
            mail.html.contains(&format!(
                "<a href=\"{PREFERENCES}{html}\">{PREFERENCES}{html}</a>"
            )),
            "{who}: the HTML link can be followed:\n{}",
            mail.html
        );
        let verified = keys.verify(text).expect("a token signed by our keys");
        assert_eq!(verified.purpose, Purpose::Preferences, "{who}");
        let address = RecipientAddress::parse(who).unwrap();
        assert_eq!(
            verified.delivery,
            DeliveryRef::of(&DeliveryKey::new(circular.clone(), address.clone())),
            "{who}: the token names this delivery"
        );
        let local = address.as_str().split('@').next().unwrap();
        let link = format!("{PREFERENCES}{text}");
        assert!(!link.contains(local), "{who}: no address in {link}");

        // The one-click link is still there, in the header and the footer, and is another token.
        let one_click = one_click_token(mail);
        assert_eq!(
            keys.verify(&one_click).unwrap().purpose,
            Purpose::Unsubscribe,
            "{who}"
        );
        assert_ne!(one_click, text, "{who}");
        for part in [&mail.text, &mail.html] {
            assert!(
                part.contains(&format!("/unsubscribe/{one_click}")),
                "{who}: the one-click link stays in the footer:\n{part}"
            );
        }
        assert_eq!(mail.list_unsubscribe_post, "List-Unsubscribe=One-Click");
    }
}

on_both_databases!(every_mail_links_to_the_recipients_preferences_page_in_both_parts);
