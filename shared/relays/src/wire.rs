//! The bytes of an SMTP client connection: the socket (plain TCP or TLS over it), replies
//! read from it (multi-line, RFC 5321 §4.2.1) each within its wait, and writes (vectored,
//! each within the data-block wait).

use circulars_core::domain::SmtpReply;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

/// The longest reply line read, in octets (RFC 5321 allows 512; relays write longer ones).
const MAX_LINE: usize = 8192;
/// The most lines one reply may have.
const MAX_LINES: usize = 100;
/// How much is read from the socket at a time.
const READ_CHUNK: usize = 4096;

/// The socket: plain TCP, or TLS over it (implicit, or after STARTTLS).
pub(crate) enum Stream {
    /// Plain text.
    Plain(TcpStream),
    /// TLS.
    Tls(Box<TlsStream<TcpStream>>),
}

/// Why a read or a write did not complete.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Nothing (or not all) within the wait.
    Timeout(Duration),
    /// The connection closed or broke, or sent something that is no SMTP reply.
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

/// One SMTP reply: its code and the text of each line (after the code and its separator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    /// The three-digit code.
    pub code: u16,
    /// Each line's text.
    pub lines: Vec<String>,
}

impl Reply {
    /// 2xx.
    pub(crate) fn is_ok(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// 4xx or 5xx.
    pub(crate) fn is_refusal(&self) -> bool {
        (400..600).contains(&self.code)
    }

    /// The reply as recorded: code, enhanced code (taken off every line that repeats it) and
    /// the lines' text joined by spaces.
    pub(crate) fn to_smtp(&self) -> SmtpReply {
        let first = SmtpReply::new(self.code, self.lines.first().map_or("", String::as_str));
        let mut text = first.text;
        for line in self.lines.iter().skip(1) {
            let line = match &first.enhanced {
                Some(enhanced) => line
                    .strip_prefix(enhanced.as_str())
                    .map_or(line.as_str(), str::trim_start),
                None => line.as_str(),
            };
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(line.trim());
        }
        SmtpReply {
            code: self.code,
            enhanced: first.enhanced,
            text,
        }
    }
}

/// A connection with what has been read from it but not yet taken.
pub(crate) struct Wire {
    stream: Stream,
    read: Vec<u8>,
    taken: usize,
}

impl Wire {
    /// A connection with nothing read yet.
    pub(crate) fn new(stream: Stream) -> Wire {
        Wire {
            stream,
            read: Vec::with_capacity(READ_CHUNK),
            taken: 0,
        }
    }

    /// The TCP socket, for the TLS handshake after STARTTLS, and whether the relay sent
    /// more than was read (RFC 3207 forbids acting on it); `None` on a TLS connection.
    pub(crate) fn into_plain(self) -> Option<(TcpStream, bool)> {
        let unread = self.taken < self.read.len();
        match self.stream {
            Stream::Plain(tcp) => Some((tcp, unread)),
            Stream::Tls(_) => None,
        }
    }

    /// Reads one whole reply within `wait`.
    pub(crate) async fn reply(&mut self, wait: Duration) -> Result<Reply, Failure> {
        tokio::time::timeout(wait, self.read_reply())
            .await
            .map_err(|_| Failure::Timeout(wait))?
            .map_err(Failure::Io)
    }

    async fn read_reply(&mut self) -> io::Result<Reply> {
        let mut code = None;
        let mut lines = Vec::new();
        loop {
            let line = self.line().await?;
            let (this, last, text) = parse_line(&line)?;
            let code = *code.get_or_insert(this);
            lines.push(text);
            if last {
                return Ok(Reply { code, lines });
            }
            if lines.len() >= MAX_LINES {
                return Err(invalid("a reply of more than 100 lines"));
            }
        }
    }

