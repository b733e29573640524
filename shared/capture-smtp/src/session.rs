//! What the capture server decides in an SMTP session: the recipient rules and the injected
//! faults, AUTH, the wording of its replies, and storing accepted messages. The session itself
//! (commands, DATA, STARTTLS) is `circulars-smtp-server`'s.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use circulars_smtp_server::{
    Answer, Conversation, DataStart, Envelope, Handled, Handler, Rcpt, Replies, Reply, Security,
    Settings, State, Tls, Verdict, RCPT_OK,
};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use tracing::{debug, info, warn};

use crate::auth::{base64_decode, parse_plain, LOGIN_PASSWORD, LOGIN_USERNAME};
use crate::rules::Fault;
use crate::{bump, Shared, MAX_MESSAGE_SIZE};

/// Longest accepted command line, in octets, including the line ending.
const MAX_COMMAND_LINE: usize = 1000;
/// Longest accepted AUTH response line (RFC 4954 section 4), including the line ending.
const MAX_AUTH_LINE: usize = 12288;
/// Name used in the greeting and the EHLO/HELO replies.
const SERVER_NAME: &str = "circulars-capture";
/// Reply to a command the server knows but does not offer.
const NOT_IMPLEMENTED: &str = "502 5.5.1 Error: command not implemented";
/// Reply to an AUTH response that is not valid base64 or not a valid PLAIN message.
const CANNOT_DECODE: &str = "501 5.5.2 Error: cannot decode response";

/// The capture server's wording of the protocol's replies (Postfix-like).
const REPLIES: Replies = Replies {
    shutting_down: "421 4.3.2 Service shutting down",
    idle_timeout: "421 4.4.2 Error: timeout exceeded",
    line_too_long: "500 5.5.0 Error: line too long",
    not_utf8: Some("500 5.5.2 Error: invalid UTF-8 in command"),
    hello_syntax: Some("501 5.5.4 Syntax:"),
    unknown_command: "500 5.5.2 Error: command not recognized",
    not_implemented: NOT_IMPLEMENTED,
    need_hello: "503 5.5.1 Error: send HELO/EHLO first",
    nested_mail: "503 5.5.1 Error: nested MAIL command",
    mail_syntax: "501 5.5.4 Syntax: MAIL FROM:<address>",
    need_mail: "503 5.5.1 Error: need MAIL command",
    rcpt_syntax: "501 5.5.4 Syntax: RCPT TO:<address>",
    data_without_mail: "503 5.5.1 Error: need MAIL command",
    data_without_recipients: "554 5.5.1 No valid recipients",
    too_big: "552 5.3.4 Error: message too big",
};

/// The session core's settings for this server, with `tls` as configured.
pub(crate) fn settings(tls: Option<Tls>) -> Settings {
    Settings {
        hostname: SERVER_NAME.to_owned(),
        banner: "ESMTP capture".to_owned(),
        greet_client: true,
        log_name: "capture SMTP",
        max_command_line: MAX_COMMAND_LINE,
        close_after_long_line: false,
        max_message_bytes: MAX_MESSAGE_SIZE,
        max_data_bytes: None,
        max_recipients: None,
        idle_timeout: None,
        tls,
        replies: REPLIES,
    }
}

/// Serves one accepted connection to its end (errors are logged, not returned).
pub(crate) async fn serve(
    tcp: TcpStream,
    peer: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
) {
    bump(&shared.stats.connections);
    let _open = OpenConnection::count(shared.clone());
    let mut capture = Capture {
        shared: shared.clone(),
        peer,
        user: None,
        cancel: cancel.clone(),
    };
    match circulars_smtp_server::serve(tcp, peer, &shared.smtp, &mut capture, &cancel).await {
        Ok(()) => debug!(%peer, "session closed"),
        Err(e) => debug!(%peer, error = %e, "session ended with an I/O or TLS error"),
    }
}

