//! RFC 2047 encoded words (base64, UTF-8) for a display name or a subject that is not plain
//! ASCII, each holding whole words of the text.
//!
//! # Where the text is split
//! A decoder drops the whitespace between two encoded words (RFC 2047 §6.2), so the spaces
//! between the text's words travel inside the encoded words, at the end of each. Splitting only
//! after a space means that a decoder that shows each encoded word apart, or joins them with a
//! space as some do, still shows no word cut in two, and an Arabic word keeps its letters
//! joined. Only a run without spaces too long for one encoded word (Chinese, or one very long
//! word) is cut between characters: next to an ideograph or a punctuation mark where it can
//! (where a line may break, UAX #14), never inside a UTF-8 sequence, and not before a combining
//! mark when there is another place.
//!
//! Each encoded word is at most 75 characters (RFC 2047 §2); the first one shares the field
//! name's line when its words fit there, each other one has a folded line of its own.

use super::fields::LINE;
use data_encoding::BASE64;

/// `=?utf-8?b?` and `?=` around an encoded word.
const OVERHEAD: usize = 12;

/// The longest encoded word (RFC 2047 §2).
const MAX_WORD: usize = 75;

/// How many bytes of text an encoded word of at most `room` characters holds (base64 writes
/// each three bytes as four characters).
fn capacity(room: usize) -> usize {
    room.saturating_sub(OVERHEAD) / 4 * 3
}

/// Appends `text` as encoded words, each after a space: the first on the line that is at
/// `column` when its words fit there, each other one on a folded line of its own. Returns the
/// column the last line ends at.
pub(super) fn write(out: &mut Vec<u8>, text: &str, column: usize) -> usize {
    let full = capacity(MAX_WORD);
    let mut column = column;
    let mut rest = text;
    let mut first = true;
    while !rest.is_empty() {
        let room = if first {
            capacity(LINE.saturating_sub(column + 1).min(MAX_WORD))
        } else {
            full
        };
        let end = match next_end(rest, room, full) {
            Some(end) => end,
            // Nothing fits after the field name: start on the next line.
            None if first => {
                first = false;
                continue;
            }
            // A fresh line holds more than any character; one character keeps this finite.
            None => rest.chars().next().map_or(rest.len(), char::len_utf8),
        };
        if !first {
            out.extend_from_slice(b"\r\n");
            column = 0;
        }
        let (word, tail) = rest.split_at(end);
        let encoded = BASE64.encode(word.as_bytes());
        out.extend_from_slice(b" =?utf-8?b?");
        out.extend_from_slice(encoded.as_bytes());
        out.extend_from_slice(b"?=");
        column += 1 + OVERHEAD + encoded.len();
        rest = tail;
        first = false;
    }
    column
}

/// Where the next encoded word of `text` ends when it may hold `room` bytes and a word on a
/// fresh line `full` bytes: after the last of the text's words that fit; inside the first word
/// only when it does not fit a fresh line either. `None` when it is better to start a fresh line.
fn next_end(text: &str, room: usize, full: usize) -> Option<usize> {
    let mut ends = word_ends(text);
    let first = ends.next().unwrap_or(text.len());
    if first <= room {
        Some(ends.take_while(|&end| end <= room).last().unwrap_or(first))
    } else if first <= full {
        None
    } else {
        cut(&text[..first], room)
    }
}

/// The ends of the words of `text`, each word with the spaces after it, in order; the last is
/// the end of the text.
fn word_ends(text: &str) -> impl Iterator<Item = usize> + '_ {
    let mut previous = None;
    text.char_indices()
        .filter_map(move |(i, c)| {
            let end = (previous == Some(' ') && c != ' ').then_some(i);
            previous = Some(c);
            end
        })
        .chain(std::iter::once(text.len()))
}

/// Where to cut `word` (no space but those at its end) so that its first part is at most `room`
/// bytes of whole characters: the last place where a line may break, or else the last place
/// not before a combining mark, or else the last character boundary. `None` when not even one
/// character fits.
fn cut(word: &str, room: usize) -> Option<usize> {
    let (mut breaks, mut unmarked, mut any) = (None, None, None);
    let mut chars = word.char_indices().peekable();
    while let Some((_, before)) = chars.next() {
        let Some(&(at, after)) = chars.peek() else {
            break;
        };
        if at > room {
            break;
        }
        any = Some(at);
        if !combining(after) {
            unmarked = Some(at);
            if ideographic(before)
                || ideographic(after)
                || !before.is_alphanumeric()
                || !after.is_alphanumeric()
            {
                breaks = Some(at);
            }
        }
    }
    breaks.or(unmarked).or(any)
}

/// Whether `c` is written without spaces around it, so that a line may break before or after
/// it: CJK ideographs, kana, CJK punctuation and full-width forms.
fn ideographic(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{30FF}'
        | '\u{3100}'..='\u{31FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{3FFFF}')
}