    /// The next line, without its line end.
    async fn line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            let unread = &self.read[self.taken..];
            if let Some(end) = memchr::memchr(b'\n', unread) {
                let line = unread[..end].strip_suffix(b"\r").unwrap_or(&unread[..end]);
                let line = line.to_vec();
                self.taken += end + 1;
                return Ok(line);
            }
            if unread.len() > MAX_LINE {
                return Err(invalid("a reply line longer than 8192 octets"));
            }
            self.read.drain(..self.taken);
            self.taken = 0;
            let filled = self.read.len();
            self.read.resize(filled + READ_CHUNK, 0);
            let n = self.stream.read(&mut self.read[filled..]).await;
            self.read.truncate(filled + n.as_ref().map_or(0, |n| *n));
            if n? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the relay closed the connection",
                ));
            }
        }
    }

    /// Writes `bytes` within `wait`.
    pub(crate) async fn write(&mut self, bytes: &[u8], wait: Duration) -> Result<(), Failure> {
        self.write_vectored(&mut [IoSlice::new(bytes)], wait).await
    }

    /// Writes every slice, each write (and the flush) within `wait`: usually one system call.
    pub(crate) async fn write_vectored(
        &mut self,
        mut slices: &mut [IoSlice<'_>],
        wait: Duration,
    ) -> Result<(), Failure> {
        let within = |wait| move |_| Failure::Timeout(wait);
        while !slices.is_empty() {
            let n = tokio::time::timeout(wait, self.stream.write_vectored(slices))
                .await
                .map_err(within(wait))??;
            if n == 0 {
                return Err(Failure::Io(io::ErrorKind::WriteZero.into()));
            }
            IoSlice::advance_slices(&mut slices, n);
        }
        tokio::time::timeout(wait, self.stream.flush())
            .await
            .map_err(within(wait))??;
        Ok(())
    }
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("no SMTP reply: {what}"))
}

/// A reply line's code, whether it is the last line, and its text.
fn parse_line(line: &[u8]) -> io::Result<(u16, bool, String)> {
    let digits = line.get(..3).filter(|d| d.iter().all(u8::is_ascii_digit));
    let Some(digits) = digits else {
        let shown = String::from_utf8_lossy(&line[..line.len().min(40)]).into_owned();
        return Err(invalid(&format!("{shown:?}")));
    };
    let code = digits
        .iter()
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    let (last, text) = match line.get(3) {
        None => (true, &[][..]),
        Some(b' ') => (true, &line[4..]),
        Some(b'-') => (false, &line[4..]),
        Some(_) => return Err(invalid("a code not followed by a space or '-'")),
    };
    Ok((code, last, String::from_utf8_lossy(text).into_owned()))
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_write_vectored(cx, bufs),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Stream::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_lines_give_their_code_their_end_and_their_text() {
        let line = |l: &[u8]| parse_line(l).unwrap();
        assert_eq!(line(b"250-PIPELINING"), (250, false, "PIPELINING".into()));
        assert_eq!(line(b"250 2.0.0 Ok"), (250, true, "2.0.0 Ok".into()));
        assert_eq!(line(b"354"), (354, true, String::new()));
        assert!(parse_line(b"HTTP/1.1 400").is_err());
        assert!(parse_line(b"25").is_err());
        assert!(parse_line(b"250_x").is_err());
    }

    #[test]
    fn a_multi_line_refusal_keeps_its_enhanced_code_once() {
        let reply = Reply {
            code: 550,
            lines: vec![
                "5.1.1 <gone@example.org>: Recipient address rejected:".into(),
                "5.1.1 User unknown".into(),
            ],
        };
        let smtp = reply.to_smtp();
        assert_eq!((smtp.code, smtp.enhanced.as_deref()), (550, Some("5.1.1")));
        assert_eq!(
            smtp.text,
            "<gone@example.org>: Recipient address rejected: User unknown"
        );
        let plain = Reply {
            code: 250,
            lines: vec!["Ok: queued as ABC".into()],
        }
        .to_smtp();
        assert_eq!(
            (plain.enhanced, plain.text.as_str()),
            (None, "Ok: queued as ABC")
        );
    }
}