/// One open connection in the counts, until dropped (however the session ends).
struct OpenConnection(Arc<Shared>);

impl OpenConnection {
    fn count(shared: Arc<Shared>) -> OpenConnection {
        let open = shared.stats.open_connections.fetch_add(1, Ordering::SeqCst) + 1;
        shared
            .stats
            .most_open_connections
            .fetch_max(open, Ordering::SeqCst);
        OpenConnection(shared)
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.stats.open_connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Why an AUTH exchange ended without credentials to check.
enum AuthStop {
    /// Send this reply and go on.
    Reply(&'static str),
    /// The connection is over.
    Closed,
    /// An I/O error.
    Io(io::Error),
}

impl From<io::Error> for AuthStop {
    fn from(e: io::Error) -> Self {
        AuthStop::Io(e)
    }
}

/// The capture server's side of one connection.
struct Capture {
    shared: Arc<Shared>,
    peer: SocketAddr,
    /// The authenticated user, once AUTH succeeded (forgotten after STARTTLS).
    user: Option<String>,
    /// The server shuts down: a held-back reply is sent at once.
    cancel: CancellationToken,
}

impl Handler for Capture {
    fn extensions(&self, state: &State) -> Vec<&'static str> {
        let mut keywords = vec!["SMTPUTF8"];
        if self.auth_offered(state) {
            keywords.push("AUTH PLAIN LOGIN");
        }
        keywords
    }

    fn mail(&mut self, _state: &State, _from: &str, _parameters: &str) -> Result<(), Reply> {
        // Parameters after the path (SIZE=, BODY=, SMTPUTF8, AUTH=) are ignored.
        if self.shared.auth.is_some() && self.user.is_none() {
            return Err("530 5.7.0 Authentication required".into());
        }
        Ok(())
    }

    fn rcpt(&mut self, _state: &State, rcpt: &str) -> Rcpt {
        if rcpt.is_empty() {
            return Rcpt::Refuse(REPLIES.rcpt_syntax.into());
        }
        let Some((code, text)) = self.shared.rules().take_reply(rcpt) else {
            return Rcpt::Accept(RCPT_OK.into());
        };
        bump(&self.shared.stats.rule_replies);
        debug!(peer = %self.peer, %rcpt, code, "recipient rule applied");
        let reply = format!("{code} {text}").trim_end().to_string().into();
        if (200..300).contains(&code) {
            Rcpt::Accept(reply)
        } else {
            Rcpt::Refuse(reply)
        }
    }

    fn data_start(&mut self, _state: &State, envelope: &Envelope) -> DataStart {
        let rcpts = &envelope.recipients;
        if !self.take_fault(rcpts, Fault::DuringData) {
            return DataStart::Receive;
        }
        // Read some of the message, then vanish.
        bump(&self.shared.stats.dropped_during_data);
        info!(peer = %self.peer, ?rcpts, "fault: connection dropped during DATA");
        DataStart::DropAfterFirstLine
    }

    async fn message(&mut self, state: &State, envelope: Envelope, message: Vec<u8>) -> Verdict {
        let Envelope { sender, recipients } = envelope;
        if let Some(refusal) = self.shared.rules().message_refusal(&recipients) {
            bump(&self.shared.stats.rule_replies);
            debug!(peer = %self.peer, rcpts = ?recipients, %refusal, "message refused by rule");
            return Verdict::Reply(refusal.into());
        }
        let facts = self.facts(state);
        let shared = self.shared.clone();
        match store(shared, sender, recipients.clone(), facts, message).await {
            Ok(_) if self.take_fault(&recipients, Fault::AfterStore) => {
                bump(&self.shared.stats.dropped_after_store);
                info!(peer = %self.peer, rcpts = ?recipients, "fault: reply lost after storing");
                Verdict::Reset
            }
            Ok(id) => {
                let delay = self.shared.rules().final_reply_delay(&recipients);
                if let Some(delay) = delay {
                    bump(&self.shared.stats.delayed_final_replies);
                    info!(peer = %self.peer, rcpts = ?recipients, ?delay, "fault: final reply held back");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = self.cancel.cancelled() => {}
                    }
                }
                Verdict::Reply(format!("250 2.0.0 Ok: queued as {id}").into())
            }
            Err(e) => {
                let out_dir = self.shared.out_dir.display();
                warn!(error = %e, %out_dir, "cannot store message");
                Verdict::Reply("451 4.3.0 Error: cannot store message".into())
            }
        }
    }

    async fn command(
        &mut self,
        verb: &str,
        arguments: &str,
        talk: &mut Conversation<'_>,
    ) -> io::Result<Handled> {
        match verb.to_ascii_uppercase().as_str() {
            "AUTH" => self.auth(arguments, talk).await,
            "VRFY" => {
                talk.send("252 2.0.0 Cannot VRFY user, but will accept message")
                    .await?;
                Ok(Handled::Continue)
            }
            _ => Ok(Handled::Unknown),
        }
    }

    fn offers_pipelining(&self, _state: &State) -> bool {
        self.shared.pipelining.load(Ordering::SeqCst)
    }

    fn pipelined(&mut self, _state: &State) {
        bump(&self.shared.stats.pipelined_commands);
    }

    fn tls_established(&mut self) {
        bump(&self.shared.stats.tls_sessions);
        // RFC 3207: a fresh session; an earlier AUTH does not count.
        self.user = None;
    }
}

impl Capture {
    /// Whether `fault` applies to a transaction with these recipients (counting it down).
    fn take_fault(&self, rcpts: &[String], fault: Fault) -> bool {
        self.shared.rules().take_fault(rcpts, fault)
    }

