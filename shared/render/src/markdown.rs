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

use ammonia::UrlRelative;
use pulldown_cmark::{Alignment, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// The only CSS properties that may appear in a `style` attribute of the HTML part; the
/// sanitiser drops every other property.
pub const ALLOWED_CSS: &[&str] = &[
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "line-height",
    "color",
    "background-color",
    "margin",
    "margin-top",
    "margin-bottom",
    "padding",
    "border",
    "border-collapse",
    "text-align",
    "vertical-align",
    "width",
];

/// Every tag the HTML part may contain (exactly the tags this module generates).
const ALLOWED_TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "br",
    "hr",
];

/// The tags that carry a `style` attribute.
const STYLED_TAGS: &[&str] = &[
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
    "table",
    "th",
    "td",
];

/// The URL schemes a link may use.
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Longest snippet of refused HTML quoted in an error, in characters.
const SNIPPET_CHARS: usize = 40;

const TABLE_STYLE: &str = "border-collapse:collapse;margin:0 0 12px 0";
const CELL_STYLE: &str = "border:1px solid #999999;padding:4px 8px;vertical-align:top";
const PRE_STYLE: &str =
    "font-family:monospace;background-color:#f4f4f4;padding:8px;margin:0 0 12px 0";
const QUOTE_STYLE: &str = "margin:8px 0 8px 16px;padding:0 0 0 8px;color:#555555";

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

/// Renders a circular body: HTML for the text/html part, plain text for the text/plain part, with the same content.
pub fn render_body(markdown: &str) -> Result<RenderedBody, BodyError> {
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
    let html = sanitize(&HtmlWriter::default().render(&events));
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

/// The second line of defence: only the tags and attributes this module generates, only
/// `http`, `https` and `mailto` links, only [`ALLOWED_CSS`] in `style` attributes.
fn sanitize(html: &str) -> String {
    let mut attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    attributes.insert("a", HashSet::from(["href"]));
    attributes.insert("ol", HashSet::from(["start"]));
    for tag in STYLED_TAGS {
        attributes.insert(tag, HashSet::from(["style"]));
    }
    ammonia::Builder::empty()
        .tags(ALLOWED_TAGS.iter().copied().collect())
        .tag_attributes(attributes)
        .generic_attributes(HashSet::new())
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::Deny)
        .filter_style_properties(ALLOWED_CSS.iter().copied().collect())
        .clean(html)
        .to_string()
}

/// The link target to use for a Markdown link, or `None` when the scheme is not allowed
/// (relative links included: they mean nothing in a mail).
fn link_url(dest: &str, link_type: LinkType) -> Option<String> {
    let dest = dest.trim();
    if link_type == LinkType::Email {
        return Some(format!("mailto:{dest}"));
    }
    let (scheme, _) = dest.split_once(':')?;
    URL_SCHEMES
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme))
        .then(|| dest.to_owned())
}

/// `url` as shown in the text part: without `mailto:`.
fn shown_url(url: &str) -> &str {
    match url.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => &url[7..],
        _ => url,
    }
}

fn escape_into(out: &mut String, s: &str) {
    out.push_str(&circulars_core::domain::escape_html(s));
}

fn heading_tag(level: HeadingLevel) -> (&'static str, &'static str) {
    match level {
        HeadingLevel::H1 => ("h1", "font-size:22px;font-weight:bold;margin:16px 0 8px 0"),
        HeadingLevel::H2 => ("h2", "font-size:19px;font-weight:bold;margin:14px 0 8px 0"),
        HeadingLevel::H3 => ("h3", "font-size:17px;font-weight:bold;margin:12px 0 6px 0"),
        HeadingLevel::H4 => ("h4", "font-size:15px;font-weight:bold;margin:12px 0 6px 0"),
        HeadingLevel::H5 => ("h5", "font-size:14px;font-weight:bold;margin:10px 0 4px 0"),
        HeadingLevel::H6 => ("h6", "font-size:13px;font-weight:bold;margin:10px 0 4px 0"),
    }
}

