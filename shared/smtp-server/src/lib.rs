//! The server side of an SMTP session (an RFC 5321 subset with PIPELINING, 8BITMIME, SIZE,
//! ENHANCEDSTATUSCODES and STARTTLS), shared by the returned-mail intake (`circulars-intake`)
//! and the capture SMTP server of tests and local runs (`circulars-capture-smtp`).
//!
//! A server accepts TCP connections itself and hands each to [`serve`] with its [`Settings`]
//! and a [`Handler`] of its own; the session does what every SMTP server does, the handler
//! what this one decides.
//!
//! # Layout
//! - [`serve`] (`session.rs`): one connection to its end: the greeting, command lines read
//!   with a length limit and an idle timeout, EHLO/HELO with the extensions offered, MAIL FROM,
//!   RCPT TO, DATA (dot-unstuffing, a size limit past which the message is read to its end
//!   and refused, or the client disconnected when it goes on far beyond), RSET, NOOP, QUIT,
//!   unknown commands, replies in order for pipelined commands, STARTTLS (after which the
//!   session starts over: RFC 3207) and implicit TLS, `421` at shutdown.
//! - [`Handler`] (`handler.rs`): what differs between servers: whether a recipient is
//!   accepted and with which reply ([`Rcpt`]), what a sender is refused, what to do with a
//!   whole message ([`Verdict`]), extra EHLO keywords and commands (AUTH) through a
//!   [`Conversation`], faults injected on purpose ([`DataStart`], [`Verdict::Reset`]), and for
//!   test servers whether PIPELINING is offered and each command the client pipelined.
//!   It reads the session's [`State`] and gets each message's [`Envelope`].
//! - [`Settings`] and [`Replies`] (this file): the limits, names, TLS and the wording of the
//!   protocol's own replies, which each server keeps as it was.
//! - `tls.rs`: [`Tls`] (STARTTLS or implicit) and [`tls_acceptor`], which loads PEM
//!   certificate and key files ([`TlsError`] says which file is wrong).
//! - `connection.rs`: the connection, plain or TLS, and the line reader.

mod connection;
mod handler;
mod session;
mod tls;

use std::time::Duration;

pub use handler::{
    Answer, Conversation, DataStart, Envelope, Handled, Handler, Rcpt, Refused, Reply, Security,
    State, Verdict,
};
pub use session::serve;
pub use tls::{acceptor as tls_acceptor, Tls, TlsError, TlsFile};

/// The usual reply accepting a recipient.
pub const RCPT_OK: &str = "250 2.1.5 Ok";

/// What a server is called, how far it goes and how it words the protocol's own replies.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The server's name: first in the greeting, in the EHLO reply and the HELO reply.
    pub hostname: String,
    /// The rest of the `220` greeting, after the name (e.g. `ESMTP`).
    pub banner: String,
    /// Whether the EHLO reply's first line greets the client by the name it gave
    /// (`NAME greets CLIENT`) rather than giving the server's name alone.
    pub greet_client: bool,
    /// The server as logs name it (the `server` field).
    pub log_name: &'static str,
    /// The longest command line read, in octets, line ending included.
    pub max_command_line: usize,
    /// Whether a longer command line ends the session (after [`Replies::line_too_long`])
    /// instead of being read to its end, answered and skipped.
    pub close_after_long_line: bool,
    /// The largest message accepted, in octets after dot-unstuffing, offered as `SIZE`. A
    /// larger one is read to its end and refused with [`Replies::too_big`].
    pub max_message_bytes: usize,
    /// How much message data is read at most: past it the client is refused and
    /// disconnected; `None` reads any message to its end.
    pub max_data_bytes: Option<usize>,
    /// The most recipients of one message; more get `452 4.5.3`. `None`: no limit.
    pub max_recipients: Option<usize>,
    /// How long to wait for a line or a TLS handshake before the session is closed
    /// (with [`Replies::idle_timeout`]); `None`: as long as it takes.
    pub idle_timeout: Option<Duration>,
    /// STARTTLS or implicit TLS; `None`: plain text only.
    pub tls: Option<Tls>,
    /// The wording of the protocol's own replies.
    pub replies: Replies,
}

/// The replies a session sends for the protocol's own errors and ends, each with its code
/// and enhanced code, as each server has always worded them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replies {
    /// To clients still connected when the server shuts down (`421`).
    pub shutting_down: &'static str,
    /// To a client silent for the idle timeout (`421`).
    pub idle_timeout: &'static str,
    /// To a command line longer than [`Settings::max_command_line`] (`500`).
    pub line_too_long: &'static str,
    /// To a command line that is not UTF-8 (`500`); `None`: read it with replacement
    /// characters instead.
    pub not_utf8: Option<&'static str>,
    /// The start of the reply to EHLO or HELO without a name (`501`), followed by the verb
    /// and `hostname`; `None`: a name is not required.
    pub hello_syntax: Option<&'static str>,
    /// To a command the server does not know.
    pub unknown_command: &'static str,
    /// To a command the server knows but does not offer (EXPN, HELP, BDAT, ETRN, TURN, and
    /// STARTTLS without TLS).
    pub not_implemented: &'static str,
    /// To MAIL before EHLO or HELO (`503`).
    pub need_hello: &'static str,
    /// To MAIL within a transaction (`503`).
    pub nested_mail: &'static str,
    /// To MAIL without `FROM:<path>` (`501`).
    pub mail_syntax: &'static str,
    /// To RCPT before MAIL (`503`).
    pub need_mail: &'static str,
    /// To RCPT without `TO:<path>` (`501`).
    pub rcpt_syntax: &'static str,
    /// To DATA before MAIL (`503`).
    pub data_without_mail: &'static str,
    /// To DATA without an accepted recipient.
    pub data_without_recipients: &'static str,
    /// To a message larger than [`Settings::max_message_bytes`] (`552`).
    pub too_big: &'static str,
}
