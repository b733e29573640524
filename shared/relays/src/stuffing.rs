//! Dot-stuffing (RFC 5321 §4.5.2) done while the message is written, in one pass: the
//! message is cut before every line that starts with `.`, and the pieces, a `.` before each
//! such line and the closing `.` line go out as one vectored write. Nothing is copied.

use std::io::IoSlice;

/// The dot put before a line that starts with one.
const DOT: &[u8] = b".";
/// The closing line after a message that ends with its line end, as it should.
const END: &[u8] = b".\r\n";
/// The closing line after a message whose last line has no line end.
const CRLF_END: &[u8] = b"\r\n.\r\n";

/// What to write after `354` for `message` (RFC 5322, CRLF line ends, not dot-stuffed): its
/// pieces with a `.` before every line that starts with `.`, then the closing `.` line.
pub(crate) fn stuffed(message: &[u8]) -> Vec<IoSlice<'_>> {
    let mut pieces = Vec::with_capacity(4);
    let mut start = 0;
    if message.first() == Some(&b'.') {
        pieces.push(IoSlice::new(DOT));
    }
    for newline in memchr::memmem::find_iter(message, b"\n.") {
        let line = newline + 1;
        pieces.push(IoSlice::new(&message[start..line]));
        pieces.push(IoSlice::new(DOT));
        start = line;
    }
    if start < message.len() {
        pieces.push(IoSlice::new(&message[start..]));
    }
    let whole_lines = message.is_empty() || message.ends_with(b"\n");
    pieces.push(IoSlice::new(if whole_lines { END } else { CRLF_END }));
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(message: &[u8]) -> Vec<u8> {
        stuffed(message).iter().flat_map(|p| p.to_vec()).collect()
    }

    /// What a server keeps: lines up to the lone `.`, a leading `.` taken off each.
    fn unstuffed(wire: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        for line in wire.split_inclusive(|&b| b == b'\n') {
            if line == b".\r\n" {
                return out;
            }
            out.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
        }
        panic!("no closing line in {:?}", String::from_utf8_lossy(wire));
    }

    #[test]
    fn lines_starting_with_a_dot_get_one_more_and_come_back_as_they_were() {
        let message = b".first line\r\nplain\r\n.\r\n..two\r\nend.\r\n.\r\n";
        assert_eq!(
            written(message),
            b"..first line\r\nplain\r\n..\r\n...two\r\nend.\r\n..\r\n.\r\n"
        );
        assert_eq!(unstuffed(&written(message)), message);
    }

    #[test]
    fn a_message_without_dots_is_one_piece_and_the_closing_line() {
        let message = b"Subject: x\r\n\r\nDear Sir/Madam,\r\n";
        let pieces = stuffed(message);
        assert_eq!(pieces.len(), 2);
        assert_eq!(written(message), [&message[..], b".\r\n"].concat());
    }

    #[test]
    fn a_last_line_without_its_line_end_is_ended_before_the_dot() {
        assert_eq!(written(b"a\r\nb"), b"a\r\nb\r\n.\r\n");
        assert_eq!(written(b""), b".\r\n");
    }
}