/// Whether `c` belongs to the character before it: a combining mark of the Latin, Cyrillic,
/// Arabic or CJK scripts, a variation selector, or a joiner.
fn combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{0483}'..='\u{0489}'
        | '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E4}'
        | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{302A}'..='\u{302F}'
        | '\u{3099}'..='\u{309A}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{E0100}'..='\u{E01EF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoded words `text` is written as after a field name of `name_len` characters,
    /// each decoded, and the lines written.
    fn split(text: &str, name_len: usize) -> (Vec<String>, Vec<String>) {
        let mut out = b"X".repeat(name_len);
        out.push(b':');
        write(&mut out, text, name_len + 1);
        let written = String::from_utf8(out).unwrap();
        let words = written
            .split("=?utf-8?b?")
            .skip(1)
            .map(|w| {
                let b64 = w.split("?=").next().unwrap();
                String::from_utf8(BASE64.decode(b64.as_bytes()).unwrap()).unwrap()
            })
            .collect();
        (words, written.split("\r\n").map(str::to_owned).collect())
    }

    /// Checks what every split must be: the words decode back to the text, each encoded word
    /// is at most 75 characters and each line at most 78.
    fn check(text: &str, name_len: usize) -> Vec<String> {
        let (words, lines) = split(text, name_len);
        assert_eq!(words.concat(), text);
        for line in &lines {
            assert!(line.len() <= LINE, "{line:?}");
            for word in line.split(' ').filter(|w| w.starts_with("=?")) {
                assert!(word.len() <= MAX_WORD, "{word}");
            }
        }
        assert!(lines[1..].iter().all(|l| l.starts_with(" =?")), "{lines:?}");
        words
    }

    #[test]
    fn names_with_spaces_split_only_after_a_space() {
        for (text, name_len) in [
            ("Бюро стандартизации электросвязи МСЭ", 4),
            ("مكتب تقييس الاتصالات في الاتحاد الدولي للاتصالات", 4),
            (
                "Bureau de la normalisation des télécommunications de l'UIT",
                4,
            ),
            (
                "Циркуляр БСЭ 36: приглашение к участию в семинаре «Стандарты и общество»",
                7,
            ),
        ] {
            let words = check(text, name_len);
            assert!(words.len() > 1, "{text}: {words:?}");
            for word in &words[..words.len() - 1] {
                assert!(word.ends_with(' '), "{text}: {words:?}");
            }
        }
        assert_eq!(
            check("Бюро стандартизации электросвязи МСЭ", 4),
            ["Бюро стандартизации ", "электросвязи МСЭ"]
        );
    }

    #[test]
    fn each_encoded_word_holds_as_many_whole_words_as_fit() {
        let words = check(&"Бюро ".repeat(30), 4);
        // "Бюро " is 9 bytes: five fit the 45 bytes of an encoded word.
        assert!(words.iter().all(|w| w == &"Бюро ".repeat(5)), "{words:?}");
        assert_eq!(words.len(), 6);
    }

    #[test]
    fn a_word_that_does_not_fit_after_the_field_name_starts_on_the_next_line() {
        // After a 40-character name 37 characters are left: 18 bytes of text.
        let word = "электросвязи"; // 24 bytes
        let (words, lines) = split(&format!("{word} МСЭ"), 40);
        assert_eq!(words, [format!("{word} МСЭ")]);
        assert_eq!(lines[0], format!("{}:", "X".repeat(40)));
    }

    #[test]
    fn text_without_spaces_is_cut_between_whole_characters() {
        let subject = "电信标准化局第36号通函：邀请参加国际电联完善人工智能就绪度框架专家组的工作";
        let words = check(subject, 7);
        assert!(words.len() > 1);
        assert!(words.iter().all(|w| w.len() <= 45));
        assert_eq!(check("国际电联电信标准化局", 4), ["国际电联电信标准化局"]);
    }

    #[test]
    fn a_word_too_long_for_one_encoded_word_is_cut_next_to_punctuation_or_between_characters() {
        // Cut after the hyphen, the last place a line may break within the 45 bytes.
        let word = format!("{}-{}", "a".repeat(40), "b".repeat(40));
        assert_eq!(cut(&word, 45), Some(41));
        // Between Latin letters only when there is no other place.
        assert_eq!(cut(&"é".repeat(30), 45), Some(44));
        // Never before a combining mark when there is another place: "е" + U+0301, 4 bytes.
        assert_eq!(cut(&"е\u{301}".repeat(20), 45), Some(44));
        // Arabic letters with their vowel marks stay together.
        assert_eq!(cut(&"بَ".repeat(20), 45), Some(44));
        assert_eq!(cut("日本", 2), None, "not even one character fits");
        let text = format!("Ab {} cd", "é".repeat(40));
        let words = check(&text, 7);
        assert_eq!(words[0], "Ab ");
    }
}
