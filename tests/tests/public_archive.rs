//! Anyone reads the issued circulars in the public archive, in each of the six languages, and
//! follows them with an Atom feed: before anything is issued the lists are empty and the feeds
//! valid and empty; once the sample is issued every language lists it, its page shows the
//! letter without any recipient's data and offers its annex, and every feed has an entry with
//! a stable id, dates and links to the other language versions. A circular whose file
//! withholds it stays out; an unknown language is a page saying which languages exist; a flood
//! from one address gets 429.

use circulars_tests::http::{http, request, Reply};
use circulars_tests::{on_both_databases, Db, Harness};
use feed_rs::model::Feed;

/// The public base URL of the harness's configuration (`[mail] public_base_url`).
const BASE: &str = "https://circulars.itu.example";
const LANGUAGES: [&str; 6] = ["ar", "zh", "en", "fr", "ru", "es"];

async fn get(h: &Harness, path: &str) -> Reply {
    http("GET", &format!("{}{path}", h.gateway_url()), None, b"").await
}

/// The feed of `language`, parsed as a feed reader would, after checking what RFC 4287
/// requires of the feed itself.
async fn feed(h: &Harness, language: &str) -> Feed {
    let reply = get(h, &format!("/circulars/{language}/feed.atom")).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    assert!(reply.header("etag").is_some(), "{reply:?}");
    let feed = feed_rs::parser::parse(reply.body.as_bytes()).expect("the feed parses");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(
        feed.id,
        format!("tag:circulars.itu.example,2026:circulars/{language}")
    );
    assert!(feed.title.as_ref().is_some_and(|t| !t.content.is_empty()));
    assert!(feed.updated.is_some(), "updated");
    assert!(
        !feed.authors.is_empty(),
        "an author, required when entries have none"
    );
    let link = |rel: &str, href: String| {
        assert!(
            feed.links
                .iter()
                .any(|l| l.rel.as_deref() == Some(rel) && l.href == href),
            "{rel} {href} in {:?}",
            feed.links
        )
    };
    link("self", format!("{BASE}/circulars/{language}/feed.atom"));
    link("alternate", format!("{BASE}/circulars/{language}/"));
    feed
}

/// The sample circular with one annex and a withheld copy numbered 37, both drafted.
fn draft_sample_with_annex_and_withheld_copy(h: &Harness) {
    let sample =
        std::fs::read_to_string(circulars_tests::workspace().join("samples/circulars/tsb-36.toml"))
            .unwrap();
    let with_annex = sample.replace(
        "signatory = \"Seizo Onoe\"",
        "signatory = \"Seizo Onoe\"\nannexes = [\"annex1.pdf\"]",
    );
    assert_ne!(with_annex, sample, "the sample has a signatory line");
    std::fs::write(h.dir().join("tsb-36.toml"), &with_annex).unwrap();
    std::fs::write(h.dir().join("annex1.pdf"), b"%PDF-1.4 registration form").unwrap();
    std::fs::write(h.dir().join("annex1.fr.pdf"), b"%PDF-1.4 formulaire").unwrap();
    let withheld = with_annex.replacen("\nnumber = 36\n", "\nnumber = 37\narchive = false\n", 1);
    std::fs::write(h.dir().join("tsb-37.toml"), withheld).unwrap();
    for file in ["tsb-36.toml", "tsb-37.toml"] {
        h.circulars_ok(&["draft", h.dir().join(file).to_str().unwrap()]);
    }
}

