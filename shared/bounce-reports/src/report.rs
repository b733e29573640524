//! The report as a whole: [`parse`] lets mail-parser read the MIME structure, picks the reader
//! for what the message is (DSN, feedback report, a known notice text, auto-reply, ordinary
//! mail), and gathers what the bounce intake needs to match it to a delivery.

use crate::reason::{reason_of, Reason};
use crate::status::Hint;
use crate::{arf, auto_reply, dsn, forms, headers, returned, ses, text};
use mail_parser::{HeaderValue, Message, MessageParser, MimeHeaders, PartType};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The most of a message that is read. What a report says comes first (the notice and the
/// status part); what follows is the returned message, of which only the headers matter.
pub(crate) const MAX_INPUT: usize = 256 * 1024;
/// The most of the notice text that is read for forms, phrases and a pasted Message-ID.
pub(crate) const MAX_TEXT: usize = 64 * 1024;
/// The most findings one report gives.
pub(crate) const MAX_FINDINGS: usize = 1000;
/// The most addresses [`Report::addressed_to`] lists.
const MAX_ADDRESSED_TO: usize = 100;
/// The longest diagnostic kept.
pub(crate) const MAX_DIAGNOSTIC: usize = 1000;
/// The longest host name, action or feedback type kept.
pub(crate) const MAX_NAME: usize = 255;

/// The parsing thread's stack: a base, plus this much per input byte. mail-parser copies and
/// drops nested messages recursively, so a report whose `message/rfc822` parts nest thousands
/// deep would overflow a small stack such as a tokio worker's 2 MiB. The worst case found is
/// quoted-printable parts nested in each other: 96 bytes per input byte overflow in a debug
/// build, 128 suffice (mail-parser 0.11.9); release builds need far less.
/// `hostile_inputs_return_without_panic` runs that case at [`MAX_INPUT`].
const STACK_BASE: usize = 1 << 20;
/// See [`STACK_BASE`]: about 1.5 times the most the worst case needs.
const STACK_PER_BYTE: usize = 192;

/// Subjects of bounces whose text is not recognised, lowercase.
const BOUNCE_SUBJECTS: &[&str] = &[
    "undeliver",
    "returned mail",
    "delivery status notification",
    "delivery failure",
    "delivery_failure",
    "failure notice",
    "mail delivery failed",
    "non-delivery",
    "nondelivery",
    "delivery has failed",
    "could not be delivered",
    "delivery problem",
    "delayed mail",
    "delivery delayed",
];

/// The same in German, French and Japanese, lowercase.
const BOUNCE_SUBJECTS_OTHER_LANGUAGES: &[&str] = &[
    "unzustellbar",
    "nicht zustellbar",
    "zustellung fehlgeschlagen",
    "non remis",
    "non délivré",
    "échec de la remise",
    "message non distribué",
    "配送エラー",
    "配信エラー",
    "配信不能",
    "メールエラー",
    "エラーメール",
    "返送",
];

/// Local parts of the senders of bounces.
const BOUNCE_SENDERS: &[&str] = &["mailer-daemon", "mailerdaemon", "mail-daemon", "postmaster"];

/// Headers of a report that some MTAs use to name the original message.
const ORIGINAL_MESSAGE_ID_HEADERS: &[&str] = &["x-original-message-id", "original-message-id"];

/// Headers naming where a report was delivered: our VERP return address is among them.
const ADDRESSED_TO_HEADERS: &[&str] = &["to", "delivered-to", "x-original-to", "envelope-to"];

/// What a returned mail says, as a whole and per address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// What the message is overall: the most serious of the findings, or, when there are none,
    /// what it says without naming anyone.
    pub kind: Kind,
    /// Which form was recognised.
    pub form: Form,
    /// One finding per address named, in order, no address twice (ignoring case).
    pub findings: Vec<Finding>,
    /// The Message-ID of our original message, without angle brackets, when the report shows it.
    pub original_message_id: Option<String>,
    /// The bare addresses the report was sent to (`To`, `Delivered-To`, `X-Original-To`,
    /// `Envelope-To`), for the caller to match its VERP return addresses against.
    pub addressed_to: Vec<String>,
}

