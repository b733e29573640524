//! Quoted-printable (RFC 2045 §6.7) of one piece of a body, encoded on its own: it starts at
//! the beginning of a line and, unless it ends with a line break, ends with a soft line break
//! (`=` CRLF). Pieces so encoded can be concatenated in any order and decode to the
//! concatenation of their text, which is what lets a body be encoded once around its slots.

/// The longest encoded line, the soft-break `=` included (RFC 2045 §6.7 rule 5).
const MAX_LINE: usize = 76;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends the quoted-printable encoding of `piece` (CRLF line ends, as every text body here
/// has) to `out`, as described in the module documentation.
pub(super) fn encode_piece(piece: &[u8], out: &mut Vec<u8>) {
    let mut column = 0;
    let mut i = 0;
    while i < piece.len() {
        let b = piece[i];
        if b == b'\r' && piece.get(i + 1) == Some(&b'\n') {
            out.extend_from_slice(b"\r\n");
            column = 0;
            i += 2;
            continue;
        }
        // Space and tab stay literal unless a line end follows them (at the piece's end a soft
        // break follows, whose `=` keeps them from ending the line).
        let whitespace_at_end =
            (b == b' ' || b == b'\t') && matches!(piece.get(i + 1), Some(&b'\r') | Some(&b'\n'));
        let literal = ((b'!'..=b'~').contains(&b) && b != b'=')
            || ((b == b' ' || b == b'\t') && !whitespace_at_end);
        let width = if literal { 1 } else { 3 };
        // Room for the token and, should more follow on this line, the soft break's `=`.
        if column + width > MAX_LINE - 1 {
            out.extend_from_slice(b"=\r\n");
            column = 0;
        }
        if literal {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        column += width;
        i += 1;
    }
    if column > 0 {
        out.extend_from_slice(b"=\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes quoted-printable as RFC 2045 says a receiver does.
    fn decode(encoded: &[u8]) -> Vec<u8> {
        let text = std::str::from_utf8(encoded).unwrap();
        let mut out = Vec::new();
        let mut lines = text.split("\r\n").peekable();
        while let Some(line) = lines.next() {
            let (body, soft) = match line.strip_suffix('=') {
                Some(body) => (body, true),
                None => (line, false),
            };
            let bytes = body.as_bytes();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'=' {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            if !soft && lines.peek().is_some() {
                out.extend_from_slice(b"\r\n");
            }
        }
        out
    }

    #[test]
    fn pieces_decode_to_their_concatenation_with_short_lines() {
        let repeated = "Zoë & <Fils> ".repeat(20);
        let pieces: [&[u8]; 4] = [
            "Pour l'Administration de la Freedonie, a=b ".as_bytes(),
            repeated.as_bytes(),
            b"\r\nline two \r\n",
            "Циркуляр".as_bytes(),
        ];
        let mut encoded = Vec::new();
        for piece in pieces {
            encode_piece(piece, &mut encoded);
        }
        assert!(encoded.ends_with(b"\r\n"));
        for line in encoded.split(|&b| b == b'\n') {
            assert!(
                line.len() <= MAX_LINE + 1,
                "{}",
                String::from_utf8_lossy(line)
            );
            assert!(!line.ends_with(b" \r") && !line.ends_with(b"\t\r"));
        }
        assert_eq!(decode(&encoded), pieces.concat());
    }
}