fn align_css(alignment: Option<&Alignment>) -> &'static str {
    match alignment {
        Some(Alignment::Center) => "center",
        Some(Alignment::Right) => "right",
        Some(Alignment::Left | Alignment::None) | None => "left",
    }
}

/// The HTML part, before sanitising.
#[derive(Default)]
struct HtmlWriter {
    out: String,
    /// Open links: whether the `<a>` was written, and where its text starts.
    links: Vec<(Option<String>, usize)>,
    alignments: Vec<Alignment>,
    in_head: bool,
    in_body: bool,
    cell: usize,
}

impl HtmlWriter {
    fn render(mut self, events: &[Event<'_>]) -> String {
        for event in events {
            self.event(event);
        }
        self.out
    }

    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(t) => escape_into(&mut self.out, t),
            Event::Code(t) => {
                self.out.push_str("<code>");
                escape_into(&mut self.out, t);
                self.out.push_str("</code>");
            }
            Event::SoftBreak => self.out.push('\n'),
            Event::HardBreak => self.out.push_str("<br>\n"),
            Event::Rule => self.out.push_str("<hr>\n"),
            // Not enabled, or refused before rendering.
            _ => {}
        }
    }

    fn start(&mut self, tag: &Tag<'_>) {
        let o = &mut self.out;
        match tag {
            Tag::Paragraph => o.push_str("<p>"),
            Tag::Heading { level, .. } => {
                let (name, style) = heading_tag(*level);
                o.push_str(&format!("<{name} style=\"{style}\">"));
            }
            Tag::BlockQuote(_) => o.push_str(&format!("<blockquote style=\"{QUOTE_STYLE}\">\n")),
            Tag::CodeBlock(_) => o.push_str(&format!("<pre style=\"{PRE_STYLE}\"><code>")),
            Tag::List(Some(1)) => o.push_str("<ol>\n"),
            Tag::List(Some(start)) => o.push_str(&format!("<ol start=\"{start}\">\n")),
            Tag::List(None) => o.push_str("<ul>\n"),
            Tag::Item => o.push_str("<li>"),
            Tag::Table(alignments) => {
                self.alignments.clone_from(alignments);
                self.in_body = false;
                o.push_str(&format!("<table style=\"{TABLE_STYLE}\">\n"));
            }
            Tag::TableHead => {
                self.in_head = true;
                self.cell = 0;
                o.push_str("<thead>\n<tr>");
            }
            Tag::TableRow => {
                if !self.in_body {
                    self.in_body = true;
                    o.push_str("<tbody>\n");
                }
                self.cell = 0;
                o.push_str("<tr>");
            }
            Tag::TableCell => {
                let name = if self.in_head { "th" } else { "td" };
                let weight = if self.in_head {
                    ";font-weight:bold"
                } else {
                    ""
                };
                let align = align_css(self.alignments.get(self.cell));
                o.push_str(&format!(
                    "<{name} style=\"{CELL_STYLE};text-align:{align}{weight}\">"
                ));
            }
            Tag::Emphasis => o.push_str("<em>"),
            Tag::Strong => o.push_str("<strong>"),
            Tag::Strikethrough => o.push_str("<del>"),
            Tag::Link {
                link_type,
                dest_url,
                ..
            }
            | Tag::Image {
                link_type,
                dest_url,
                ..
            } => {
                let url = link_url(dest_url, *link_type);
                if let Some(url) = &url {
                    o.push_str("<a href=\"");
                    escape_into(o, url);
                    o.push_str("\">");
                }
                let at = o.len();
                self.links.push((url, at));
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        let o = &mut self.out;
        match tag {
            TagEnd::Paragraph => o.push_str("</p>\n"),
            TagEnd::Heading(level) => o.push_str(&format!("</{}>\n", heading_tag(level).0)),
            TagEnd::BlockQuote(_) => o.push_str("</blockquote>\n"),
            TagEnd::CodeBlock => o.push_str("</code></pre>\n"),
            TagEnd::List(true) => o.push_str("</ol>\n"),
            TagEnd::List(false) => o.push_str("</ul>\n"),
            TagEnd::Item => o.push_str("</li>\n"),
            TagEnd::Table => {
                if self.in_body {
                    o.push_str("</tbody>\n");
                }
                o.push_str("</table>\n");
            }
            TagEnd::TableHead => {
                self.in_head = false;
                o.push_str("</tr>\n</thead>\n");
            }
            TagEnd::TableRow => o.push_str("</tr>\n"),
            TagEnd::TableCell => {
                o.push_str(if self.in_head { "</th>" } else { "</td>" });
                self.cell += 1;
            }
            TagEnd::Emphasis => o.push_str("</em>"),
            TagEnd::Strong => o.push_str("</strong>"),
            TagEnd::Strikethrough => o.push_str("</del>"),
            TagEnd::Link | TagEnd::Image => {
                if let Some((Some(url), at)) = self.links.pop() {
                    if o[at..].trim().is_empty() {
                        escape_into(o, shown_url(&url));
                    }
                    o.push_str("</a>");
                }
            }
            _ => {}
        }
    }
}

/// A container the text part indents lines for.
enum Container {
    Quote,
    List {
        next: Option<u64>,
        loose: bool,
        items: usize,
    },
    Item {
        marker: String,
        started: bool,
    },
}

/// A table being collected for the text part.
#[derive(Default)]
struct TextTable {
    alignments: Vec<Alignment>,
    rows: Vec<Vec<String>>,
    has_head: bool,
}

/// The text/plain part.
#[derive(Default)]
struct TextWriter {
    out: String,
    stack: Vec<Container>,
    /// The inline content of the current block; `\n` for hard breaks.
    inline: String,
    blank_pending: bool,
    /// Open links: the url to show, and where the link text starts in `inline`.
    links: Vec<(Option<String>, usize)>,
    code: Option<String>,
    table: Option<TextTable>,
}

impl TextWriter {
    fn render(mut self, events: &[Event<'_>]) -> String {
        for event in events {
            self.event(event);
        }
        self.flush();
        let mut text = self.out.trim_end_matches('\n').to_owned();
        text.push('\n');
        text
    }

    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(t) => match &mut self.code {
                Some(code) => code.push_str(t),
                None => self.inline.push_str(t),
            },
            Event::Code(t) => self.inline.push_str(t),
            Event::SoftBreak => self.inline.push(' '),
            Event::HardBreak => self.inline.push('\n'),
            Event::Rule => {
                self.flush();
                self.line("----------");
                self.blank_pending = true;
            }
            _ => {}
        }
    }

    fn start(&mut self, tag: &Tag<'_>) {
        match tag {
            Tag::Paragraph => {
                self.flush();
                if let [.., Container::List { loose, .. }, Container::Item { .. }] =
                    self.stack.as_mut_slice()
                {
                    *loose = true;
                }
            }
            Tag::Heading { .. } => self.flush(),
            Tag::BlockQuote(_) => {
                self.flush();
                // The blank line before the quote belongs outside it.
                self.blank_if_pending();
                self.stack.push(Container::Quote);
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.code = Some(String::new());
            }
            Tag::List(start) => {
                self.flush();
                self.stack.push(Container::List {
                    next: *start,
                    loose: false,
                    items: 0,
                });
            }
            Tag::Item => {
                self.flush();
                let mut marker = "- ".to_owned();
                if let Some(Container::List { next, loose, items }) = self.stack.last_mut() {
                    if let Some(n) = next {
                        marker = format!("{n}. ");
                        *n += 1;
                    }
                    if *items > 0 {
                        self.blank_pending = *loose;
                    }
                    *items += 1;
                }
                self.stack.push(Container::Item {
                    marker,
                    started: false,
                });
            }
            Tag::Table(alignments) => {
                self.flush();
                self.table = Some(TextTable {
                    alignments: alignments.clone(),
                    ..TextTable::default()
                });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(table) = &mut self.table {
                    table.rows.push(Vec::new());
                }
            }
            Tag::TableCell => self.inline.clear(),
            Tag::Strikethrough => self.inline.push_str("~~"),
            Tag::Link {
                link_type,
                dest_url,
                ..
            }
            | Tag::Image {
                link_type,
                dest_url,
                ..
            } => {
                let url = link_url(dest_url, *link_type);
                self.links.push((url, self.inline.len()));
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) => {
                self.flush();
                self.blank_pending = true;
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.stack.pop();
                self.blank_pending = true;
            }
            TagEnd::CodeBlock => {
                let code = self.code.take().unwrap_or_default();
                for line in code.trim_end_matches('\n').split('\n') {
                    self.line(&format!("    {line}"));
                }
                self.blank_pending = true;
            }
            TagEnd::List(_) => {
                self.flush();
                self.stack.pop();
                self.blank_pending = true;
            }
            TagEnd::Item => {
                self.flush();
                if let Some(Container::Item { started: false, .. }) = self.stack.last() {
                    // An empty item still shows its marker.
                    self.line("");
                }
                self.stack.pop();
            }
            TagEnd::TableHead => {
                if let Some(table) = &mut self.table {
                    table.has_head = true;
                }
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.inline).replace('\n', " ");
                if let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut()) {
                    row.push(cell.trim().to_owned());
                }
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    for line in table_lines(&table) {
                        self.line(&line);
                    }
                }
                self.blank_pending = true;
            }
            TagEnd::Strikethrough => self.inline.push_str("~~"),
            TagEnd::Link | TagEnd::Image => {
                if let Some((Some(url), at)) = self.links.pop() {
                    let shown = shown_url(&url);
                    let text = self.inline.get(at..).unwrap_or_default().trim();
                    if text.is_empty() {
                        self.inline.push_str(shown);
                    } else if text != shown && text != url {
                        self.inline.push_str(&format!(" <{shown}>"));
                    }
                }
            }
            _ => {}
        }
    }

    /// Writes the pending inline content as lines.
    fn flush(&mut self) {
        let inline = std::mem::take(&mut self.inline);
        if inline.trim().is_empty() {
            return;
        }
        for line in inline.split('\n') {
            self.line(line.trim());
        }
    }

    /// The blank line separating blocks, if one is due.
    fn blank_if_pending(&mut self) {
        if self.blank_pending && !self.out.is_empty() {
            let prefix = self.prefix(false);
            self.out.push_str(prefix.trim_end());
            self.out.push('\n');
        }
        self.blank_pending = false;
    }

    /// Writes one line of content under the current containers.
    fn line(&mut self, content: &str) {
        self.blank_if_pending();
        let line = format!("{}{content}", self.prefix(true));
        self.out.push_str(line.trim_end());
        self.out.push('\n');
    }

    /// The indentation of a line; `first` uses (and spends) the markers of items not yet started.
    fn prefix(&mut self, first: bool) -> String {
        let mut prefix = String::new();
        for container in &mut self.stack {
            match container {
                Container::Quote => prefix.push_str("> "),
                Container::List { .. } => {}
                Container::Item { marker, started } => {
                    if first && !*started {
                        prefix.push_str(marker);
                        *started = true;
                    } else {
                        prefix.push_str("  ");
                    }
                }
            }
        }
        prefix
    }
}

