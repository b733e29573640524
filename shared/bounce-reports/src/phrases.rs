//! The words mail systems write when they give no code (in English, German, French and
//! Japanese): used by [`crate::status::kind_of`] only when neither an enhanced status nor an
//! SMTP reply code decides.

use crate::status::Hint;

/// An RFC 3463 subject and detail, such as `(1, 1)` for "bad destination mailbox address".
pub(crate) type SubjectDetail = (u16, u16);

/// What a recognised phrase says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Phrase {
    /// Permanent or temporary.
    pub hint: Hint,
    /// The RFC 3463 subject and detail the phrase names (`user unknown`: 1.1), if one.
    pub subject_detail: Option<SubjectDetail>,
}

use Hint::{Permanent, Temporary};

/// The phrases, lowercase, most specific first: the first one found in a text decides.
const PHRASES: &[(&str, Hint, Option<SubjectDetail>)] = &[
    // The mailbox does not exist (x.1.1).
    ("user unknown", Permanent, Some((1, 1))),
    ("unknown user", Permanent, Some((1, 1))),
    ("no such user", Permanent, Some((1, 1))),
    ("no such recipient", Permanent, Some((1, 1))),
    ("unknown recipient", Permanent, Some((1, 1))),
    ("invalid recipient", Permanent, Some((1, 1))),
    ("recipient not found", Permanent, Some((1, 1))),
    ("recipientnotfound", Permanent, Some((1, 1))),
    ("recipnotfound", Permanent, Some((1, 1))),
    ("no mailbox here by that name", Permanent, Some((1, 1))),
    ("mailbox not found", Permanent, Some((1, 1))),
    ("address not found", Permanent, Some((1, 1))),
    ("couldn't be found", Permanent, Some((1, 1))),
    ("could not be found", Permanent, Some((1, 1))),
    ("does not exist", Permanent, Some((1, 1))),
    ("doesn't exist", Permanent, Some((1, 1))),
    ("this user doesn't have a", Permanent, Some((1, 1))),
    ("not listed in domino directory", Permanent, Some((1, 1))),
    (
        "not listed in the domino directory",
        Permanent,
        Some((1, 1)),
    ),
    // The domain does not exist (x.1.2).
    ("host or domain name not found", Permanent, Some((1, 2))),
    ("domain not found", Permanent, Some((1, 2))),
    ("no such domain", Permanent, Some((1, 2))),
    ("unrouteable address", Permanent, Some((1, 2))),
    ("unroutable address", Permanent, Some((1, 2))),
    // The mailbox is disabled (x.2.1).
    ("account has been disabled", Permanent, Some((2, 1))),
    ("account is disabled", Permanent, Some((2, 1))),
    ("mailbox disabled", Permanent, Some((2, 1))),
    // The mailbox is full (x.2.2).
    ("mailbox full", Temporary, Some((2, 2))),
    ("mailbox is full", Temporary, Some((2, 2))),
    ("over quota", Temporary, Some((2, 2))),
    ("quota exceeded", Temporary, Some((2, 2))),
    ("exceeded storage", Temporary, Some((2, 2))),
    // No mail server for the domain (x.4.4).
    ("no mx record found", Permanent, Some((4, 4))),
    // Given up after retrying: the notice is final, whatever failed on the way (x.4.7).
    ("giving up", Permanent, Some((4, 7))),
    ("not going to try again", Permanent, Some((4, 7))),
    // The network or the remote system, for now (x.4.x).
    ("connection timed out", Temporary, Some((4, 1))),
    ("timed out", Temporary, Some((4, 1))),
    ("connection refused", Temporary, Some((4, 1))),
    ("greylist", Temporary, Some((7, 1))),
    // Every host of the domain unreachable for long, still being tried (Exim).
    ("have been failing for a long time", Temporary, Some((4, 1))),
    // Said outright.
    ("failed permanently", Permanent, None),
    ("permanent error", Permanent, None),
    ("permanent failure", Permanent, None),
    ("permanent fatal", Permanent, None),
    ("try again later", Temporary, None),
    ("temporarily", Temporary, None),
    ("temporary failure", Temporary, None),
    ("temporary problem", Temporary, None),
    ("transient", Temporary, None),
    ("deferred", Temporary, None),
    ("delayed", Temporary, None),
    ("will be retried", Temporary, None),
    ("will retry", Temporary, None),
    ("still being retried", Temporary, None),
    ("not yet been delivered", Temporary, None),
    ("warning message only", Temporary, None),
    ("warning only", Temporary, None),
];

// ------------------------------------------------------------------ other languages
// Notices and replies in German, French and Japanese, decoded from their charset by
// mail-parser. Each table is searched after the English one, in the same order of meaning:
// the mailbox, the domain, disabled, full, then what is said outright.

/// German phrases, lowercase.
const GERMAN: &[(&str, Hint, Option<SubjectDetail>)] = &[
    ("benutzer unbekannt", Permanent, Some((1, 1))),
    ("unbekannter benutzer", Permanent, Some((1, 1))),
    ("empfänger unbekannt", Permanent, Some((1, 1))),
    ("unbekannter empfänger", Permanent, Some((1, 1))),
    ("postfach nicht gefunden", Permanent, Some((1, 1))),
    ("postfach existiert nicht", Permanent, Some((1, 1))),
    ("adresse existiert nicht", Permanent, Some((1, 1))),
    ("domain nicht gefunden", Permanent, Some((1, 2))),
    ("unbekannte domain", Permanent, Some((1, 2))),
    ("postfach deaktiviert", Permanent, Some((2, 1))),
    ("postfach gesperrt", Permanent, Some((2, 1))),
    ("konto gesperrt", Permanent, Some((2, 1))),
    ("postfach voll", Temporary, Some((2, 2))),
    ("postfach ist voll", Temporary, Some((2, 2))),
    ("speicherplatz überschritten", Temporary, Some((2, 2))),
    ("kontingent überschritten", Temporary, Some((2, 2))),
    ("permanenter fehler", Permanent, None),
    ("dauerhafter fehler", Permanent, None),
    ("endgültig fehlgeschlagen", Permanent, None),
    ("vorübergehend", Temporary, None),
    ("später erneut", Temporary, None),
    ("wird erneut versucht", Temporary, None),
];

