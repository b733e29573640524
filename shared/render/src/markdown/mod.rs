//! Circular bodies: the Markdown written by the secretariat rendered once as sanitised HTML with
//! inline styles (the text/html part) and once as plain text (the text/plain part), with the
//! same content.
//!
//! Accepted: CommonMark plus GFM tables and strikethrough. Raw HTML is refused
//! ([`BodyError::RawHtml`]); the generated HTML also goes through an ammonia allow-list of the
//! tags this module produces, links limited to `http`, `https` and `mailto`.
//!
//! # The text/plain part
//! - paragraphs, headings, lists, quotes, code blocks and tables are separated by one blank
//!   line; a paragraph is one line (soft line breaks become spaces, mail clients wrap), a hard
//!   break starts a new line
//! - headings: their text on its own line
//! - lists: `- item` or `1. item`, two more spaces per nesting level (continuation lines of an
//!   item are indented two spaces too); loose lists keep a blank line between items
//! - links: `text <url>`, or only the url when the text is the url; `mailto:` is not shown;
//!   a link whose url is refused (not http, https or mailto) is kept as its text only, in both
//!   parts; an image becomes a link to it (alt text, or the url when there is none)
//! - tables: `|`-separated rows, cells padded to the widest cell of their column (counted in
//!   characters, so columns line up for Latin text in a monospaced font), the header row
//!   followed by a `| --- |` rule
//! - block quotes: lines prefixed with `> `; code blocks: indented four spaces; rules: `----------`
//! - emphasis and code markers are dropped; strikethrough keeps `~~` so deleted text stays
//!   visibly deleted
//! - no trailing spaces; the text ends with exactly one newline
//!
//! # Layout
//! - this file: [`render_body`], its result and its error
//! - `html`: the writer of the text/html part (inline styles)
//! - `text`: the writer of the text/plain part
//! - `sanitize`: the allow-lists (tags, attributes, [`ALLOWED_CSS`], link schemes) and the
//!   ammonia pass over the HTML part

mod html;
#[cfg(test)]
mod samples;
mod sanitize;
mod text;

pub use sanitize::ALLOWED_CSS;

use html::HtmlWriter;
use pulldown_cmark::{Event, Options, Parser, Tag};
use sanitize::sanitize;
use std::ops::Range;
use text::TextWriter;

/// Longest snippet of refused HTML quoted in an error, in characters.
const SNIPPET_CHARS: usize = 40;

/// A body rendered for both parts of the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedBody {
    /// The text/html part: a sanitised HTML fragment (no `<html>`/`<body>`), inline styles only.
    pub html: String,
    /// The text/plain part: the same content laid out like a typed letter, ending with one `\n`.
    pub text: String,
}

/// Why a circular body cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The body contains HTML (a block, an inline tag or a comment); it must be plain Markdown.
    #[error("line {line}: raw HTML is not allowed in a circular body: {snippet}")]
    RawHtml {
        /// The 1-based line of the body where the first HTML starts.
        line: usize,
        /// The start of that HTML, at most 40 characters (then `…`).
        snippet: String,
    },
}

/// Renders a circular body: HTML for the text/html part, plain text for the text/plain part,
/// with the same content. A body in a right-to-left language has its tables marked so and its
/// left-to-right runs isolated in the HTML (the text part is marked by the layout, line by line).
pub fn render_body(markdown: &str, right_to_left: bool) -> Result<RenderedBody, BodyError> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut events = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        if matches!(
            event,
            Event::Html(_) | Event::InlineHtml(_) | Event::Start(Tag::HtmlBlock)
        ) {
            return Err(raw_html(markdown, range));
        }
        events.push(event);
    }
    let html = sanitize(&HtmlWriter::new(right_to_left).render(&events));
    let text = TextWriter::default().render(&events);
    Ok(RenderedBody { html, text })
}

/// The error for raw HTML at `range` of `markdown`.
fn raw_html(markdown: &str, range: Range<usize>) -> BodyError {
    let start = range.start.min(markdown.len());
    let line = markdown
        .get(..start)
        .map_or(1, |before| before.matches('\n').count() + 1);
    let source = markdown.get(start..range.end).unwrap_or_default();
    let first = source.lines().next().unwrap_or_default().trim();
    let mut snippet: String = first.chars().take(SNIPPET_CHARS).collect();
    if first.chars().count() > SNIPPET_CHARS {
        snippet.push('…');
    }
    BodyError::RawHtml { line, snippet }
}

/// `url` as shown in the text part: without `mailto:`.
fn shown_url(url: &str) -> &str {
    match url.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => &url[7..],
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::samples::{render, RICH, SAMPLE};
    use super::*;

    /// The words of the text content of `html`.
    fn html_words(html: &str) -> Vec<String> {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => {
                    in_tag = false;
                    text.push(' ');
                }
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&nbsp;", " ")
            .replace("&amp;", "&");
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn text_keeps_every_word_of_the_html() {
        for body in [SAMPLE, RICH] {
            let rendered = render(body);
            let words = html_words(&rendered.html);
            assert!(words.len() > 20);
            for word in words {
                assert!(
                    rendered.text.contains(&word),
                    "{word:?} missing from:\n{}",
                    rendered.text
                );
            }
        }
    }

    #[test]
    fn block_html_is_refused_with_its_line() {
        let err = render_body("Intro.\n\n<script>alert(1)</script>\n\nEnd.\n", false).unwrap_err();
        assert_eq!(
            err,
            BodyError::RawHtml {
                line: 3,
                snippet: "<script>alert(1)</script>".to_owned()
            }
        );
        assert_eq!(
            err.to_string(),
            "line 3: raw HTML is not allowed in a circular body: <script>alert(1)</script>"
        );
    }

    #[test]
    fn inline_html_is_refused_with_its_line() {
        let err = render_body("# Title\n\nSome <b>x</b> text.\n", false).unwrap_err();
        assert_eq!(
            err,
            BodyError::RawHtml {
                line: 3,
                snippet: "<b>".to_owned()
            }
        );
        // within a paragraph of several lines
        let err = render_body("First line\nsecond line\nthird <b>x</b>\n", false).unwrap_err();
        assert!(matches!(err, BodyError::RawHtml { line: 3, .. }), "{err}");
        // comments are HTML too
        let err = render_body("Text\n\n<!-- note -->\n", false).unwrap_err();
        assert!(matches!(err, BodyError::RawHtml { line: 3, .. }), "{err}");
    }

    #[test]
    fn long_html_snippets_are_shortened() {
        let body = format!("<div title=\"{}\">\n", "x".repeat(100));
        let Err(BodyError::RawHtml { line, snippet }) = render_body(&body, false) else {
            panic!("accepted");
        };
        assert_eq!(line, 1);
        assert_eq!(snippet.chars().count(), SNIPPET_CHARS + 1);
        assert!(snippet.starts_with("<div title=") && snippet.ends_with('…'));
    }

    #[test]
    fn arabic_and_chinese_pass_through() {
        let arabic = "يسرني أن أبلغكم بأن الاجتماع سيعقد في جنيف.";
        let chinese = "我谨通知您，会议将在日内瓦举行。";
        let rendered = render(&format!("# تعميم\n\n{arabic}\n\n{chinese}\n"));
        assert!(rendered.html.contains(">تعميم</h1>"), "{}", rendered.html);
        assert!(rendered.html.contains(&format!("<p>{arabic}</p>")));
        assert!(rendered.html.contains(&format!("<p>{chinese}</p>")));
        assert_eq!(rendered.text, format!("تعميم\n\n{arabic}\n\n{chinese}\n"));
    }
}