/// What a returned mail says about one address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The bare address: the DSN's `Original-Recipient` when given (the address we sent to),
    /// else its `Final-Recipient`, else the address the notice names.
    pub recipient: String,
    /// The address the mail finally went to, when the report says (DSN `Final-Recipient`, or
    /// the target of an alias).
    pub final_recipient: Option<String>,
    /// What the report means for this address.
    pub kind: Kind,
    /// The RFC 3463 status (`5.1.1`), or the nearest derived from an SMTP reply code when the
    /// text gives only that.
    pub status: Option<String>,
    /// The DSN action, lowercase: `failed`, `delayed`, `delivered`, `relayed`, `expanded`.
    pub action: Option<String>,
    /// The remote server's diagnostic, unfolded and trimmed (`smtp; 550 5.1.1 ...`).
    pub diagnostic: Option<String>,
    /// The remote server that gave the diagnostic (`mx.example.org`).
    pub remote_mta: Option<String>,
    /// For a feedback report: its type (`abuse`, `fraud`, ...), the reason of the complaint.
    pub feedback_type: Option<String>,
    /// Why it failed, decided by `reason.rs` once the reader is done (readers leave it
    /// [`Reason::Undefined`]).
    pub reason: Reason,
}

/// What a report, or one finding, means for the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The mail cannot be delivered to this address (a hard bounce).
    Permanent,
    /// Not delivered for now, or delayed; a later attempt may succeed (a soft bounce).
    Temporary,
    /// The recipient reported our mail as spam, abuse or fraud.
    Complaint,
    /// Not a bounce: an auto-reply, ordinary mail, or a report of successful delivery.
    NotBounce,
    /// A bounce, or something like one, whose meaning could not be read.
    Unknown,
}

impl Kind {
    /// The wire name (`not_bounce`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Permanent => "permanent",
            Kind::Temporary => "temporary",
            Kind::Complaint => "complaint",
            Kind::NotBounce => "not_bounce",
            Kind::Unknown => "unknown",
        }
    }

    /// How serious the kind is, from 0 (not a bounce) through unknown, temporary and permanent
    /// to 4 (a complaint).
    pub fn seriousness(self) -> u8 {
        match self {
            Kind::NotBounce => 0,
            Kind::Unknown => 1,
            Kind::Temporary => 2,
            Kind::Permanent => 3,
            Kind::Complaint => 4,
        }
    }

    /// The more serious of two kinds: complaint, then permanent, temporary, unknown, no bounce.
    pub(crate) fn worse(self, other: Kind) -> Kind {
        if other.seriousness() > self.seriousness() {
            other
        } else {
            self
        }
    }
}

impl From<Hint> for Kind {
    fn from(hint: Hint) -> Kind {
        match hint {
            Hint::Permanent => Kind::Permanent,
            Hint::Temporary => Kind::Temporary,
        }
    }
}

/// Which form of returned mail was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Form {
    /// A delivery status notification (RFC 3464), whichever MTA sent it.
    Dsn,
    /// A feedback report (ARF, RFC 5965).
    Feedback,
    /// Postfix's notice: "This is the mail system at host ...".
    Postfix,
    /// Exim's: "This message was created automatically by mail delivery software."
    Exim,
    /// Sendmail's: "----- The following addresses had permanent fatal errors -----".
    Sendmail,
    /// qmail's: "Hi. This is the qmail-send program at ...".
    Qmail,
    /// Microsoft Exchange and Outlook: "Delivery has failed to these recipients or groups:".
    Exchange,
    /// Lotus (HCL) Domino: "Your message ... was not delivered to: ... because: ...".
    Domino,
    /// Gmail: "Delivery to the following recipient failed permanently:".
    Gmail,
    /// Yahoo: "Sorry, we were unable to deliver your message to the following address."
    Yahoo,
    /// AOL: Sendmail's notice, sent from aol.com.
    Aol,
    /// The DragonFly Mail Agent (dma): "There was an error delivering your mail to <...>."
    Dragonfly,
    /// OpenSMTPD: "An error has occurred while attempting to deliver a message for the
    /// following list of recipients:".
    Opensmtpd,
    /// Zoho Mail: `address Invalid Address, ERROR_CODE :550, ...`.
    Zoho,
    /// GMX and mail.com: Exim's opening, each address on a line of its own.
    Gmx,
    /// Ipswitch IMail: `Unknown user: address`, then "Original message follows.".
    Imail,
    /// Amazon WorkMail: "An error occurred while trying to deliver the mail to the following
    /// recipients:", then a "Technical report:".
    AmazonWorkmail,
    /// MailFoundry: "Unable to deliver message to: <...>", "Delivery failed for the following
    /// reason:".
    Mailfoundry,
    /// Trend Micro InterScan: `Sent <<< RCPT TO:<...>`, `Received >>> 550 ...`.
    Interscan,
    /// Apache James (and Verizon's vtext.com): "Error message below:", "Message details:".
    James,
    /// A mobile carrier's MMS gateway (Verizon's vzwpix.com): "Message could not be delivered
    /// to mobile."
    Mmsc,
    /// Smail: "Failed addresses follow:", one address and its reason a line.
    Smail,
    /// An Amazon SES notification mailed as JSON by SNS (`"notificationType":"Bounce"`).
    AmazonSes,
    // Mailing lists, gateways and notices in other languages.
    /// Google Groups: the group does not exist or refuses our post (in the sender's language).
    GoogleGroups,
    /// KDDI's au (EZweb, au one net): "Each of the following recipients was rejected ...",
    /// "Could not be delivered to: <address>".
    Kddi,
    /// m-FILTER, a Japanese mail gateway: "-------server message" under the address.
    MFilter,
    /// Lotus Notes: "------- Failure Reasons --------", the reason, then the address.
    Notes,
    /// Mimecast: "-- address" lines under "could not be delivered".
    Mimecast,
    /// fml, a mailing-list manager: "You are not a member of this mailing list <list>".
    Fml,
    /// A plain-text notice of a less common MTA, recognised by its wording.
    Other,
    /// An automatic reply (out-of-office, vacation).
    AutoReply,
    /// Ordinary mail, such as a person's reply.
    Ordinary,
    /// Looks like a bounce, or could not be read at all, but no form was recognised.
    Unrecognised,
}

