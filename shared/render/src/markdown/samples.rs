//! Markdown bodies shared by the tests of the writers, and a `render` that expects success.

use super::{render_body, RenderedBody};

/// `markdown` rendered, for bodies the test knows to be valid.
pub(super) fn render(markdown: &str) -> RenderedBody {
    render_body(markdown, false).unwrap()
}

/// A short body with each common construct.
pub(super) const SAMPLE: &str = "\
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

/// A longer body: headings, a hard break, strikethrough, an aligned table, a quote, a loose
/// list, a rule and a code block.
pub(super) const RICH: &str = "\
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
