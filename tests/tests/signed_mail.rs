//! Each language's mail as its recipient's system gets it: read back by a mail reader's parser,
//! its two bodies are the stored language version with this recipient's organisation and links
//! filled in, character for character, and its Ed25519 DKIM signature verifies, in all six
//! languages, for names and organisations that need encoding in headers.

use circulars_core::config::Config;
use circulars_core::domain::{CircularId, DeliveryKey, Language, PersonalLinks, RecipientAddress};
use circulars_render::mail::{preferences_url, unsubscribe_url};
use circulars_tests::{dkim, on_both_databases, parse_mail, Db, Harness, DIRECTORY_HEADER};
use mail_auth::DkimResult;
use std::collections::BTreeMap;

/// One recipient per language: (address, name, language, organisation).
const RECIPIENTS: [(&str, &str, &str, &str); 6] = [
    ("karim@ptt.example.org", "كريم حداد", "ar", "وزارة الاتصالات"),
    ("li.wei@miit.example.com", "李伟", "zh", "工业和信息化部"),
    (
        "ann.lee@ofcom.example.net",
        "Ann O'Lee",
        "en",
        "Office of \"Communications\"",
    ),
    (
        "amina@arcep.example.fr",
        "Amina Diallo",
        "fr",
        "Autorité de régulation – ARCEP",
    ),
    (
        "vera@minsvyaz.example.ru",
        "Вера Новак",
        "ru",
        "Министерство связи",
    ),
    (
        "jose@setelecom.example.es",
        "José Pérez",
        "es",
        "Secretaría de Telecomunicaciones",
    ),
];

/// The directory CSV of [`RECIPIENTS`], each an addressee of its own in `member-states`.
fn directory() -> String {
    let mut csv = DIRECTORY_HEADER.to_owned();
    for (n, (address, name, language, organisation)) in RECIPIENTS.iter().enumerate() {
        let organisation = organisation.replace('"', "\"\"");
        csv.push_str(&format!(
            "adm-{n},\"{organisation}\",,member-states,{address},{name},{language},,active,\n"
        ));
    }
    csv
}

/// `\n` line ends as `\r\n`: a mail's text as a parser gives it back.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

async fn each_language_arrives_as_rendered_and_signed(db: Db) {
    let mut h = Harness::start(db).await;
    let config_file = h.dir().join("circulars.toml");
    let config_text = std::fs::read_to_string(&config_file).unwrap() + &dkim::ed25519_section();
    std::fs::write(&config_file, &config_text).unwrap();
    let config = Config::from_sources(Some(("circulars.toml", &config_text)), Vec::new()).unwrap();
    let keyring = config.tokens.keyring().unwrap();

    let csv = h.dir().join("directory.csv");
    std::fs::write(&csv, directory()).unwrap();
    h.circulars_ok(&["directory", "import", csv.to_str().unwrap()]);
    h.draft_sample_circular();
    h.serve("all");
    h.circulars_ok(&["issue", "TSB-36"]);
    h.wait_until_delivered("TSB-36").await;

    let tsb36: CircularId = "TSB-36".parse().unwrap();
    let store = h.store().await;
    let organisations: BTreeMap<&str, &str> = RECIPIENTS.iter().map(|r| (r.0, r.3)).collect();
    let mut files: Vec<_> = std::fs::read_dir(h.smtp().out_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    files.sort();
    let mut languages = Vec::new();
    for file in files {
        let raw = std::fs::read(&file).unwrap();
        let mail = parse_mail(&file);
        let language: Language = mail.language.parse().unwrap();
        assert_eq!(
            dkim::verify_ed25519(&raw).await,
            DkimResult::Pass,
            "{language}: the signature verifies"
        );
        let address = RecipientAddress::parse(&mail.recipient).unwrap();
        let rendition = store.rendition(&tsb36, language).await.unwrap().unwrap();
        let key = DeliveryKey::new(tsb36.clone(), address);
        let (unsubscribe, preferences) = (
            unsubscribe_url(&config.mail, &keyring, &key),
            preferences_url(&config.mail, &keyring, &key),
        );
        let links = PersonalLinks {
            unsubscribe: &unsubscribe,
            preferences: &preferences,
        };
        let (text, html) = rendition.personalise(organisations[mail.recipient.as_str()], links);
        assert_eq!(mail.text, crlf(&text), "{language}: the text part");
        assert_eq!(mail.html, crlf(&html), "{language}: the HTML part");
        assert_eq!(mail.subject, rendition.subject, "{language}: the subject");
        let name = RECIPIENTS.iter().find(|r| r.0 == mail.recipient).unwrap().1;
        let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
        let to = parsed.to().and_then(|to| to.first()).unwrap();
        assert_eq!(to.name(), Some(name), "{language}: the recipient's name");
        languages.push(language);
    }
    store.close().await;
    languages.sort();
    let mut all = Language::ALL.to_vec();
    all.sort();
    assert_eq!(languages, all, "one mail in each language");
    h.stop_services();
}

on_both_databases!(each_language_arrives_as_rendered_and_signed);
