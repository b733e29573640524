//! Helpers shared by the dispatcher's test files.
#![allow(clippy::unwrap_used)] // test helpers: a failed unwrap is a failed test

use lettre::message::Mailbox;
use lettre::Message;

/// A short mail from the secretariat to `to`.
pub fn mail(to: &str) -> Message {
    Message::builder()
        .from("tsb@itu.example".parse::<Mailbox>().unwrap())
        .to(to.parse::<Mailbox>().unwrap())
        .subject("TSB Circular 36")
        .body(String::from("Dear Sir/Madam,"))
        .unwrap()
}