async fn anyone_reads_issued_circulars_in_the_archive_and_its_feeds(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("all");
    h.import_sample_directory();

    // Before anything is issued: every language answers, with an empty list and feed.
    for language in LANGUAGES {
        let list = get(&h, &format!("/circulars/{language}/")).await;
        assert_eq!(list.status, 200, "{list:?}");
        let dir = if language == "ar" { "rtl" } else { "ltr" };
        assert!(
            list.body
                .contains(&format!("<html lang=\"{language}\" dir=\"{dir}\">")),
            "{}",
            list.body
        );
        assert!(!list.body.contains("<ol"), "no list yet: {}", list.body);
        assert!(
            list.header("content-security-policy")
                .is_some_and(|p| p.contains("default-src 'none'")),
            "{list:?}"
        );
        assert_eq!(list.header("x-content-type-options"), Some("nosniff"));
        assert!(feed(&h, language).await.entries.is_empty());
    }
    let english = get(&h, "/circulars/en/").await;
    assert!(
        english.body.contains("No circular has been issued yet."),
        "{}",
        english.body
    );

    // A draft is not public; once issued, it is listed in every language.
    draft_sample_with_annex_and_withheld_copy(&h);
    assert!(!get(&h, "/circulars/en/").await.body.contains("TSB-36"));
    assert_eq!(get(&h, "/circulars/en/TSB-36").await.status, 404);
    h.circulars_ok(&["issue", "TSB-36"]);
    h.circulars_ok(&["issue", "TSB-37"]);
    h.wait_until_delivered("TSB-36").await;
    h.wait_until_delivered("TSB-37").await;
    let recipients: Vec<String> = h.mails().into_iter().map(|m| m.recipient).collect();
    assert!(!recipients.is_empty());

    let store = h.store().await;
    let sample = store
        .existing_circular(&"TSB-36".parse().unwrap())
        .await
        .unwrap()
        .circular;
    for language in LANGUAGES {
        let code: circulars_core::domain::Language = language.parse().unwrap();
        let subject = &sample.text(code).unwrap().subject;
        let list = get(&h, &format!("/circulars/{language}/")).await;
        assert_eq!(list.status, 200);
        assert!(
            list.body
                .contains(&format!("href=\"/circulars/{language}/TSB-36\"")),
            "{language}: {}",
            list.body
        );
        assert!(
            list.body.contains(escaped(subject)),
            "{language}: {}",
            list.body
        );
        assert!(
            !list.body.contains("TSB-37"),
            "{language}: withheld: {}",
            list.body
        );

        // The page: the letter as rendered, with no recipient's data.
        let page = get(&h, &format!("/circulars/{language}/TSB-36")).await;
        assert_eq!(page.status, 200, "{language}: {page:?}");
        assert!(page.body.contains("Seizo Onoe"), "{language}: the letter");
        assert!(page.body.contains("Fred Werner"), "{language}: the contact");
        for private in ["{{", "/unsubscribe/", "/preferences/", "bounce+"] {
            assert!(
                !page.body.contains(private),
                "{language}: {private} in {}",
                page.body
            );
        }
        for address in &recipients {
            assert!(
                !page.body.contains(address.as_str()),
                "{language}: {address}"
            );
        }
        let policy = page.header("content-security-policy").unwrap();
        assert!(!policy.contains("script"), "{policy}");
        assert!(page.header("cache-control").unwrap().starts_with("public"));
        // Every other language version is linked with its hreflang.
        for other in LANGUAGES.iter().filter(|l| **l != language) {
            assert!(
                page.body.contains(&format!(
                    "hreflang=\"{other}\" href=\"/circulars/{other}/TSB-36\""
                )),
                "{language} → {other}"
            );
        }

        // The annex downloads under its name, the French one in French.
        let annex_path = format!("/circulars/{language}/TSB-36/annexes/1");
        assert!(
            page.body.contains(&format!("href=\"{annex_path}\"")),
            "{}",
            page.body
        );
        let annex = get(&h, &annex_path).await;
        assert_eq!(annex.status, 200, "{annex:?}");
        assert_eq!(annex.header("content-type"), Some("application/pdf"));
        assert_eq!(
            annex.header("content-disposition"),
            Some("attachment; filename=\"annex1.pdf\"; filename*=UTF-8''annex1%2Epdf")
        );
        let expected = if language == "fr" {
            "%PDF-1.4 formulaire"
        } else {
            "%PDF-1.4 registration form"
        };
        assert_eq!(annex.body, expected);
        assert_eq!(
            get(&h, &format!("/circulars/{language}/TSB-36/annexes/2"))
                .await
                .status,
            404
        );

        // The feed: one entry, its stable id, its dates, and a link to each language version.
        let feed = feed(&h, language).await;
        assert_eq!(
            feed.entries.len(),
            1,
            "{language}: the withheld one is not in it"
        );
        let entry = &feed.entries[0];
        assert_eq!(
            entry.id,
            format!("tag:circulars.itu.example,2026:circulars/{language}/TSB-36")
        );
        assert_eq!(entry.title.as_ref().unwrap().content, *subject);
        let issued = store.issued_at(&sample.id).await.unwrap().unwrap();
        let whole_seconds = issued.timestamp();
        assert_eq!(entry.updated.map(|t| t.timestamp()), Some(whole_seconds));
        assert_eq!(entry.published.map(|t| t.timestamp()), Some(whole_seconds));
        assert_eq!(feed.updated.map(|t| t.timestamp()), Some(whole_seconds));
        for other in LANGUAGES {
            let href = format!("{BASE}/circulars/{other}/TSB-36");
            let link = entry
                .links
                .iter()
                .find(|l| l.href == href)
                .unwrap_or_else(|| panic!("{language}: no link to {href}: {:?}", entry.links));
            assert_eq!(link.rel.as_deref(), Some("alternate"));
            assert_eq!(link.href_lang.as_deref(), Some(other));
            assert_eq!(link.media_type.as_deref(), Some("text/html"));
        }
    }

    // The withheld circular has no page and no annex.
    for path in ["/circulars/en/TSB-37", "/circulars/fr/TSB-37/annexes/1"] {
        let reply = get(&h, path).await;
        assert_eq!(reply.status, 404, "{path}");
        assert!(reply.body.contains("TSB-37"), "{}", reply.body);
    }

    // A feed reader asking again with the tag it has gets 304.
    let first = get(&h, "/circulars/en/feed.atom").await;
    let tag = first.header("etag").unwrap().to_owned();
    let url = format!("{}/circulars/en/feed.atom", h.gateway_url());
    let again = request("GET", &url, &[("If-None-Match", &tag)], b"").await;
    assert_eq!(again.status, 304, "{again:?}");
    assert!(again.body.is_empty());
}

