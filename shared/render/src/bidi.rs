//! Right-to-left text that reads right where it is shown without help. The Unicode bidi
//! algorithm orders a phone number such as `+41 22 730 5572` as `5572 730 22 41+` in a
//! right-to-left paragraph, and takes a plain-text paragraph's direction from its first strong
//! character, so that a line opening with a dash, a digit or a Latin name turns left to right.
//! Here the left-to-right runs of a right-to-left text (numbers, e-mail addresses, URLs,
//! references such as `TSB/FW`, Latin names) are found, to be isolated by the caller: marked
//! with LRM on both sides in plain text, set in a `dir="ltr"` element in HTML; and each line of
//! a plain-text part is opened with RLM.
//!
//! Fluent already isolates the values it places into a message (FSI … PDI: an addressee's name
//! may be Arabic or Latin, so its first strong character decides); such a span is left as it
//! is, and so is a personal slot (`{{addressee}}`), whose value comes later.
//!
//! The classes come from `unicode-bidi`'s tables; only the choice of runs is written here.

use circulars_core::domain::escape_html as escape;
use unicode_bidi::{bidi_class, BidiClass};

/// LEFT-TO-RIGHT MARK: a strong left-to-right character that shows nothing.
pub const LRM: char = '\u{200E}';
/// RIGHT-TO-LEFT MARK: a strong right-to-left character that shows nothing.
pub const RLM: char = '\u{200F}';
/// FIRST STRONG ISOLATE, which Fluent puts before a placed value.
const FSI: char = '\u{2068}';
/// POP DIRECTIONAL ISOLATE, which closes it.
const PDI: char = '\u{2069}';

/// A piece of a right-to-left text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Read in the paragraph's direction (and Fluent's isolated values, marks included).
    AsIs(&'a str),
    /// A left-to-right run, to be isolated.
    LeftToRight(&'a str),
}

/// Whether `c` starts a left-to-right run: a strong left-to-right letter, or a European digit.
fn starts_run(c: char) -> bool {
    matches!(bidi_class(c), BidiClass::L | BidiClass::EN)
}

/// Whether `c` ends the text a run may extend over: a strong right-to-left character, a
/// paragraph or isolate boundary.
fn stops_run(c: char) -> bool {
    matches!(
        bidi_class(c),
        BidiClass::R | BidiClass::AL | BidiClass::AN | BidiClass::B
    ) || c == FSI
        || c == PDI
}

/// Splits `text` into what reads as it is and the left-to-right runs: each run starts at a
/// strong left-to-right character or a digit (with a `+` just before a digit), and ends at the
/// last such character before the next right-to-left one, so the neutrals around it (spaces,
/// brackets, the sentence's full stop) stay with the right-to-left text. A bare number
/// (`2025`) is no run: it reads the same either way.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut pieces = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c == FSI {
            // Fluent's isolated value: up to its PDI, as it is.
            i += chars[i..]
                .iter()
                .position(|&(_, c)| c == PDI)
                .unwrap_or(chars.len() - i)
                + 1;
            continue;
        }
        if text[at..].starts_with("{{") {
            // A personal slot (`{{addressee}}`): its value is set later, in its own direction.
            let tail = text[at..].find("}}").map_or(text.len(), |e| at + e + 2);
            i += text[at..tail].chars().count();
            continue;
        }
        let plus = c == '+' && chars.get(i + 1).is_some_and(|&(_, n)| n.is_ascii_digit());
        if !(starts_run(c) || plus) {
            i += 1;
            continue;
        }
        // The run's last strong character before the next stop.
        let mut last = i;
        let mut j = i + 1;
        while j < chars.len() && !stops_run(chars[j].1) {
            if starts_run(chars[j].1) {
                last = j;
            }
            j += 1;
        }
        let end = chars[last].0 + chars[last].1.len_utf8();
        i = last + 1;
        if text[at..end].bytes().all(|b| b.is_ascii_digit()) {
            // A bare number (`2025`) reads the same either way: no mark needed.
            continue;
        }
        if plain_from < at {
            pieces.push(Piece::AsIs(&text[plain_from..at]));
        }
        pieces.push(Piece::LeftToRight(&text[at..end]));
        plain_from = end;
    }
    if plain_from < text.len() {
        pieces.push(Piece::AsIs(&text[plain_from..]));
    }
    pieces
}

/// `line` of a right-to-left plain-text part: opened with RLM, each left-to-right run between
/// LRMs. An empty line stays empty.
pub fn text_line(line: &str) -> String {
    if line.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(line.len() + 8);
    out.push(RLM);
    for piece in pieces(line) {
        match piece {
            Piece::AsIs(s) => out.push_str(s),
            Piece::LeftToRight(s) => {
                out.push(LRM);
                out.push_str(s);
                out.push(LRM);
            }
        }
    }
    out
}

/// `text` as HTML in a right-to-left letter: escaped, each left-to-right run in a
/// `<span dir="ltr">`.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for piece in pieces(text) {
        match piece {
            Piece::AsIs(s) => out.push_str(&escape(s)),
            Piece::LeftToRight(s) => {
                out.push_str("<span dir=\"ltr\">");
                out.push_str(&escape(s));
                out.push_str("</span>");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs(text: &str) -> Vec<&str> {
        pieces(text)
            .into_iter()
            .filter_map(|p| match p {
                Piece::LeftToRight(s) => Some(s),
                Piece::AsIs(_) => None,
            })
            .collect()
    }

    #[test]
    fn numbers_addresses_and_latin_names_are_the_runs() {
        assert_eq!(runs("الهاتف: +41 22 730 5572"), ["+41 22 730 5572"]);
        assert_eq!(
            runs("البريد الإلكتروني: ai-calls@itu.example."),
            ["ai-calls@itu.example"]
        );
        assert_eq!(runs("فعاليات مكتب تقييس الاتصالات/FW"), ["FW"]);
        assert_eq!(runs("الاتحاد الدولي للاتصالات (ITU) في جنيف"), ["ITU"]);
        assert_eq!(runs("Seizo Onoe"), ["Seizo Onoe"]);
        assert_eq!(runs("جنيف، 12 مارس 2025"), Vec::<&str>::new());
        assert_eq!(runs("مكتب تقييس الاتصالات"), Vec::<&str>::new());
        // A lone plus sign, or one before a letter, is no number.
        assert_eq!(runs("+ أ"), Vec::<&str>::new());
    }

    #[test]
    fn fluents_isolated_values_are_left_alone() {
        let footer = "إلغاء الاشتراك من هنا: \u{2068}{{unsubscribe}}\u{2069}";
        assert_eq!(runs(footer), Vec::<&str>::new());
        assert_eq!(pieces(footer), [Piece::AsIs(footer)]);
        assert_eq!(runs("لدى {{addressee}} في قائمة"), Vec::<&str>::new());
        assert_eq!(runs("هنا: {{unsubscribe}} ok"), ["ok"]);
    }

    #[test]
    fn a_text_line_opens_with_rlm_and_isolates_its_runs() {
        assert_eq!(
            text_line("الهاتف: +41 22 730 5572"),
            "\u{200F}الهاتف: \u{200E}+41 22 730 5572\u{200E}"
        );
        assert_eq!(text_line("- تكنولوجيات"), "\u{200F}- تكنولوجيات");
        assert_eq!(text_line(""), "");
    }

    #[test]
    fn html_runs_are_set_left_to_right_and_escaped() {
        assert_eq!(
            html("الفاكس: +41 22 <730>"),
            "الفاكس: <span dir=\"ltr\">+41 22 &lt;730</span>&gt;"
        );
    }
}