/// French phrases, lowercase, with and without accents (gateways often drop them).
const FRENCH: &[(&str, Hint, Option<SubjectDetail>)] = &[
    ("utilisateur inconnu", Permanent, Some((1, 1))),
    ("destinataire inconnu", Permanent, Some((1, 1))),
    ("adresse inconnue", Permanent, Some((1, 1))),
    ("destinataire invalide", Permanent, Some((1, 1))),
    ("boîte aux lettres inexistante", Permanent, Some((1, 1))),
    ("boite aux lettres inexistante", Permanent, Some((1, 1))),
    ("est introuvable", Permanent, Some((1, 1))),
    ("n'existe pas", Permanent, Some((1, 1))),
    ("domaine inconnu", Permanent, Some((1, 2))),
    ("domaine introuvable", Permanent, Some((1, 2))),
    ("compte désactivé", Permanent, Some((2, 1))),
    ("compte desactive", Permanent, Some((2, 1))),
    ("compte du destinataire est bloqu", Permanent, Some((2, 1))),
    ("boîte aux lettres pleine", Temporary, Some((2, 2))),
    ("boite aux lettres pleine", Temporary, Some((2, 2))),
    ("boîte pleine", Temporary, Some((2, 2))),
    ("quota dépassé", Temporary, Some((2, 2))),
    ("quota depasse", Temporary, Some((2, 2))),
    ("erreur permanente", Permanent, None),
    ("échec permanent", Permanent, None),
    ("erreur temporaire", Temporary, None),
    ("temporairement", Temporary, None),
    ("essayer plus tard", Temporary, None),
    ("nouvelle tentative", Temporary, None),
];

/// Japanese phrases.
const JAPANESE: &[(&str, Hint, Option<SubjectDetail>)] = &[
    ("ドメインが存在しません", Permanent, Some((1, 2))),
    ("ドメインが見つかりません", Permanent, Some((1, 2))),
    ("ユーザが存在しません", Permanent, Some((1, 1))),
    ("ユーザーが存在しません", Permanent, Some((1, 1))),
    ("アドレスが存在しません", Permanent, Some((1, 1))),
    ("宛先が見つかりません", Permanent, Some((1, 1))),
    ("アドレスが見つかりません", Permanent, Some((1, 1))),
    ("宛先不明", Permanent, Some((1, 1))),
    ("ディレクトリのリストにありません", Permanent, Some((1, 1))),
    ("存在しません", Permanent, Some((1, 1))),
    ("アカウントが無効", Permanent, Some((2, 1))),
    ("利用停止", Permanent, Some((2, 1))),
    ("メールボックスが一杯", Temporary, Some((2, 2))),
    ("メールボックスがいっぱい", Temporary, Some((2, 2))),
    ("容量オーバー", Temporary, Some((2, 2))),
    ("容量を超え", Temporary, Some((2, 2))),
    ("一時的", Temporary, None),
    ("しばらくしてから", Temporary, None),
];

/// The first phrase that `text` contains, ignoring case: the English table first, then the
/// German, French and Japanese ones.
pub(crate) fn recognise(text: &str) -> Option<Phrase> {
    let lower = text.to_lowercase();
    [PHRASES, GERMAN, FRENCH, JAPANESE]
        .into_iter()
        .flatten()
        .find(|(needle, _, _)| lower.contains(needle))
        .map(|&(_, hint, subject_detail)| Phrase {
            hint,
            subject_detail,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_phrase_wins() {
        let phrase = recognise("Mailbox full; also: User Unknown").unwrap();
        assert_eq!(
            (phrase.hint, phrase.subject_detail),
            (Permanent, Some((1, 1)))
        );
        let phrase = recognise("Connection timed out, will retry").unwrap();
        assert_eq!(
            (phrase.hint, phrase.subject_detail),
            (Temporary, Some((4, 1)))
        );
        // A notice that gives up is final, whatever failed on the way.
        let phrase = recognise("Connection timed out. I'm not going to try again.").unwrap();
        assert_eq!(phrase.hint, Permanent);
        let phrase = recognise("all hosts have been failing for a long time").unwrap();
        assert_eq!(phrase.hint, Temporary);
        assert_eq!(recognise("Thank you for the circular"), None);
    }

    #[test]
    fn phrases_in_german_french_and_japanese_are_recognised() {
        let read = |text: &str| recognise(text).map(|p| (p.hint, p.subject_detail));
        assert_eq!(
            read("550 Benutzer unbekannt"),
            Some((Permanent, Some((1, 1))))
        );
        assert_eq!(read("Postfach ist voll"), Some((Temporary, Some((2, 2)))));
        // Case folds beyond ASCII: "É" as "é".
        assert_eq!(
            read("BOÎTE AUX LETTRES PLEINE"),
            Some((Temporary, Some((2, 2))))
        );
        assert_eq!(
            read("Adresse destinataire invalide"),
            Some((Permanent, Some((1, 1))))
        );
        assert_eq!(
            read("送信先のメールボックスが一杯のため、送信できませんでした。"),
            Some((Temporary, Some((2, 2))))
        );
        assert_eq!(
            read("ドメインが存在しません"),
            Some((Permanent, Some((1, 2))))
        );
        assert_eq!(read("Vielen Dank für das Rundschreiben"), None);
    }
}
