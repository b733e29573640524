//! The text/plain part of a body: pulldown-cmark events laid out like a typed letter, as the
//! parent module's documentation describes.

use super::sanitize::link_url;
use super::shown_url;
use pulldown_cmark::{Alignment, Event, Tag, TagEnd};

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
pub(super) struct TextWriter {
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
    /// The text of `events`, ending with exactly one newline.
    pub(super) fn render(mut self, events: &[Event<'_>]) -> String {
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
            TagEnd::BlockQuote(_) | TagEnd::List(_) => {
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
    use super::super::samples::{render, RICH, SAMPLE};

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
    fn text_has_no_trailing_spaces_and_one_final_newline() {
        for body in [SAMPLE, RICH, "", "x\n\n\n", "> a\n>\n> b\n", "- \n- a\n"] {
            let text = render(body).text;
            assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{text:?}");
            assert!(text.lines().all(|l| l == l.trim_end()), "{text:?}");
        }
    }
}
