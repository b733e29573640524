//! m-FILTER's notice (a Japanese mail gateway): a paragraph in Japanese, the address alone on
//! a line, then "-------server message" with the remote reply and "-------SMTP command".

use super::{Named, Notice, Reading};
use crate::status::Hint;
use crate::{address, Form};

/// Recognises m-FILTER's notice and reads the addresses above its server message.
pub(super) fn read(notice: &Notice<'_>) -> Option<Reading> {
    let server = notice.find("-------server message")?;
    notice.find_from("-------smtp command", server + 1)?;
    let reply = notice.paragraph_after(server);
    let named = notice.lines[..server]
        .iter()
        .filter_map(|line| alone_on_its_line(line))
        .map(|recipient| Named::new(recipient, reply.iter().copied()))
        .collect();
    Some((Form::MFilter, named, Some(Hint::Permanent)))
}

/// The address a line holds and nothing else.
fn alone_on_its_line(line: &str) -> Option<String> {
    let trimmed = line.trim();
    let found = address::find_first(trimmed)?;
    (found == trimmed.trim_matches(['<', '>'])).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_alone_on_a_line_takes_the_server_message() {
        let text = "以下のメールアドレスへの送信に失敗しました。\ngone@example.org\n\n\n\
                    -------server message\n550 5.1.1 <gone@example.org>: User unknown\n\n\
                    -------SMTP command\nDATA\n";
        let (form, named, _) = read(&Notice::new(text)).unwrap();
        assert_eq!(form, Form::MFilter);
        assert_eq!(named.len(), 1);
        assert_eq!(named[0].recipient, "gone@example.org");
        assert_eq!(
            named[0].diagnostic.as_deref(),
            Some("550 5.1.1 <gone@example.org>: User unknown")
        );
    }
}