/// A table as `|`-separated rows, cells padded to their column's width.
fn table_lines(table: &TextTable) -> Vec<String> {
    let columns = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![3; columns];
    for row in &table.rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut lines = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        let cells: Vec<String> = (0..columns)
            .map(|i| {
                let cell = row.get(i).map_or("", String::as_str);
                let pad = widths[i].saturating_sub(cell.chars().count());
                let (left, right) = match table.alignments.get(i) {
                    Some(Alignment::Right) => (pad, 0),
                    Some(Alignment::Center) => (pad / 2, pad - pad / 2),
                    _ => (0, pad),
                };
                format!("{}{cell}{}", " ".repeat(left), " ".repeat(right))
            })
            .collect();
        lines.push(format!("| {} |", cells.join(" | ")));
        if r == 0 && table.has_head {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            lines.push(format!("| {} |", rule.join(" | ")));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(markdown: &str) -> RenderedBody {
        render_body(markdown).unwrap()
    }

    /// The values of every `style="…"` attribute in `html`.
    fn style_attributes(html: &str) -> Vec<&str> {
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find("style=\"") {
            rest = &rest[at + 7..];
            let end = rest.find('"').unwrap();
            found.push(&rest[..end]);
            rest = &rest[end..];
        }
        found
    }

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

    const SAMPLE: &str = "\
# Circular 42

Dear *colleagues*, see [the site](https://www.itu.int) and <https://www.itu.int/en>.

- one
  - one.a
  - one.b
- two

1. first
2. second

| Country | Code |
|---|---|
| France | 33 |
";

    const RICH: &str = "\
# Administrative circular

## Meetings in **2026**

Dear Sir/Madam,  
the *Bureau* has the honour to inform you of the following ~~draft~~ meetings.
Write to <tsbsg@itu.int> or [the secretariat](mailto:tsbsg@itu.int).

### Dates

| Group | Place | Days |
|:------|:-----:|-----:|
| SG 2 | Geneva | 5 |
| SG 17 | Online | 10 |

> Registration closes one month before the meeting.
>
> Late requests cannot be accepted.

1. Register online.

2. Ask for a visa:
   - early;
   - with the `invitation` letter.

---

    code block line 1
    line 2

#### Small
##### Smaller
###### Smallest
";

    #[test]
    fn sample_renders_to_html() {
        let html = render(SAMPLE).html;
        for fragment in [
            "<h1 style=\"",
            ">Circular 42</h1>",
            "<em>colleagues</em>",
            "<a href=\"https://www.itu.int\" rel=\"noopener noreferrer\">the site</a>",
            "<a href=\"https://www.itu.int/en\" rel=\"noopener noreferrer\">https://www.itu.int/en</a>",
            "<ul>\n<li>one<ul>\n<li>one.a</li>\n<li>one.b</li>\n</ul>\n</li>\n<li>two</li>\n</ul>",
            "<ol>\n<li>first</li>\n<li>second</li>\n</ol>",
            "<table style=\"border-collapse:collapse",
            "<thead>",
            "<tbody>",
            ">Country</th>",
            ">Code</th>",
            ">France</td>",
            ">33</td>",
        ] {
            assert!(html.contains(fragment), "{fragment:?} missing from:\n{html}");
        }
        for tag in ["<th style=\"", "<td style=\""] {
            assert!(html.contains(tag), "{tag} has no style:\n{html}");
        }
    }

    #[test]
    fn sample_renders_to_text() {
        assert_eq!(
            render(SAMPLE).text,
            "\
Circular 42

Dear colleagues, see the site <https://www.itu.int> and https://www.itu.int/en.

- one
  - one.a
  - one.b
- two

1. first
2. second

| Country | Code |
| ------- | ---- |
| France  | 33   |
"
        );
    }

    #[test]
    fn rich_sample_renders_to_text() {
        assert_eq!(
            render(RICH).text,
            "\
Administrative circular

Meetings in 2026

Dear Sir/Madam,
the Bureau has the honour to inform you of the following ~~draft~~ meetings. Write to tsbsg@itu.int or the secretariat <tsbsg@itu.int>.

Dates

| Group | Place  | Days |
| ----- | ------ | ---- |
| SG 2  | Geneva |    5 |
| SG 17 | Online |   10 |

> Registration closes one month before the meeting.
>
> Late requests cannot be accepted.

1. Register online.

2. Ask for a visa:

  - early;
  - with the invitation letter.

----------

    code block line 1
    line 2

Small

Smaller

Smallest
"
        );
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
    fn html_uses_only_allowed_inline_css() {
        let html = render(RICH).html;
        let styles = style_attributes(&html);
        // h1–h6, table, 6 th/td cells (plus 3 header cells), blockquote, pre
        assert!(styles.len() >= 18, "styles lost:\n{html}");
        for style in styles {
            for declaration in style.split(';').filter(|d| !d.trim().is_empty()) {
                let (property, _) = declaration.split_once(':').unwrap();
                let property = property.trim().to_ascii_lowercase();
                assert!(
                    ALLOWED_CSS.contains(&property.as_str()),
                    "{property} in {style:?}"
                );
            }
        }
        for banned in ["<style", "<script", "class=", "<img", "<div", "<span"] {
            assert!(!html.contains(banned), "{banned} in:\n{html}");
        }
        assert!(html.contains("text-align:center"), "{html}");
        assert!(html.contains("<del>draft</del>"), "{html}");
        assert!(html.contains("href=\"mailto:tsbsg@itu.int\""), "{html}");
    }

    #[test]
    fn block_html_is_refused_with_its_line() {
        let err = render_body("Intro.\n\n<script>alert(1)</script>\n\nEnd.\n").unwrap_err();
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
        let err = render_body("# Title\n\nSome <b>x</b> text.\n").unwrap_err();
        assert_eq!(
            err,
            BodyError::RawHtml {
                line: 3,
                snippet: "<b>".to_owned()
            }
        );
        // within a paragraph of several lines
        let err = render_body("First line\nsecond line\nthird <b>x</b>\n").unwrap_err();
        assert!(matches!(err, BodyError::RawHtml { line: 3, .. }), "{err}");
        // comments are HTML too
        let err = render_body("Text\n\n<!-- note -->\n").unwrap_err();
        assert!(matches!(err, BodyError::RawHtml { line: 3, .. }), "{err}");
    }

    #[test]
    fn long_html_snippets_are_shortened() {
        let body = format!("<div title=\"{}\">\n", "x".repeat(100));
        let Err(BodyError::RawHtml { line, snippet }) = render_body(&body) else {
            panic!("accepted");
        };
        assert_eq!(line, 1);
        assert_eq!(snippet.chars().count(), SNIPPET_CHARS + 1);
        assert!(snippet.starts_with("<div title=") && snippet.ends_with('…'));
    }

    #[test]
    fn javascript_links_are_dropped() {
        for body in [
            "[click](javascript:alert(1))",
            "[click](JavaScript:alert(1))",
            "[click](data:text/html,x)",
            "![click](javascript:alert(1))",
        ] {
            let rendered = render(body);
            assert!(
                !rendered.html.to_ascii_lowercase().contains("javascript:"),
                "{}",
                rendered.html
            );
            assert!(!rendered.html.contains("href"), "{}", rendered.html);
            assert!(rendered.html.contains("click"), "{}", rendered.html);
            assert_eq!(rendered.text, "click\n");
        }
    }

    #[test]
    fn sanitizer_is_a_second_line_of_defence() {
        let html = sanitize(
            "<p class=\"x\" onclick=\"y()\">a<a href=\"javascript:alert(1)\">b</a></p>\
             <script>alert(2)</script><style>p{}</style><img src=\"http://x/\">\
             <h2 style=\"position:fixed;color:red\">c</h2><a href=\"rel/ative\">d</a>",
        );
        let lower = html.to_ascii_lowercase();
        for banned in [
            "javascript",
            "script",
            "<style",
            "class",
            "onclick",
            "<img",
            "position",
            "rel/ative",
        ] {
            assert!(!lower.contains(banned), "{banned} in {html}");
        }
        assert!(html.contains("color:red"), "{html}");
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

    #[test]
    fn text_has_no_trailing_spaces_and_one_final_newline() {
        for body in [SAMPLE, RICH, "", "x\n\n\n", "> a\n>\n> b\n", "- \n- a\n"] {
            let text = render(body).text;
            assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{text:?}");
            assert!(text.lines().all(|l| l == l.trim_end()), "{text:?}");
        }
    }
}
