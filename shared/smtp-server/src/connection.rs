//! The client's connection, plain TCP or TLS over it, and reading lines from it with a
//! length limit.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;
use tracing::debug;

/// A client connection: plain TCP, or TLS after STARTTLS or from the first byte.
pub(crate) enum Connection {
    /// Plain text.
    Plain(TcpStream),
    /// TLS over the TCP connection.
    Tls(Box<TlsStream<TcpStream>>),
}

impl Connection {
    /// The TCP socket underneath.
    fn tcp(&self) -> &TcpStream {
        match self {
            Connection::Plain(tcp) => tcp,
            Connection::Tls(tls) => tls.get_ref().0,
        }
    }

    /// Resets the connection (RST instead of an orderly close), as a crashed peer would.
    ///
    /// `SO_LINGER` 0 never blocks on close. (`set_linger` is deprecated for its blocking
    /// non-zero form; its replacement `set_zero_linger` needs tokio 1.50, above the workspace's
    /// minimum.)
    #[allow(deprecated)]
    pub(crate) fn reset(self) {
        if let Err(e) = self.tcp().set_linger(Some(Duration::ZERO)) {
            debug!(error = %e, "cannot set SO_LINGER 0; closing normally");
        }
        drop(self);
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(tcp) => Pin::new(tcp).poll_read(cx, buf),
            Connection::Tls(tls) => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Connection::Plain(tcp) => Pin::new(tcp).poll_write(cx, buf),
            Connection::Tls(tls) => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(tcp) => Pin::new(tcp).poll_flush(cx),
            Connection::Tls(tls) => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(tcp) => Pin::new(tcp).poll_shutdown(cx),
            Connection::Tls(tls) => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }
}

/// What reading one line gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A whole line, through its LF, `len` octets long; `cut` when only its first octets
    /// (as many as were to be kept) are in the buffer.
    Complete {
        /// The length of the whole line, line ending included.
        len: usize,
        /// Whether the buffer holds less than the whole line.
        cut: bool,
    },
    /// The line went on past the octets we were willing to read; the rest is still unread.
    Unfinished,
    /// The connection closed (a partial last line is dropped).
    Eof,
}

/// Reads one line through its LF into `buf`, keeping at most `keep` octets of it and reading
/// at most `give_up` octets of it (the rest stays unread: [`Line::Unfinished`]).
pub(crate) async fn read_line<R: AsyncBufRead + Unpin>(
    r: &mut R,
    buf: &mut Vec<u8>,
    keep: usize,
    give_up: usize,
) -> io::Result<Line> {
    buf.clear();
    let mut len = 0usize;
    loop {
        let chunk = r.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(Line::Eof);
        }
        let (through_lf, ends) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let take = through_lf.min(give_up.saturating_sub(len));
        let room = keep.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        r.consume(take);
        len += take;
        if ends && take == through_lf {
            return Ok(Line::Complete {
                len,
                cut: len > keep,
            });
        }
        if len >= give_up {
            return Ok(Line::Unfinished);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, BufReader};

    async fn lines(input: &[u8], keep: usize, give_up: usize) -> Vec<(Line, Vec<u8>)> {
        // A tiny buffer, so lines arrive in several chunks.
        let mut r = BufReader::with_capacity(3, input);
        let mut out = Vec::new();
        loop {
            let mut buf = Vec::new();
            let line = read_line(&mut r, &mut buf, keep, give_up)
                .await
                .expect("read");
            out.push((line, buf));
            if !matches!(line, Line::Complete { .. }) {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn lines_are_read_through_their_lf_and_cut_at_the_limit() {
        let got = lines(b"NOOP\r\nQUIT 1234567\nrest", 8, usize::MAX).await;
        assert_eq!(
            got,
            [
                (Line::Complete { len: 6, cut: false }, b"NOOP\r\n".to_vec()),
                (Line::Complete { len: 13, cut: true }, b"QUIT 123".to_vec()),
                (Line::Eof, b"rest".to_vec()),
            ]
        );
    }

    #[tokio::test]
    async fn reading_stops_where_told_and_leaves_the_rest_unread() {
        let mut r = BufReader::with_capacity(3, &b"abcdefgh\nnext\n"[..]);
        let mut buf = Vec::new();
        let line = read_line(&mut r, &mut buf, 8, 5).await.expect("read");
        assert_eq!((line, buf.as_slice()), (Line::Unfinished, &b"abcde"[..]));
        let mut rest = String::new();
        r.read_to_string(&mut rest).await.expect("read");
        assert_eq!(rest, "fgh\nnext\n");
        // A line exactly as long as the limit is whole.
        let got = lines(b"abcd\n", 5, 5).await;
        assert_eq!(got[0].0, Line::Complete { len: 5, cut: false });
    }
}
