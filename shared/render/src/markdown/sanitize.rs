//! The allow-lists of the HTML part (tags, attributes, CSS properties, link schemes) and the
//! ammonia pass that enforces them, the second line of defence after refusing raw HTML.

use ammonia::UrlRelative;
use pulldown_cmark::LinkType;
use std::collections::{HashMap, HashSet};

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

/// Every tag the HTML part may contain (exactly the tags the HTML writer generates).
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
    "span",
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

/// The tags that carry a `dir` attribute: a right-to-left body's tables, and the spans that
/// isolate its left-to-right runs. Its only values are `ltr` and `rtl`.
const DIRECTED_TAGS: &[&str] = &["table", "span"];

/// The URL schemes a link may use.
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// The second line of defence: only the tags and attributes the HTML writer generates, only
/// `http`, `https` and `mailto` links, only [`ALLOWED_CSS`] in `style` attributes.
pub(super) fn sanitize(html: &str) -> String {
    let mut attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    attributes.insert("a", HashSet::from(["href"]));
    attributes.insert("ol", HashSet::from(["start"]));
    for tag in STYLED_TAGS {
        attributes.insert(tag, HashSet::from(["style"]));
    }
    for tag in DIRECTED_TAGS {
        attributes.entry(tag).or_default().insert("dir");
    }
    ammonia::Builder::empty()
        .tags(ALLOWED_TAGS.iter().copied().collect())
        .tag_attributes(attributes)
        .generic_attributes(HashSet::new())
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .url_relative(UrlRelative::Deny)
        .filter_style_properties(ALLOWED_CSS.iter().copied().collect())
        .attribute_filter(|_, attribute, value| match attribute {
            "dir" => matches!(value, "ltr" | "rtl").then_some(value.into()),
            _ => Some(value.into()),
        })
        .clean(html)
        .to_string()
}

/// The link target to use for a Markdown link, or `None` when the scheme is not allowed
/// (relative links included: they mean nothing in a mail).
pub(super) fn link_url(dest: &str, link_type: LinkType) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::super::samples::render;
    use super::*;

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
    fn a_direction_passes_only_where_the_writer_puts_one_and_only_as_ltr_or_rtl() {
        let html = sanitize(
            "<table dir=\"rtl\"><tr><td dir=\"ltr\">a</td></tr></table>\
             <p><span dir=\"ltr\">+41 22</span><span dir=\"x\" style=\"color:red\">b</span></p>",
        );
        assert!(html.contains("<table dir=\"rtl\">"), "{html}");
        assert!(html.contains("<span dir=\"ltr\">+41 22</span>"), "{html}");
        assert!(html.contains("<td>a</td>"), "no dir on cells: {html}");
        assert!(html.contains("<span>b</span>"), "{html}");
    }
}
