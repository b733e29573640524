//! The text/html part of a body: pulldown-cmark events written as HTML with inline styles (mail
//! clients drop style sheets), before the sanitiser's pass.

use super::sanitize::link_url;
use super::shown_url;
use pulldown_cmark::{Alignment, Event, HeadingLevel, Tag, TagEnd};

const TABLE_STYLE: &str = "border-collapse:collapse;margin:0 0 12px 0";
const CELL_STYLE: &str = "border:1px solid #999999;padding:4px 8px;vertical-align:top";
const PRE_STYLE: &str =
    "font-family:monospace;background-color:#f4f4f4;padding:8px;margin:0 0 12px 0";
const QUOTE_STYLE: &str = "margin:8px 0 8px 16px;padding:0 0 0 8px;color:#555555";

/// Appends `s` to `out`, escaped for HTML text and attribute values.
fn escape_into(out: &mut String, s: &str) {
    out.push_str(&circulars_core::domain::escape_html(s));
}

/// The tag of a heading of `level` and its inline style.
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

/// The `text-align` value of a table column aligned as `alignment`; unaligned columns start
/// where the text does (the right in a right-to-left body).
fn align_css(alignment: Option<&Alignment>, right_to_left: bool) -> &'static str {
    match alignment {
        Some(Alignment::Center) => "center",
        Some(Alignment::Right) => "right",
        Some(Alignment::Left) => "left",
        Some(Alignment::None) | None if right_to_left => "right",
        Some(Alignment::None) | None => "left",
    }
}

/// The HTML part, before sanitising.
#[derive(Default)]
pub(super) struct HtmlWriter {
    /// Whether the body is in a right-to-left language: its tables say so, and its
    /// left-to-right runs are isolated ([`crate::bidi`]).
    right_to_left: bool,
    out: String,
    /// Open links: whether the `<a>` was written, and where its text starts.
    links: Vec<(Option<String>, usize)>,
    alignments: Vec<Alignment>,
    in_head: bool,
    in_body: bool,
    cell: usize,
}

impl HtmlWriter {
    /// A writer for a body in a right-to-left language, or not.
    pub(super) fn new(right_to_left: bool) -> HtmlWriter {
        HtmlWriter {
            right_to_left,
            ..HtmlWriter::default()
        }
    }

    /// `s` as HTML text: escaped, and right to left with its left-to-right runs isolated.
    fn text(&mut self, s: &str) {
        if self.right_to_left {
            self.out.push_str(&crate::bidi::html(s));
        } else {
            escape_into(&mut self.out, s);
        }
    }

    /// The HTML of `events`, not yet sanitised.
    pub(super) fn render(mut self, events: &[Event<'_>]) -> String {
        for event in events {
            self.event(event);
        }
        self.out
    }

    fn event(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(t) => self.text(t),
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
                let dir = if self.right_to_left {
                    " dir=\"rtl\""
                } else {
                    ""
                };
                o.push_str(&format!("<table{dir} style=\"{TABLE_STYLE}\">\n"));
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
                let align = align_css(self.alignments.get(self.cell), self.right_to_left);
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
                    if self.out[at..].trim().is_empty() {
                        self.text(shown_url(&url));
                    }
                    self.out.push_str("</a>");
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::samples::{render, RICH, SAMPLE};
    use super::super::ALLOWED_CSS;

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
}
