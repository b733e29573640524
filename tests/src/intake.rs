//! An SMTP client for the bounce intake, as a remote MTA returning mail would talk to it: one
//! session per message, every reply kept, and the message sent as given (dot-stuffed, nothing
//! else changed), so tests can send truncated, oversized or non-UTF-8 input; in plain text
//! ([`send`]) or after STARTTLS ([`send_with_starttls`]). And [`dsn`], a bounce to send, and
//! [`wait_until_applied`], until the tracker has applied what was sent.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;

/// How long the client waits for any one reply.
const REPLY_WAIT: Duration = Duration::from_secs(30);

/// What the intake answered to one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Every reply, its lines joined with `\n`, in order (greeting first).
    pub replies: Vec<String>,
}

impl Session {
    /// The code of the last reply (0 when there was none).
    pub fn last_code(&self) -> u16 {
        self.replies.last().map_or(0, |r| code(r))
    }

    /// The last reply.
    pub fn last(&self) -> &str {
        self.replies.last().map_or("", String::as_str)
    }
}

fn code(reply: &str) -> u16 {
    reply.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0)
}

/// A delivery status notification (RFC 3464) from the recipient's server, sent to `verp`,
/// about `recipient`, quoting the original `Message-ID`.
pub fn dsn(
    verp: &str,
    recipient: &str,
    action: &str,
    status: &str,
    diagnostic: &str,
    message_id: &str,
) -> Vec<u8> {
    format!(
        "From: MAILER-DAEMON@mx.example.org\r\n\
         To: {verp}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
         Message-ID: <dsn.{status}.{action}@mx.example.org>\r\n\
         Auto-Submitted: auto-replied\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"dsn-part\"\r\n\
         \r\n\
         --dsn-part\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\
         \r\n\
         This is the mail system at host mx.example.org.\r\n\
         \r\n\
         --dsn-part\r\n\
         Content-Type: message/delivery-status\r\n\
         \r\n\
         Reporting-MTA: dns; mx.example.org\r\n\
         \r\n\
         Final-Recipient: rfc822; {recipient}\r\n\
         Action: {action}\r\n\
         Status: {status}\r\n\
         Remote-MTA: dns; mx.example.org\r\n\
         Diagnostic-Code: smtp; {diagnostic}\r\n\
         \r\n\
         --dsn-part\r\n\
         Content-Type: text/rfc822-headers\r\n\
         \r\n\
         Message-ID: {message_id}\r\n\
         Subject: Circular\r\n\
         \r\n\
         --dsn-part--\r\n"
    )
    .into_bytes()
}

/// One client session: the stream and every reply so far.
struct Talk<S> {
    stream: BufReader<S>,
    replies: Vec<String>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Talk<S> {
    fn new(stream: S, replies: Vec<String>) -> Talk<S> {
        Talk {
            stream: BufReader::new(stream),
            replies,
        }
    }

    /// Writes `command` (nothing when empty) and reads the reply (all its lines), keeping it;
    /// its code, or `None` when the connection closed first.
    async fn step(&mut self, command: &[u8]) -> Option<u16> {
        if !command.is_empty() && self.stream.write_all(command).await.is_err() {
            return None;
        }
        let reply = self.reply().await?;
        let reply_code = code(&reply);
        self.replies.push(reply);
        Some(reply_code)
    }

    /// Reads one reply (all its lines); `None` when the connection closed first.
    async fn reply(&mut self) -> Option<String> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(REPLY_WAIT, self.stream.read_line(&mut line))
                .await
                .expect("the intake replies in time");
            if read.ok()? == 0 {
                return None;
            }
            let line = line.trim_end().to_owned();
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if last {
                return Some(lines.join("\n"));
            }
        }
    }

    /// EHLO, then one message from the null sender to `recipients`, stopping at the first
    /// refused step (a refused recipient does not stop it while another was accepted).
    async fn mail(&mut self, recipients: &[&str], message: &[u8]) {
        if self.step(b"EHLO mx.example.org\r\n").await.is_none()
            || self.step(b"MAIL FROM:<>\r\n").await != Some(250)
        {
            return;
        }
        let mut accepted = 0;
        for recipient in recipients {
            let command = format!("RCPT TO:<{recipient}>\r\n");
            match self.step(command.as_bytes()).await {
                Some(250) => accepted += 1,
                Some(_) => {}
                None => return,
            }
        }
        if accepted == 0 {
            self.step(b"QUIT\r\n").await;
            return;
        }
        if self.step(b"DATA\r\n").await != Some(354) {
            return;
        }
        // A refusal may come while the data is still going out; that is an answer too.
        let _ = self.stream.write_all(&dot_stuffed(message)).await;
        if let Some(r) = self.reply().await {
            self.replies.push(r);
            let _ = self.stream.write_all(b"QUIT\r\n").await;
        }
    }

    fn session(self) -> Session {
        Session {
            replies: self.replies,
        }
    }
}

