//! `circulars-bounce-reports`: reads returned mail (bounces, delay warnings, complaints,
//! auto-replies) into one finding per address, for the tracker's bounce intake.
//!
//! [`parse`] takes the raw message and never fails: it returns a [`Report`] saying what the
//! message is ([`Kind`], [`Form`]), one [`Finding`] per address it names, the Message-ID of our
//! original message and the addresses the report was sent to (our VERP return address among
//! them; the caller verifies the token).
//!
//! Crate map:
//! - `report.rs`: [`parse`], [`Report`], [`Finding`], [`Kind`], [`Form`]; picks the reader for
//!   what the message is, has each finding's reason decided, and bounds the work (the first
//!   256 KiB of a message, 64 KiB of text).
//! - `dsn.rs`: delivery status notifications (RFC 3464, RFC 6533), also when their fields are
//!   pasted into a text.
//! - `arf.rs`: feedback reports (RFC 5965), and Microsoft's forwarded complaints: complaints.
//! - `ses.rs`: Amazon SES notifications (bounce, complaint, delivery) mailed as JSON by SNS.
//! - `forms/`: the plain-text notices of Postfix, Exim, Sendmail (and AOL, ActiveHunter), qmail
//!   (and Yahoo), Exchange and Outlook, Domino, Gmail, the DragonFly Mail Agent, OpenSMTPD,
//!   Zoho, GMX (and 1&1), IMail, Amazon WorkMail, MailFoundry, Trend Micro InterScan, Apache
//!   James, MMS gateways and Smail, one file per family; and of Google Groups, fml, Mimecast,
//!   Lotus Notes, KDDI's au (EZweb) and m-FILTER, whose notices are partly or wholly in
//!   Japanese, German or French; `forms/other.rs` the unnamed MTAs, by their wording.
//! - `status.rs`: [`Status`] (RFC 3463), SMTP reply codes in text, and `kind_of`: the one
//!   place that decides permanent versus temporary.
//! - `phrases.rs`: the words that decide when no code does ("user unknown", "mailbox full").
//! - `reason.rs`: [`Reason`], why an address failed, decided in one place for every finding
//!   from its kind, status and diagnostic words; [`Reason::kills_address`] says which reasons
//!   mean the address itself is dead.
//! - `auto_reply.rs`: out-of-office and vacation replies, which are not bounces.
//! - `returned.rs`: the returned copy of our message: its Message-ID and `To`.
//! - `fields.rs`: the `Name: value` blocks of report parts, unfolded.
//! - `headers.rs`: header values of the parsed message, whatever shape they have.
//! - `address.rs`: bare addresses out of fields, headers and prose.
//! - `text.rs`: bounded slices of text; ISO-2022-JP that came without its charset, decoded.
//!
//! mail-parser reads the MIME structure; everything about reports is written here by hand.
//! `parse` runs it on a thread of its own whose stack fits the input (mail-parser recurses into
//! nested messages), and answers `Unknown` should that thread panic.

mod address;
mod arf;
mod auto_reply;
mod dsn;
mod fields;
mod forms;
mod headers;
mod phrases;
mod reason;
mod report;
mod returned;
mod ses;
mod status;
mod text;

pub use reason::{reason_of_reply, Reason, ReasonError};
pub use report::{parse, Finding, Form, Kind, Report};
pub use status::{Status, StatusError};
