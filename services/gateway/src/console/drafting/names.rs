//! The draft form's field names: the metadata's, and each language's (`subject-fr`), and
//! which of them a problem of the document names (`text.fr.subject` is shown at `subject-fr`).

use circulars_core::domain::Language;

/// The form's names of one language's fields: its section, subject, body, reference line, the
/// signatory's and contact's names as the language writes them, and annex files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LanguageNames {
    /// The section's `id` (the in-page link's target).
    pub section: &'static str,
    /// The subject.
    pub subject: &'static str,
    /// The Markdown body.
    pub body: &'static str,
    /// The reference line in this language.
    pub reference: &'static str,
    /// The signatory's name as this language writes it.
    pub signatory: &'static str,
    /// The contact's name as this language writes it.
    pub contact_name: &'static str,
    /// The annex files of this language.
    pub annexes: &'static str,
}

macro_rules! names {
    ($code:literal) => {
        LanguageNames {
            section: concat!("text-", $code),
            subject: concat!("subject-", $code),
            body: concat!("body-", $code),
            reference: concat!("reference-", $code),
            signatory: concat!("signatory-", $code),
            contact_name: concat!("contact-name-", $code),
            annexes: concat!("annex-", $code),
        }
    };
}

/// The names of `language`'s fields.
pub fn names(language: Language) -> LanguageNames {
    match language {
        Language::Ar => names!("ar"),
        Language::Zh => names!("zh"),
        Language::En => names!("en"),
        Language::Fr => names!("fr"),
        Language::Ru => names!("ru"),
        Language::Es => names!("es"),
    }
}

/// The field of files for every language.
pub const ANNEX_ALL: &str = "annex-all";

/// The form field where a problem the document's checks name (`text.fr.subject`,
/// `contact.email`, `annexes[1].fr`) is shown; `None` for one that concerns no field of the
/// form (shown at the top only).
pub fn form_field(problem: &str) -> Option<&'static str> {
    let fixed = match problem {
        "series" => Some("series"),
        "number" => Some("number"),
        "reference" => Some("reference"),
        "date" => Some("date"),
        "contact" | "contact.name" => Some("contact-name"),
        "contact.email" => Some("contact-email"),
        "contact.tel" => Some("contact-tel"),
        "contact.fax" => Some("contact-fax"),
        "signatory" => Some("signatory"),
        "categories" => Some("categories"),
        "copy" => Some("copy"),
        "topic" => Some("topic"),
        "fallback_language" => Some("fallback-language"),
        "archive" => Some("archive"),
        "annexes" | "language" => Some("annexes"),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    if let Some(rest) = problem.strip_prefix("annexes[") {
        let language = rest.split_once("].").map(|(_, code)| code);
        return Some(
            match language.and_then(|code| code.parse::<Language>().ok()) {
                Some(language) => names(language).annexes,
                None => "annexes",
            },
        );
    }
    let rest = problem.strip_prefix("text.")?;
    let (code, part) = rest.split_once('.').unwrap_or((rest, "subject"));
    let n = names(code.parse::<Language>().ok()?);
    Some(match part {
        "body" => n.body,
        "reference" => n.reference,
        "signatory" => n.signatory,
        "contact_name" => n.contact_name,
        _ => n.subject,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_of_the_document_finds_its_field() {
        for (problem, field) in [
            ("text.fr.subject", Some("subject-fr")),
            ("text.ar.body", Some("body-ar")),
            ("text.zh", Some("subject-zh")),
            ("text.ru.contact_name", Some("contact-name-ru")),
            ("text.ar.signatory", Some("signatory-ar")),
            ("contact.email", Some("contact-email")),
            ("annexes[2].es", Some("annex-es")),
            ("annexes[1]", Some("annexes")),
            ("fallback_language", Some("fallback-language")),
            ("text.de", None),
            ("colour", None),
        ] {
            assert_eq!(form_field(problem), field, "{problem}");
        }
    }
}