async fn an_unknown_language_or_page_is_a_page_saying_what_exists(db: Db) {
    let mut h = Harness::start(db).await;
    h.serve("gateway");
    for path in [
        "/circulars/de/",
        "/circulars/de/feed.atom",
        "/circulars/EN/TSB-36",
        "/circulars/xx",
    ] {
        let reply = get(&h, path).await;
        assert_eq!(reply.status, 404, "{path}: {reply:?}");
        assert!(
            reply.body.contains("There is no archive in"),
            "{path}: {}",
            reply.body
        );
        for (code, name) in [("ar", "العربية"), ("zh", "中文"), ("es", "Español")] {
            assert!(
                reply.body.contains(&format!(
                    "href=\"/circulars/{code}/\" lang=\"{code}\" hreflang=\"{code}\">{name}</a>"
                )),
                "{path}: {}",
                reply.body
            );
        }
    }
    let not_issued = get(&h, "/circulars/fr/TSB-99").await;
    assert_eq!(not_issued.status, 404);
    assert!(
        not_issued.body.contains("Aucune circulaire TSB-99 n"),
        "{}",
        not_issued.body
    );
    let bad_page = get(&h, "/circulars/ru/?page=abc").await;
    assert_eq!(bad_page.status, 400);
    assert!(bad_page.body.contains("«abc»"), "{}", bad_page.body);
    assert_eq!(get(&h, "/circulars/es/?page=2").await.status, 404);
    let redirect = get(&h, "/circulars/zh").await;
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/circulars/zh/"));

    // A flood from one address: refused with 429 and a page saying to wait.
    // (The allowance refills as time passes, so the refusal itself is what is read: a request
    // made after it may already pass again on a slow machine.)
    let mut statuses = Vec::new();
    let mut answer = None;
    for _ in 0..320 {
        let reply = get(&h, "/circulars/en/feed.atom").await;
        statuses.push(reply.status);
        if reply.status == 429 {
            answer = Some(reply);
            break;
        }
    }
    let answer = answer.unwrap_or_else(|| panic!("no 429 in {statuses:?}"));
    let refused = statuses.len() - 1;
    assert!(refused > 250, "the first {refused} pass");
    assert!(answer.header("retry-after").is_some());
    assert!(answer.body.contains("Too many requests"), "{}", answer.body);
}

/// The start of `text` up to its first character that HTML escapes, as a page shows it.
fn escaped(text: &str) -> &str {
    text.split(['\'', '"', '&', '<', '>'])
        .next()
        .unwrap_or_default()
}

on_both_databases!(
    anyone_reads_issued_circulars_in_the_archive_and_its_feeds,
    an_unknown_language_or_page_is_a_page_saying_what_exists
);
