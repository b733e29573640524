//! A text body (the text/plain or text/html part of a rendition) encoded once around its
//! per-recipient slots, in whichever of quoted-printable and base64 is shorter for it, and
//! completed per recipient by encoding only the slots' values.

use super::base64;
use super::quoted;
use circulars_core::domain::{ADDRESSEE_SLOT, PREFERENCES_SLOT, UNSUBSCRIBE_SLOT};

/// A per-recipient field of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// The addressee (organisation), [`ADDRESSEE_SLOT`].
    Addressee,
    /// The one-click unsubscribe URL, [`UNSUBSCRIBE_SLOT`].
    Unsubscribe,
    /// The preferences URL, [`PREFERENCES_SLOT`].
    Preferences,
}

impl Slot {
    const ALL: [(Slot, &'static str); 3] = [
        (Slot::Addressee, ADDRESSEE_SLOT),
        (Slot::Unsubscribe, UNSUBSCRIBE_SLOT),
        (Slot::Preferences, PREFERENCES_SLOT),
    ];
}

/// The values of one recipient's slots, as they go into a body (HTML-escaped for the HTML part).
#[derive(Debug, Clone, Copy)]
pub(super) struct Values<'a> {
    /// The addressee.
    pub addressee: &'a str,
    /// The unsubscribe URL.
    pub unsubscribe: &'a str,
    /// The preferences URL.
    pub preferences: &'a str,
}

impl Values<'_> {
    fn of(&self, slot: Slot) -> &[u8] {
        match slot {
            Slot::Addressee => self.addressee.as_bytes(),
            Slot::Unsubscribe => self.unsubscribe.as_bytes(),
            Slot::Preferences => self.preferences.as_bytes(),
        }
    }
}

/// A body's text cut at its slots: fixed text, slot, fixed text, … (fixed text possibly empty).
#[derive(Debug, Clone)]
struct Cut {
    fixed: Vec<Vec<u8>>,
    slots: Vec<Slot>,
}

impl Cut {
    /// Cuts `text`, its line ends made CRLF (the canonical form of text, RFC 2046 §4.1.1).
    fn new(text: &str) -> Self {
        let text = crlf(text);
        let mut fixed = Vec::new();
        let mut slots = Vec::new();
        let mut rest = text.as_str();
        loop {
            let next = Slot::ALL
                .iter()
                .filter_map(|&(slot, mark)| rest.find(mark).map(|at| (at, slot, mark.len())))
                .min_by_key(|&(at, _, _)| at);
            match next {
                Some((at, slot, len)) => {
                    fixed.push(rest.as_bytes()[..at].to_vec());
                    slots.push(slot);
                    rest = &rest[at + len..];
                }
                None => {
                    fixed.push(rest.as_bytes().to_vec());
                    return Cut { fixed, slots };
                }
            }
        }
    }
}

/// `text` with every line end (LF, CR or CRLF) made CRLF.
fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 32);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\r\n");
            }
            '\n' => out.push_str("\r\n"),
            c => out.push(c),
        }
    }
    out
}

/// The transfer encoding of a body.
#[derive(Debug, Clone)]
enum Encoded {
    /// Quoted-printable: each fixed piece encoded on its own (see `quoted`).
    Quoted(Vec<Vec<u8>>),
    /// Base64: each fixed piece encoded from the three offsets (see `base64`).
    Base64(Vec<base64::Piece>),
}

/// A body encoded once, its slots open.
#[derive(Debug, Clone)]
pub(super) struct Body {
    slots: Vec<Slot>,
    encoded: Encoded,
}

/// A slot's value as long as a typical one, for choosing the encoding: an unsubscribe URL.
const TYPICAL_VALUE: usize = 96;

impl Body {
    /// Encodes `text` (LF or CRLF line ends, slots as in `Rendition`) in the shorter encoding.
    pub(super) fn new(text: &str) -> Self {
        let Cut { fixed, slots } = Cut::new(text);
        let values = slots.len() * TYPICAL_VALUE;
        let quoted: Vec<Vec<u8>> = fixed
            .iter()
            .map(|piece| {
                let mut out = Vec::with_capacity(piece.len() + piece.len() / 8);
                quoted::encode_piece(piece, &mut out);
                out
            })
            .collect();
        let quoted_len = quoted.iter().map(Vec::len).sum::<usize>() + values;
        let base64_len = (fixed.iter().map(Vec::len).sum::<usize>() + values) * 78 / 57;
        let encoded = if quoted_len <= base64_len {
            Encoded::Quoted(quoted)
        } else {
            Encoded::Base64(fixed.into_iter().map(base64::Piece::new).collect())
        };
        Body { slots, encoded }
    }

    /// The `Content-Transfer-Encoding` of the body.
    pub(super) fn transfer_encoding(&self) -> &'static str {
        match self.encoded {
            Encoded::Quoted(_) => "quoted-printable",
            Encoded::Base64(_) => "base64",
        }
    }

    /// The size of the encoded fixed text, for reserving a message's buffer.
    pub(super) fn fixed_len(&self) -> usize {
        match &self.encoded {
            Encoded::Quoted(pieces) => pieces.iter().map(Vec::len).sum(),
            Encoded::Base64(pieces) => pieces.iter().map(base64::Piece::encoded_len).sum(),
        }
    }

    /// Appends the encoded body with `values` in its slots, ending with CRLF.
    pub(super) fn write(&self, values: &Values<'_>, out: &mut Vec<u8>) {
        match &self.encoded {
            Encoded::Quoted(pieces) => {
                for (i, piece) in pieces.iter().enumerate() {
                    if i > 0 {
                        quoted::encode_piece(values.of(self.slots[i - 1]), out);
                    }
                    out.extend_from_slice(piece);
                }
                if !out.ends_with(b"\r\n") {
                    out.extend_from_slice(b"\r\n");
                }
            }
            Encoded::Base64(pieces) => {
                let mut writer = base64::Writer::default();
                for (i, piece) in pieces.iter().enumerate() {
                    if i > 0 {
                        writer.value(values.of(self.slots[i - 1]));
                    }
                    writer.piece(piece, out);
                }
                writer.finish(out);
            }
        }
    }
}