impl Form {
    /// The wire name (`auto_reply`).
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Dsn => "dsn",
            Form::Feedback => "feedback",
            Form::Postfix => "postfix",
            Form::Exim => "exim",
            Form::Sendmail => "sendmail",
            Form::Qmail => "qmail",
            Form::Exchange => "exchange",
            Form::Domino => "domino",
            Form::Gmail => "gmail",
            Form::Yahoo => "yahoo",
            Form::Aol => "aol",
            Form::Dragonfly => "dragonfly",
            Form::Opensmtpd => "opensmtpd",
            Form::Zoho => "zoho",
            Form::Gmx => "gmx",
            Form::Imail => "imail",
            Form::AmazonWorkmail => "amazon_workmail",
            Form::Mailfoundry => "mailfoundry",
            Form::Interscan => "interscan",
            Form::James => "james",
            Form::Mmsc => "mmsc",
            Form::Smail => "smail",
            Form::AmazonSes => "amazon_ses",
            Form::GoogleGroups => "google_groups",
            Form::Kddi => "kddi",
            Form::MFilter => "m_filter",
            Form::Notes => "notes",
            Form::Mimecast => "mimecast",
            Form::Fml => "fml",
            Form::Other => "other",
            Form::AutoReply => "auto_reply",
            Form::Ordinary => "ordinary",
            Form::Unrecognised => "unrecognised",
        }
    }
}

impl Report {
    /// The report on a message that could not be read at all.
    fn unreadable() -> Report {
        Report {
            kind: Kind::Unknown,
            form: Form::Unrecognised,
            findings: Vec::new(),
            original_message_id: None,
            addressed_to: Vec::new(),
        }
    }
}

/// Reads a returned mail (raw RFC 5322 bytes) into a [`Report`]. Never fails and never panics:
/// input that cannot be read is `Unknown`, mail that is no bounce is `NotBounce`.
///
/// Only the first 256 KiB of the message and 64 KiB of its notice text are read. The parse runs
/// on a thread of its own with a stack sized for the input (see `STACK_PER_BYTE`); should that
/// thread fail to start or panic, the report is `Unknown`.
pub fn parse(raw: &[u8]) -> Report {
    read_on_own_thread(raw).unwrap_or_else(|_| Report::unreadable())
}

/// Why [`read_on_own_thread`] gave no report.
#[derive(Debug)]
enum ThreadFailure {
    /// The thread could not be started.
    NotStarted,
    /// The reading panicked (a bug, here or in mail-parser).
    Panicked,
}

/// Reads `raw` (cut to [`MAX_INPUT`]) on a thread whose stack fits the input.
fn read_on_own_thread(raw: &[u8]) -> Result<Report, ThreadFailure> {
    let raw = &raw[..raw.len().min(MAX_INPUT)];
    let stack = STACK_BASE + raw.len() * STACK_PER_BYTE;
    std::thread::scope(|scope| {
        let reader = std::thread::Builder::new()
            .name("bounce-report".to_owned())
            .stack_size(stack)
            .spawn_scoped(scope, || read(raw))
            .map_err(|_| ThreadFailure::NotStarted)?;
        reader.join().map_err(|_| ThreadFailure::Panicked)
    })
}