    fn auth_offered(&self, state: &State) -> bool {
        self.shared.auth.is_some()
            && (state.security() != Security::Plain || self.shared.allow_auth_without_tls)
    }

    /// The `X-Capture-Session` header value: `tls=none|starttls|implicit; auth=USER|-`.
    fn facts(&self, state: &State) -> String {
        let tls = match state.security() {
            Security::Plain => "none",
            Security::StartTls => "starttls",
            Security::Implicit => "implicit",
        };
        let user = self.user.as_deref().unwrap_or("-");
        let user = user.replace(['\r', '\n'], " ");
        format!("tls={tls}; auth={user}")
    }

    async fn auth(&mut self, arguments: &str, talk: &mut Conversation<'_>) -> io::Result<Handled> {
        let state = talk.state();
        let reply = match self.shared.auth.clone() {
            None => NOT_IMPLEMENTED,
            Some(_) if !self.auth_offered(state) => "530 5.7.0 Must issue a STARTTLS command first",
            Some(_) if !state.greeted() => REPLIES.need_hello,
            Some(_) if self.user.is_some() => "503 5.5.1 Error: already authenticated",
            Some(_) if state.in_transaction() => "503 5.5.1 Error: MAIL transaction in progress",
            Some(credentials) => match auth_exchange(arguments, talk).await {
                Ok((username, password)) if credentials.matches(&username, &password) => {
                    bump(&self.shared.stats.auth_successes);
                    info!(peer = %self.peer, user = %credentials.username, "authenticated");
                    self.user = Some(credentials.username);
                    "235 2.7.0 Authentication successful"
                }
                Ok(_) => {
                    bump(&self.shared.stats.auth_failures);
                    debug!(peer = %self.peer, "authentication failed");
                    "535 5.7.8 Error: authentication failed"
                }
                Err(AuthStop::Reply(reply)) => reply,
                Err(AuthStop::Closed) => return Ok(Handled::Close),
                Err(AuthStop::Io(e)) => return Err(e),
            },
        };
        talk.send(reply).await?;
        Ok(Handled::Continue)
    }
}

/// Runs the PLAIN or LOGIN exchange; returns the decoded `(username, password)`.
async fn auth_exchange(
    arguments: &str,
    talk: &mut Conversation<'_>,
) -> Result<(Vec<u8>, Vec<u8>), AuthStop> {
    let (mechanism, initial) = match arguments.split_once(' ') {
        Some((m, initial)) => (m, Some(initial.trim())),
        None => (arguments, None),
    };
    let decode = |r: &str| base64_decode(r).ok_or(AuthStop::Reply(CANNOT_DECODE));
    match mechanism.to_ascii_uppercase().as_str() {
        "PLAIN" => {
            let response = match initial {
                Some(r) => decode(r)?,
                None => prompt(talk, "334 ").await?,
            };
            let (username, password) =
                parse_plain(&response).ok_or(AuthStop::Reply(CANNOT_DECODE))?;
            Ok((username.to_vec(), password.to_vec()))
        }
        "LOGIN" => {
            let username = match initial {
                Some(r) => decode(r)?,
                None => prompt(talk, LOGIN_USERNAME).await?,
            };
            let password = prompt(talk, LOGIN_PASSWORD).await?;
            Ok((username, password))
        }
        "" => Err(AuthStop::Reply("501 5.5.4 Syntax: AUTH mechanism")),
        _ => Err(AuthStop::Reply(
            "504 5.5.4 Error: unsupported authentication mechanism",
        )),
    }
}

/// Sends a `334` challenge and reads the client's base64 response.
async fn prompt(talk: &mut Conversation<'_>, challenge: &str) -> Result<Vec<u8>, AuthStop> {
    talk.send(challenge).await?;
    match talk.read_line(MAX_AUTH_LINE).await? {
        Answer::Ended => Err(AuthStop::Closed),
        Answer::TooLong => Err(AuthStop::Reply(
            "500 5.5.6 Error: authentication exchange line is too long",
        )),
        Answer::Line(line) => {
            let response = std::str::from_utf8(&line)
                .map_err(|_| AuthStop::Reply(CANNOT_DECODE))?
                .trim();
            if response == "*" {
                return Err(AuthStop::Reply("501 5.7.0 Authentication aborted"));
            }
            base64_decode(response).ok_or(AuthStop::Reply(CANNOT_DECODE))
        }
    }
}

/// Writes one `.eml` file per recipient (temp file, then rename); returns the queue id.
///
/// Runs on a blocking thread that finishes even if the session is dropped meanwhile (e.g. by
/// [`crate::CaptureServer::stop_listening`]), so no `.tmp-` file is left behind.
async fn store(
    shared: Arc<Shared>,
    from: String,
    rcpts: Vec<String>,
    facts: String,
    message: Vec<u8>,
) -> io::Result<String> {
    tokio::task::spawn_blocking(move || store_blocking(&shared, &from, &rcpts, &facts, &message))
        .await
        .map_err(io::Error::other)?
}

fn store_blocking(
    shared: &Shared,
    from: &str,
    rcpts: &[String],
    facts: &str,
    message: &[u8],
) -> io::Result<String> {
    let id = shared.next_queue_id();
    for rcpt in rcpts {
        let seq = shared.next_seq.fetch_add(1, Ordering::SeqCst);
        let name = format!("{seq:06}-{id}.eml");
        let tmp = shared.out_dir.join(format!(".tmp-{name}.part"));
        let header = format!(
            "Return-Path: <{from}>\r\nDelivered-To: {rcpt}\r\nX-Capture-Session: {facts}\r\n"
        );
        let mut content = Vec::with_capacity(header.len() + message.len());
        content.extend_from_slice(header.as_bytes());
        content.extend_from_slice(message);
        let written = match std::fs::write(&tmp, &content) {
            Ok(()) => std::fs::rename(&tmp, shared.out_dir.join(&name)),
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        bump(&shared.stats.stored);
        info!(file = %name, from, rcpt = %rcpt, session = facts, bytes = message.len(), "stored message");
    }
    Ok(id)
}
