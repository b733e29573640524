//! An SMTP client for the bounce intake, as a remote MTA returning mail would talk to it: one
//! session per message, every reply kept, and the message sent as given (dot-stuffed, nothing
//! else changed), so tests can send truncated, oversized or non-UTF-8 input.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

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

/// Reads one reply (all its lines); `None` when the connection closed first.
async fn reply(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> Option<String> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        let read = tokio::time::timeout(REPLY_WAIT, reader.read_line(&mut line))
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

/// Sends `message` from the null sender to `recipients`, stopping at the first refused step
/// (a refused recipient does not stop it while another was accepted). Returns every reply.
pub async fn send(intake: SocketAddr, recipients: &[&str], message: &[u8]) -> Session {
    let stream = TcpStream::connect(intake)
        .await
        .expect("the intake accepts connections");
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    let mut replies = Vec::new();
    macro_rules! step {
        ($command:expr) => {{
            if !$command.is_empty() {
                if write.write_all($command).await.is_err() {
                    return Session { replies };
                }
            }
            match reply(&mut reader).await {
                Some(r) => {
                    replies.push(r.clone());
                    r
                }
                None => return Session { replies },
            }
        }};
    }
    let greeting = step!(b"");
    if code(&greeting) != 220 {
        return Session { replies };
    }
    step!(b"EHLO mx.example.org\r\n");
    if code(&step!(b"MAIL FROM:<>\r\n")) != 250 {
        return Session { replies };
    }
    let mut accepted = 0;
    for recipient in recipients {
        if code(&step!(format!("RCPT TO:<{recipient}>\r\n").as_bytes())) == 250 {
            accepted += 1;
        }
    }
    if accepted == 0 {
        step!(b"QUIT\r\n");
        return Session { replies };
    }
    if code(&step!(b"DATA\r\n")) != 354 {
        return Session { replies };
    }
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
    // A refusal may come while the data is still going out; that is an answer too.
    let _ = write.write_all(&data).await;
    if let Some(r) = reply(&mut reader).await {
        replies.push(r);
        let _ = write.write_all(b"QUIT\r\n").await;
    }
    Session { replies }
}