/// What one reader made of the message.
#[derive(Clone)]
struct Reading {
    form: Form,
    findings: Vec<Finding>,
    /// What the message says without naming anyone.
    unattributed: Kind,
    /// The original Message-ID, when the report part gives it.
    message_id: Option<String>,
}

impl Reading {
    fn without_findings(form: Form, kind: Kind) -> Reading {
        Reading {
            form,
            findings: Vec::new(),
            unattributed: kind,
            message_id: None,
        }
    }
}

fn read(raw: &[u8]) -> Report {
    let Some(message) = MessageParser::default().parse(raw) else {
        return Report::unreadable();
    };
    let root = headers::root(&message);
    let notice = notice_text(&message);
    let returned = returned::find(&message);
    let reading = reading_of(&message, &notice, &returned);

    let is_returned_mail = !matches!(reading.form, Form::AutoReply | Form::Ordinary);
    let original_message_id = returned
        .message_id
        .or_else(|| {
            ORIGINAL_MESSAGE_ID_HEADERS
                .iter()
                .find_map(|name| headers::message_id(root, name))
        })
        .or(reading.message_id)
        .or_else(|| {
            is_returned_mail
                .then(|| returned::message_id_in_text(&notice))
                .flatten()
        });
    let mut findings = distinct(reading.findings, MAX_FINDINGS, |finding| &finding.recipient);
    findings.iter_mut().for_each(decide_reason);
    let kind = if findings.is_empty() {
        reading.unattributed
    } else {
        findings
            .iter()
            .fold(Kind::NotBounce, |kind, finding| kind.worse(finding.kind))
    };
    let addressed_to = ADDRESSED_TO_HEADERS
        .iter()
        .flat_map(|name| headers::addresses(root, name))
        .collect();
    Report {
        kind,
        form: reading.form,
        findings,
        original_message_id,
        addressed_to: distinct(addressed_to, MAX_ADDRESSED_TO, |address| address),
    }
}

/// Fills in why the finding failed, from what the reader found.
fn decide_reason(finding: &mut Finding) {
    let status = finding.status.as_deref().and_then(|s| s.parse().ok());
    finding.reason = reason_of(
        finding.kind,
        finding.action.as_deref(),
        status,
        finding.diagnostic.as_deref(),
    );
}

/// Picks the reader: a delivery-status part, a feedback-report part, a known notice text, then
/// what is left (auto-reply, an unrecognised bounce, ordinary mail).
fn reading_of(message: &Message<'_>, notice: &str, returned: &returned::Returned) -> Reading {
    let root = headers::root(message);
    let sender = headers::addresses(root, "from")
        .into_iter()
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let subject = headers::text(root, "subject")
        .unwrap_or_default()
        .to_lowercase();
    let clues = forms::Clues {
        text: notice,
        sender: &sender,
        failed_recipients: headers::addresses(root, "x-failed-recipients"),
    };
    let notice_reading = || {
        forms::read(&clues).map(|recognised| Reading {
            form: recognised.form,
            findings: recognised.findings,
            unattributed: recognised.hint.map_or(Kind::Unknown, Kind::from),
            message_id: None,
        })
    };
    if let Some(part) = report_part(message, &["delivery-status", "global-delivery-status"]) {
        let delivery = dsn::read(&part);
        if !delivery.findings.is_empty() || delivery.unattributed != Kind::Unknown {
            // A status part naming no address (Exim's for a pipe or a file) leaves the
            // addresses to the notice, when it names them; its status still decides for those
            // the notice gives no code.
            if delivery.findings.is_empty() {
                if let Some(mut reading) =
                    notice_reading().filter(|reading| !reading.findings.is_empty())
                {
                    for finding in &mut reading.findings {
                        if finding.status.is_none() {
                            finding.kind = delivery.unattributed;
                        }
                    }
                    return reading;
                }
            }
            return Reading {
                form: Form::Dsn,
                findings: delivery.findings,
                unattributed: delivery.unattributed,
                message_id: delivery.message_id,
            };
        }
    }
    if let Some(part) = report_part(message, &["feedback-report"]) {
        let feedback = arf::read(&part, returned);
        return Reading {
            form: Form::Feedback,
            findings: feedback.findings,
            unattributed: feedback.kind,
            message_id: None,
        };
    }
    if let Some(feedback) = arf::read_forwarded(returned) {
        return Reading {
            form: Form::Feedback,
            findings: feedback.findings,
            unattributed: feedback.kind,
            message_id: None,
        };
    }
    if let Some(notification) = ses::read(notice) {
        return Reading {
            form: Form::AmazonSes,
            findings: notification.findings,
            unattributed: notification.kind,
            message_id: notification.message_id,
        };
    }
    let recognised = notice_reading();
    if let Some(reading) = recognised.as_ref().filter(|r| !r.findings.is_empty()) {
        return reading.clone();
    }
    let report_type = report_type(root);
    let local_part = sender.split('@').next().unwrap_or_default();
    let looks_like_a_bounce = BOUNCE_SENDERS.contains(&local_part)
        || BOUNCE_SUBJECTS
            .iter()
            .chain(BOUNCE_SUBJECTS_OTHER_LANGUAGES)
            .any(|words| subject.contains(words))
        || report_type
            .as_deref()
            .is_some_and(|kind| kind != "disposition-notification");
    // The fields of a delivery-status part pasted into the text of what looks like a bounce
    // (a report whose MIME boundaries were lost), not of a person's mail quoting one.
    let inline = looks_like_a_bounce
        .then(|| dsn::read_inline(notice))
        .flatten()
        .filter(|delivery| !delivery.findings.is_empty());
    if let Some(delivery) = inline {
        return Reading {
            form: Form::Dsn,
            findings: delivery.findings,
            unattributed: delivery.unattributed,
            message_id: delivery.message_id,
        };
    }
    if let Some(reading) = recognised {
        return reading;
    }

    match report_type.as_deref() {
        Some("delivery-status") => return Reading::without_findings(Form::Dsn, Kind::Unknown),
        Some("feedback-report") => {
            return Reading::without_findings(Form::Feedback, Kind::Complaint)
        }
        _ => {}
    }
    if auto_reply::is_auto_reply(root) {
        return Reading::without_findings(Form::AutoReply, Kind::NotBounce);
    }
    if looks_like_a_bounce {
        forwarded_dsn(message)
            .unwrap_or_else(|| Reading::without_findings(Form::Unrecognised, Kind::Unknown))
    } else {
        Reading::without_findings(Form::Ordinary, Kind::NotBounce)
    }
}