/// `message` as DATA sends it: dot-stuffed, ending in CRLF and the lone dot.
fn dot_stuffed(message: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(message.len() + 64);
    for line in message.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b".") {
            data.push(b'.');
        }
        data.extend_from_slice(line);
    }
    if !data.ends_with(b"\n") {
        data.extend_from_slice(b"\r\n");
    }
    data.extend_from_slice(b".\r\n");
    data
}

/// Connects to the intake and reads its greeting.
async fn connect(intake: SocketAddr) -> (Talk<TcpStream>, bool) {
    let stream = TcpStream::connect(intake)
        .await
        .expect("the intake accepts connections");
    let mut talk = Talk::new(stream, Vec::new());
    let greeted = talk.step(b"").await == Some(220);
    (talk, greeted)
}

/// Sends `message` from the null sender to `recipients`, stopping at the first refused step
/// (a refused recipient does not stop it while another was accepted). Returns every reply.
pub async fn send(intake: SocketAddr, recipients: &[&str], message: &[u8]) -> Session {
    let (mut talk, greeted) = connect(intake).await;
    if greeted {
        talk.mail(recipients, message).await;
    }
    talk.session()
}

/// Like [`send`], after EHLO and STARTTLS with a TLS client that trusts only the CA
/// certificate in the PEM file `ca` (and checks the intake's certificate for 127.0.0.1). The
/// replies are the greeting, the EHLO and STARTTLS replies, then those over TLS (EHLO
/// again, as the session starts over); they stop at STARTTLS when it is refused.
pub async fn send_with_starttls(
    intake: SocketAddr,
    ca: &Path,
    recipients: &[&str],
    message: &[u8],
) -> Session {
    let (mut talk, greeted) = connect(intake).await;
    if !greeted
        || talk.step(b"EHLO mx.example.org\r\n").await.is_none()
        || talk.step(b"STARTTLS\r\n").await != Some(220)
    {
        return talk.session();
    }
    assert!(
        talk.stream.buffer().is_empty(),
        "the intake sent more after 220"
    );
    let ca = std::fs::read(ca).expect("the CA file is readable");
    let connector = circulars_core::tls::client(Some(&ca)).expect("a TLS client");
    let name = ServerName::IpAddress(intake.ip().into());
    let tls = tokio::time::timeout(
        REPLY_WAIT,
        connector.connect(name, talk.stream.into_inner()),
    )
    .await
    .expect("the TLS handshake ends in time")
    .expect("the TLS handshake succeeds");
    let mut talk = Talk::new(tls, talk.replies);
    talk.mail(recipients, message).await;
    talk.session()
}

/// Waits until no stored returned mail waits to be applied and `n` are stored in all
/// (applied, unmatched or ignored).
pub async fn wait_until_applied(store: &circulars_store::Store, n: usize) {
    use circulars_store::ReportState;
    let deadline = std::time::Instant::now() + crate::PATIENCE;
    loop {
        let mut seen = 0;
        for state in [
            ReportState::Applied,
            ReportState::Unmatched,
            ReportState::Ignored,
        ] {
            seen += store.inbound_reports(state, 1000).await.unwrap().len();
        }
        if seen >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {seen} of {n} returned mails applied"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
