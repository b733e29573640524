//! What a server decides for itself: the [`Handler`] trait, what it is told ([`State`],
//! [`Envelope`]) and what it answers ([`Rcpt`], [`DataStart`], [`Verdict`], [`Handled`]).

use std::borrow::Cow;
use std::future::Future;
use std::io;
use std::net::SocketAddr;

use crate::session::{Input, Io};

/// A reply line (or lines joined by CRLF) without the final CRLF, e.g. `250 2.1.5 Ok`.
pub type Reply = Cow<'static, str>;

/// How the session is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// Plain text.
    Plain,
    /// TLS after `STARTTLS` (RFC 3207).
    StartTls,
    /// TLS from the first byte (RFC 8314).
    Implicit,
}

/// What the session knows so far, for the [`Handler`] to read.
#[derive(Debug)]
pub struct State {
    pub(crate) peer: SocketAddr,
    pub(crate) security: Security,
    pub(crate) greeted: bool,
    pub(crate) sender: Option<String>,
    pub(crate) recipients: Vec<String>,
}

impl State {
    pub(crate) fn new(peer: SocketAddr, security: Security) -> State {
        State {
            peer,
            security,
            greeted: false,
            sender: None,
            recipients: Vec::new(),
        }
    }

    /// The client's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// How the session is protected.
    pub fn security(&self) -> Security {
        self.security
    }

    /// Whether the client said EHLO or HELO (since the session (re)started).
    pub fn greeted(&self) -> bool {
        self.greeted
    }

    /// Whether a mail transaction is open (`MAIL FROM` accepted, DATA not yet given).
    pub fn in_transaction(&self) -> bool {
        self.sender.is_some()
    }

    pub(crate) fn reset_transaction(&mut self) {
        self.sender = None;
        self.recipients.clear();
    }
}

/// The sender and accepted recipients of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The `MAIL FROM` path, empty for the null sender `<>`.
    pub sender: String,
    /// Every recipient accepted at `RCPT TO`, in order.
    pub recipients: Vec<String>,
}

/// The answer to `RCPT TO`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rcpt {
    /// The recipient is added to the message, with this reply (e.g. `250 2.1.5 Ok`).
    Accept(Reply),
    /// The recipient is refused with this reply.
    Refuse(Reply),
}

/// What to do once DATA was answered `354`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataStart {
    /// Read the message.
    Receive,
    /// Read one line of it, then reset the connection (a fault injected on purpose).
    DropAfterFirstLine,
}

/// What the session refused on its own, the reply already decided: told to the handler so
/// that it can count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// A message over [`crate::Settings::max_message_bytes`], read to its end or cut off.
    TooBig,
    /// A `RCPT TO` beyond [`crate::Settings::max_recipients`].
    TooManyRecipients,
}

/// The answer to a whole message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Send this reply and go on.
    Reply(Reply),
    /// Reset the connection without a reply (a fault injected on purpose).
    Reset,
}

/// What [`Handler::command`] did with a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handled {
    /// Not a command of this server: the session answers it as unknown.
    Unknown,
    /// Answered; the session goes on.
    Continue,
    /// The connection is over: the session closes it.
    Close,
}

/// What differs between servers; the session does the rest (see the crate docs).
///
/// Methods returning futures are written `async fn` in implementations; their futures must be
/// `Send`, as sessions run in tokio tasks.
pub trait Handler: Send {
    /// EHLO keywords besides those the session offers itself (e.g. `SMTPUTF8`,
    /// `AUTH PLAIN LOGIN`), listed before `ENHANCEDSTATUSCODES`.
    fn extensions(&self, _state: &State) -> Vec<&'static str> {
        Vec::new()
    }

    /// Whether EHLO offers PIPELINING (RFC 2920): yes, unless the handler says otherwise.
    fn offers_pipelining(&self, _state: &State) -> bool {
        true
    }

    /// A command line was read while more of the client's input was already waiting: the
    /// client sent the next command before this one's reply (it pipelines).
    fn pipelined(&mut self, _state: &State) {}

    /// `MAIL FROM:<from> parameters` from a greeted client outside a transaction: `Ok` opens
    /// the transaction (`250 2.1.0 Ok`), `Err` refuses it with that reply.
    fn mail(&mut self, _state: &State, _from: &str, _parameters: &str) -> Result<(), Reply> {
        Ok(())
    }

    /// `RCPT TO:<to>` (the path may be empty) within a transaction.
    fn rcpt(&mut self, state: &State, to: &str) -> Rcpt;

    /// DATA with at least one recipient was answered `354`.
    fn data_start(&mut self, _state: &State, _envelope: &Envelope) -> DataStart {
        DataStart::Receive
    }

    /// A whole message (dot-stuffing undone) within the size limit: store it, then say what
    /// to answer. The session waits for this, even when the server shuts down meanwhile.
    fn message(
        &mut self,
        state: &State,
        envelope: Envelope,
        message: Vec<u8>,
    ) -> impl Future<Output = Verdict> + Send;

    /// A command the session does not handle itself (e.g. `AUTH`, `VRFY`): answer it through
    /// `talk`, or leave it with [`Handled::Unknown`].
    fn command(
        &mut self,
        _verb: &str,
        _arguments: &str,
        _talk: &mut Conversation<'_>,
    ) -> impl Future<Output = io::Result<Handled>> + Send {
        async { Ok(Handled::Unknown) }
    }

    /// The session refused something on its own (see [`Refused`]); the reply is its own.
    fn refused(&mut self, _state: &State, _what: Refused) {}

    /// The TLS handshake succeeded (after STARTTLS, or at once with implicit TLS). After
    /// STARTTLS the session starts over: forget what the client told before (e.g. AUTH).
    fn tls_established(&mut self) {}
}

/// A handler's exchange with the client inside one command (e.g. AUTH's challenges).
pub struct Conversation<'a> {
    pub(crate) io: &'a mut Io,
    pub(crate) state: &'a State,
}

/// What [`Conversation::read_line`] read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A line, its line ending included.
    Line(Vec<u8>),
    /// A line longer than asked for (read to its end and dropped).
    TooLong,
    /// The connection is over (closed, idle too long, or the server shuts down; the session
    /// has said so to the client): return [`Handled::Close`].
    Ended,
}

impl Conversation<'_> {
    /// What the session knows so far.
    pub fn state(&self) -> &State {
        self.state
    }

    /// Sends one reply (CRLF added).
    pub async fn send(&mut self, reply: &str) -> io::Result<()> {
        self.io.send(reply).await
    }

    /// Reads the client's next line of at most `max` octets (line ending included).
    pub async fn read_line(&mut self, max: usize) -> io::Result<Answer> {
        let mut line = Vec::new();
        Ok(match self.io.read(&mut line, max, usize::MAX).await? {
            Input::Line { cut: false, .. } => Answer::Line(line),
            Input::Line { cut: true, .. } | Input::Unfinished => Answer::TooLong,
            Input::Ended(ending) => {
                self.io.end(ending).await?;
                Answer::Ended
            }
        })
    }
}