/// A bounce whose own notice is not recognised but which carries, as its returned message,
/// a delivery status notification (a gateway passing on the DSN it received): that DSN's
/// findings.
fn forwarded_dsn(message: &Message<'_>) -> Option<Reading> {
    let nested = message.parts.iter().find_map(|part| match &part.body {
        PartType::Message(nested) => Some(nested),
        _ => None,
    })?;
    let part = report_part(nested, &["delivery-status", "global-delivery-status"])?;
    let delivery = dsn::read(&part);
    (!delivery.findings.is_empty()).then_some(Reading {
        form: Form::Dsn,
        findings: delivery.findings,
        unattributed: delivery.unattributed,
        message_id: delivery.message_id,
    })
}

/// The text of the first part whose content subtype is one of `subtypes`
/// (`message/delivery-status`), decoded, invalid UTF-8 replaced.
fn report_part(message: &Message<'_>, subtypes: &[&str]) -> Option<String> {
    message.parts.iter().find_map(|part| {
        let subtype = part.content_type()?.subtype()?.to_ascii_lowercase();
        subtypes
            .contains(&subtype.as_str())
            .then(|| String::from_utf8_lossy(part.contents()).into_owned())
    })
}

/// The `report-type` of a `multipart/report` message, lowercase.
fn report_type(root: &[mail_parser::Header<'_>]) -> Option<String> {
    headers::named(root, "content-type").find_map(|value| match value {
        HeaderValue::ContentType(content_type)
            if content_type.ctype().eq_ignore_ascii_case("multipart")
                && content_type
                    .subtype()
                    .is_some_and(|subtype| subtype.eq_ignore_ascii_case("report")) =>
        {
            content_type
                .attribute("report-type")
                .map(str::to_ascii_lowercase)
        }
        _ => None,
    })
}

/// The human-readable text of the message (its text bodies, HTML turned into text), at most
/// [`MAX_TEXT`] bytes.
fn notice_text(message: &Message<'_>) -> String {
    let mut notice = String::new();
    for index in 0..message.text_body.len() {
        if notice.len() >= MAX_TEXT {
            break;
        }
        if let Some(body) = message.body_text(index) {
            let body = text::undeclared_iso_2022_jp(&body);
            notice.push_str(text::head(&body, MAX_TEXT));
            notice.push('\n');
        }
    }
    // A multipart part whose boundary is missing (or lost in a broken header) has no text
    // part: its whole body is the text.
    if message.text_body.is_empty() {
        let unsplit = message.parts.iter().find(|part| {
            !part.contents().is_empty()
                && part.content_type().is_some_and(|content_type| {
                    content_type.ctype().eq_ignore_ascii_case("multipart")
                })
        });
        if let Some(part) = unsplit {
            let body = part.contents();
            notice = String::from_utf8_lossy(&body[..body.len().min(MAX_TEXT)]).into_owned();
        }
    }
    text::head(&notice, MAX_TEXT).to_owned()
}

/// Keeps the first of each item whose key is the same ignoring case, at most `max` items.
pub(crate) fn distinct<T>(items: Vec<T>, max: usize, key: impl Fn(&T) -> &String) -> Vec<T> {
    let mut seen = HashSet::new();
    items
        .into_iter()
        .filter(|item| seen.insert(key(item).to_lowercase()))
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn multipart_report(delivery_status: &str, returned: &str) -> String {
        format!(
            "From: Mail Delivery System <MAILER-DAEMON@mail.itu.example>\r\n\
             To: bounce+c36.tok@itu.example\r\n\
             Subject: Undelivered Mail Returned to Sender\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n\
             --B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\
             --B\r\nContent-Type: message/delivery-status\r\n\r\n{delivery_status}\r\n\
             --B\r\nContent-Type: message/rfc822\r\n\r\n{returned}\r\n\
             --B--\r\n"
        )
    }

    const RETURNED: &str = "From: TSB <tsb@itu.example>\r\nTo: gone@example.org\r\n\
        Message-ID: <c36.en.42@itu.example>\r\nSubject: Circular 36\r\n\r\nDear Sir/Madam,\r\n";

    #[test]
    fn a_dsn_gives_findings_the_original_message_id_and_the_return_address() {
        let raw = multipart_report(
            "Reporting-MTA: dns; mail.itu.example\r\n\r\nFinal-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n",
            RETURNED,
        );
        let report = parse(raw.as_bytes());
        assert_eq!(report.form, Form::Dsn);
        assert_eq!(report.kind, Kind::Permanent);
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].recipient, "gone@example.org");
        assert_eq!(
            report.original_message_id.as_deref(),
            Some("c36.en.42@itu.example")
        );
        assert_eq!(report.addressed_to, ["bounce+c36.tok@itu.example"]);
    }

    #[test]
    fn a_report_naming_no_address_is_attributed_to_nobody() {
        // The returned message is addressed to gone@example.org and the report comes from the
        // mailer daemon, but the report itself names no recipient: nobody is blamed.
        let raw = multipart_report(
            "Reporting-MTA: dns; mail.itu.example\r\n\r\nAction: failed\r\nStatus: 5.0.0\r\n",
            RETURNED,
        );
        let report = parse(raw.as_bytes());
        assert_eq!(report.form, Form::Dsn);
        assert!(report.findings.is_empty(), "{:?}", report.findings);
        assert_eq!(report.kind, Kind::Permanent);
        assert_eq!(
            report.original_message_id.as_deref(),
            Some("c36.en.42@itu.example")
        );
    }

    #[test]
    fn a_notice_naming_no_address_is_attributed_to_nobody() {
        let raw = "From: MAILER-DAEMON@mail.itu.example\r\nTo: tsb@itu.example\r\n\
                   Subject: Undelivered Mail Returned to Sender\r\n\r\n\
                   This is the mail system at host mail.itu.example.\r\n\r\n\
                   Your message could not be delivered to one or more recipients.\r\n";
        let report = parse(raw.as_bytes());
        assert_eq!(report.form, Form::Postfix);
        assert!(report.findings.is_empty());
        assert_eq!(report.kind, Kind::Permanent);
    }

    #[test]
    fn a_report_whose_boundaries_are_lost_is_read_from_its_text() {
        let raw = "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\r\n\
                   Subject: Returned mail: Service unavailable\r\n\
                   Content-Type: multipart/report; report-type=delivery-status;\r\n    \
                   boundary=\"lost\"\r\n\r\n\
                   ----- The following addresses had permanent fatal errors -----\r\n\
                   <gone@example.org>\r\n\r\n\
                   Reporting-MTA: dns; mx.example.org\r\n\r\n\
                   Final-Recipient: RFC822; <gone@example.org>\r\nAction: failed\r\n\
                   Status: 5.5.0\r\n";
        let report = parse(raw.as_bytes());
        assert_eq!(report.kind, Kind::Permanent);
        assert_eq!(report.findings[0].recipient, "gone@example.org");
    }

    #[test]
    fn a_person_forwarding_a_report_is_not_a_bounce() {
        let raw = "From: Colleague <colleague@example.org>\r\nSubject: Fwd: see below\r\n\r\n\
                   Could you look at this?\r\n\r\n\
                   Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\n\
                   Status: 5.1.1\r\n";
        let report = parse(raw.as_bytes());
        assert_eq!(
            (report.form, report.kind),
            (Form::Ordinary, Kind::NotBounce)
        );
    }

    #[test]
    fn the_same_address_twice_gives_one_finding() {
        let raw = multipart_report(
            "Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n\
             Final-Recipient: rfc822; GONE@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n",
            RETURNED,
        );
        assert_eq!(parse(raw.as_bytes()).findings.len(), 1);
    }

    #[test]
    fn reports_serialise_with_wire_names() {
        let raw = multipart_report(
            "Final-Recipient: rfc822; slow@example.org\r\nAction: delayed\r\nStatus: 4.4.1\r\n",
            RETURNED,
        );
        let json = serde_json::to_value(parse(raw.as_bytes())).unwrap();
        assert_eq!(json["kind"], "temporary");
        assert_eq!(json["form"], "dsn");
        assert_eq!(json["findings"][0]["action"], "delayed");
        assert_eq!(Kind::NotBounce.as_str(), "not_bounce");
        assert_eq!(serde_json::to_value(Form::AutoReply).unwrap(), "auto_reply");
    }

    #[test]
    fn a_bounce_subject_in_another_language_marks_an_unrecognised_notice() {
        let raw = "From: Systemverwalter <admin@mail.example.org>\r\nSubject: Unzustellbar: Rundschreiben 36\r\n\r\nDie Nachricht konnte nicht zugestellt werden.\r\n";
        let report = parse(raw.as_bytes());
        assert_eq!(
            (report.form, report.kind),
            (Form::Unrecognised, Kind::Unknown)
        );
    }

    #[test]
    fn ordinary_mail_and_auto_replies_are_not_bounces() {
        let ordinary = parse(
            b"From: Reader <reader@example.org>\r\nSubject: Re: Circular 36\r\n\r\nThank you.\r\n",
        );
        assert_eq!(
            (ordinary.form, ordinary.kind),
            (Form::Ordinary, Kind::NotBounce)
        );
        let away = parse(b"From: reader@example.org\r\nAuto-Submitted: auto-replied\r\nSubject: Away\r\n\r\nBack on Monday.\r\n");
        assert_eq!((away.form, away.kind), (Form::AutoReply, Kind::NotBounce));
    }

    #[test]
    fn a_panic_inside_mail_parser_gives_an_unknown_report() {
        // Found by the fuzzer: mail-parser 0.11.9 meets this malformed MIME with
        // `debug_assert!(false, "Invalid part ID, could not find multipart.")`. Release builds
        // skip the check; debug builds panic on the parsing thread, and `parse` still returns.
        let raw = include_bytes!("../fixtures/mail-parser-debug-assertion.eml");
        let report = parse(raw);
        if cfg!(debug_assertions) {
            assert_eq!(report, Report::unreadable());
        } else {
            assert_eq!(report.form, Form::Feedback);
        }
    }

    /// A small deterministic generator, so that the random inputs are the same on every run.
    fn noise(len: usize, mut seed: u64) -> Vec<u8> {
        (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed.to_le_bytes()[0]
            })
            .collect()
    }

    fn nested_messages(depth: usize) -> String {
        let mut raw = String::new();
        for level in 0..depth {
            raw.push_str(&format!(
                "Subject: level {level}\r\nContent-Type: message/rfc822\r\n\r\n"
            ));
        }
        raw.push_str("Subject: inner\r\n\r\nhello\r\n");
        raw
    }

    #[test]
    fn hostile_inputs_return_without_panic() {
        let mut inputs: Vec<(&str, Vec<u8>)> = vec![
            ("empty", Vec::new()),
            ("one byte", b"x".to_vec()),
            ("one newline", b"\n".to_vec()),
            ("random bytes", noise(64 * 1024, 0x9e37_79b9_7f4a_7c15)),
        ];
        for seed in 1..50u64 {
            inputs.push(("short random bytes", noise(seed as usize * 7, seed)));
        }
        let mut huge = multipart_report(
            "Final-Recipient: rfc822; a@example.org\r\nAction: failed\r\n",
            RETURNED,
        )
        .into_bytes();
        huge.extend(std::iter::repeat_n(b'A', 5 * 1024 * 1024));
        inputs.push(("a 5 MB body", huge));

        let mut wide = String::from(
            "Content-Type: multipart/report; report-type=delivery-status; boundary=\"x\"\r\n\r\n",
        );
        for part in 0..10_000 {
            wide.push_str(&format!("--x\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; r{part}@example.org\r\nAction: failed\r\n"));
        }
        inputs.push(("10 000 parts", wide.into_bytes()));
        inputs.push((
            "10 000 nested messages",
            nested_messages(10_000).into_bytes(),
        ));

        // The worst case for mail-parser's stack: quoted-printable message/rfc822 parts, each
        // decoded and parsed inside the one before, filling the whole input.
        let mut deep = String::from(
            "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n",
        );
        while deep.len() < MAX_INPUT {
            deep.push_str("Content-Type:message/rfc822\n\n");
        }
        inputs.push(("nested messages inside quoted-printable", deep.into_bytes()));

        let truncated =
            multipart_report("Final-Recipient: rfc822; a@example.org\r\nAction: fail", "");
        inputs.push((
            "truncated",
            truncated.as_bytes()[..truncated.len() - 30].to_vec(),
        ));
        inputs.push(("invalid UTF-8 in headers", b"From: \xff\xfe <MAILER-DAEMON@x.example>\r\nSubject: \xc3\x28\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; \xe9t\xe9@example.org\r\nAction: failed\r\n--b--\r\n".to_vec()));

        // Notices naming thousands of addresses, each mentioned again further down: the readers
        // must not compare every line with every address.
        let many = |line: &dyn Fn(usize) -> String| (0..3000).map(line).collect::<String>();
        let sendmail = format!(
            "Subject: Returned mail\r\n\r\n----- The following addresses had permanent fatal errors -----\r\n{}\r\n----- Transcript of session follows -----\r\n{}",
            many(&|n| format!("<a{n}@example.org>\r\n    (reason: 550 5.1.1 user unknown)\r\n")),
            many(&|n| format!("<a{n}@example.org>... User unknown\r\n")),
        );
        inputs.push(("a Sendmail notice naming thousands", sendmail.into_bytes()));
        let exchange = format!(
            "Subject: Undeliverable\r\n\r\nDelivery has failed to these recipients or groups:\r\n\r\n{}\r\nDiagnostic information for administrators:\r\n\r\n{}",
            many(&|n| format!("a{n}@example.org\r\n")),
            many(&|n| format!("a{n}@example.org\r\n#550 5.1.1 not found ##\r\n")),
        );
        inputs.push(("an Exchange notice naming thousands", exchange.into_bytes()));
        let domino = format!(
            "Subject: DELIVERY FAILURE\r\n\r\nwas not delivered to:\r\n\r\n{}\r\nbecause:\r\n\r\n{}",
            many(&|n| format!("  a{n}@example.org\r\n")),
            "User not listed in Domino Directory ".repeat(100),
        );
        inputs.push(("a Domino notice naming thousands", domino.into_bytes()));

        // A panic on a line of its own: a notice's markers must not be looked for on the line
        // that announced them (found by the fuzzer).
        inputs.push((
            "Domino's markers on one line",
            b"Subject: x\r\n\r\nwas not delivered to: because:\r\n".to_vec(),
        ));
        for markers in [
            "Error message below: Message details: RCPT TO: a@example.org",
            "Unable to deliver message to: <a@example.org> Delivery failed for the following reason:",
            "Message could not be delivered to mobile. Original Message: To: a@example.org",
            "An error occurred while trying to deliver the mail to the following recipients: Technical report:",
            "This is the DragonFly Mail Agent. There was an error delivering your mail to <a@example.org>.",
            "Failed addresses follow: a@example.org ... x Message text follows:",
            "This message was created automatically by mail delivery software. address failed:",
            "{\"notificationType\":\"Bounce\",\"bounce\":{\"bouncedRecipients\":[{}, 1, {\"emailAddress\": 7}]}}",
        ] {
            inputs.push((
                "a newer reader's markers on one line",
                format!("Subject: x\r\n\r\n{markers}\r\n").into_bytes(),
            ));
        }
        inputs.push(("Exchange's markers on one line", b"Subject: x\r\n\r\nDelivery has failed to these recipients or groups: Diagnostic information for administrators:\r\n".to_vec()));

        for (name, input) in inputs {
            // `parse` would turn a panic into an Unknown report: look behind it.
            let report =
                read_on_own_thread(&input).unwrap_or_else(|failure| panic!("{name}: {failure:?}"));
            for finding in &report.findings {
                assert!(finding.recipient.contains('@'), "{name}: {finding:?}");
            }
            assert!(report.findings.len() <= MAX_FINDINGS, "{name}");
            serde_json::to_string(&report).unwrap();
        }
    }
}
