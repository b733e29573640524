//! Base64 (RFC 2045 §6.8) of a body whose fixed pieces are encoded once and whose slots are
//! encoded per recipient.
//!
//! Base64 turns groups of three bytes into four characters, so where a fixed piece's bytes fall
//! in the groups depends on how many bytes came before it, which a slot's value changes. Each
//! fixed piece is therefore encoded three times, from offset 0, 1 and 2: its whole groups from
//! that offset, and the 0–2 bytes left over. Per recipient a junction collects the bytes carried
//! over from the previous piece and the slot's value, takes from the next piece the 0–2 bytes
//! that complete its last group, and is encoded on its own; then the next piece's encoding from
//! that offset is copied as it is. Each chunk written holds whole groups and is broken into
//! lines of at most 76 characters, so a line ends early at a chunk's end: decoders ignore line
//! breaks (RFC 2045 §6.8), and only the last chunk carries padding.

use data_encoding::BASE64;

/// Characters per line (RFC 2045 §6.8).
const LINE: usize = 76;

/// Bytes per line: 57 bytes make 76 characters.
const LINE_BYTES: usize = LINE / 4 * 3;

/// A fixed piece of a body, encoded from each of the three offsets.
#[derive(Debug, Clone)]
pub(super) struct Piece {
    /// The piece's bytes.
    bytes: Vec<u8>,
    /// For offset 0, 1 and 2: the encoded lines of the whole groups from that offset (CRLF after
    /// each line) and where the bytes left over start.
    from: [(Vec<u8>, usize); 3],
}

impl Piece {
    /// Encodes `bytes` from the three offsets.
    pub(super) fn new(bytes: Vec<u8>) -> Self {
        let from = [0, 1, 2].map(|offset| {
            let offset = offset.min(bytes.len());
            let whole = (bytes.len() - offset) / 3 * 3;
            let mut lines = Vec::new();
            encode_lines(&bytes[offset..offset + whole], &mut lines);
            (lines, offset + whole)
        });
        Piece { bytes, from }
    }

    /// The size of the piece once encoded (from offset 0).
    pub(super) fn encoded_len(&self) -> usize {
        self.from[0].0.len()
    }
}

/// Writes a body of fixed pieces and slot values, in order, as base64 lines.
#[derive(Debug, Default)]
pub(super) struct Writer {
    /// Bytes not yet encoded: carried over from a piece, a slot's value, the head of a piece.
    junction: Vec<u8>,
}

impl Writer {
    /// Adds a slot's value.
    pub(super) fn value(&mut self, value: &[u8]) {
        self.junction.extend_from_slice(value);
    }

    /// Adds a fixed piece, writing to `out` all that can be encoded so far.
    pub(super) fn piece(&mut self, piece: &Piece, out: &mut Vec<u8>) {
        let offset = (3 - self.junction.len() % 3) % 3;
        let (encoded, rest) = &piece.from[offset];
        if encoded.is_empty() {
            // Too short to hold a whole group after the junction's: carried on whole.
            self.junction.extend_from_slice(&piece.bytes);
            return;
        }
        self.junction.extend_from_slice(&piece.bytes[..offset]);
        encode_lines(&self.junction, out);
        out.extend_from_slice(encoded);
        self.junction.clear();
        self.junction.extend_from_slice(&piece.bytes[*rest..]);
    }

    /// Writes what is left, padded, ending the body.
    pub(super) fn finish(&mut self, out: &mut Vec<u8>) {
        encode_lines(&self.junction, out);
        self.junction.clear();
    }
}

/// Appends the base64 of `bytes` to `out` in lines of at most 76 characters, CRLF after each.
/// Only a length that is not a multiple of three gets padding.
fn encode_lines(bytes: &[u8], out: &mut Vec<u8>) {
    for line in bytes.chunks(LINE_BYTES) {
        let start = out.len();
        out.resize(start + BASE64.encode_len(line.len()), 0);
        BASE64.encode_mut(line, &mut out[start..]);
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_and_values_of_any_length_decode_to_their_concatenation() {
        let fixed: Vec<Vec<u8>> = [0usize, 1, 2, 3, 4, 5, 58, 200]
            .iter()
            .map(|&n| (0..n).map(|i| (i * 7 % 251) as u8).collect())
            .collect();
        let pieces: Vec<Piece> = fixed.iter().cloned().map(Piece::new).collect();
        for value_len in 0..7 {
            let value: Vec<u8> = (0..value_len).map(|i| 200 + i as u8).collect();
            let mut writer = Writer::default();
            let mut out = Vec::new();
            let mut expected = Vec::new();
            for (piece, bytes) in pieces.iter().zip(&fixed) {
                writer.value(&value);
                writer.piece(piece, &mut out);
                expected.extend_from_slice(&value);
                expected.extend_from_slice(bytes);
            }
            writer.finish(&mut out);
            let text = std::str::from_utf8(&out).unwrap();
            assert!(text.is_empty() || text.ends_with("\r\n"));
            for line in text.split("\r\n") {
                assert!(line.len() <= LINE && line.len() % 4 == 0, "{line}");
            }
            let joined: String = text.split("\r\n").collect();
            assert_eq!(BASE64.decode(joined.as_bytes()).unwrap(), expected);
        }
    }
}
