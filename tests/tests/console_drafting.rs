//! A drafter writes a circular in the console: the form names a mistake beside its field and
//! keeps what was typed; fixed, it is saved with its annex files per language; edited after
//! submission, it returns to draft. Whoever is no drafter is refused the form.

mod signed_in;

use circulars_core::domain::Language;
use circulars_tests::http::request;
use circulars_tests::{on_both_databases, Db, MAX_REQUEST_BYTES};
use signed_in::{csrf_of, drafting_harness, sample_form, with, Browser, MAX_ANNEX_BYTES};

async fn a_drafter_fixes_a_mistake_named_beside_its_field_and_saves_the_circular_with_its_annexes(
    db: Db,
) {
    let h = drafting_harness(db, true).await;
    let ana = Browser::sign_in(&h, "ana", &["drafter"]).await;

    let empty = ana.get("/staff/circulars/new").await;
    assert_eq!(empty.status, 200, "{}", empty.body);
    let html = &empty.body;
    assert!(html.contains("enctype=\"multipart/form-data\""), "{html}");
    assert!(html.contains("<a href=\"#text-ar\">Arabic</a>"), "{html}");
    assert!(html.contains("id=\"subject-ar\" name=\"subject-ar\" type=\"text\" value=\"\" lang=\"ar\" dir=\"rtl\""), "{html}");
    assert!(
        html.contains("id=\"categories\" name=\"categories\" value=\"member-states\""),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    let csrf = csrf_of(html);

    // The English subject forgotten, a script typed in the French one.
    let scripted = "<script>alert(1)</script> Appel à experts";
    let mistaken = with(
        with(sample_form(&csrf), "subject-en", ""),
        "subject-fr",
        scripted,
    );
    let refused = ana.post_form("/staff/circulars/new", &mistaken, &[]).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let html = &refused.body;
    assert!(html.contains("<title>Error: New circular"), "{html}");
    assert!(
        html.contains("<li><a href=\"#subject-en\">text.en.subject: is empty</a></li>"),
        "{html}"
    );
    assert!(
        html.contains("<p class=\"error-message\" id=\"subject-en-error\"><span class=\"visually-hidden\">Error:</span> text.en.subject: is empty</p>"),
        "{html}"
    );
    assert!(
        html.contains("aria-describedby=\"subject-en-error\" aria-invalid=\"true\""),
        "{html}"
    );
    assert!(
        !html.contains("<script>alert(1)"),
        "a script is shown as text: {html}"
    );
    assert!(
        html.contains("value=\"&#60;script&#62;alert(1)&#60;/script&#62; Appel à experts\"")
            || html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt; Appel à experts\""),
        "{html}"
    );
    assert!(
        html.contains("value=\"TSB Events/FW\""),
        "what was typed is kept: {html}"
    );
    assert!(html.contains("value=\"member-states\" checked"), "{html}");
    assert!(h
        .store()
        .await
        .circular(&"TSB-36".parse().unwrap())
        .await
        .unwrap()
        .is_none());

    // The subject typed; a script in the English body, which the renderer refuses (raw HTML).
    let scripted_body = with(
        with(mistaken, "subject-en", "Call for experts"),
        "body-en",
        "Dear colleagues,\n\n<script>alert(2)</script> is text here.",
    );
    let refused = ana
        .post_form("/staff/circulars/new", &scripted_body, &[])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let html = &refused.body;
    assert!(
        html.contains("id=\"body-en-error\"><span class=\"visually-hidden\">Error:</span> text.en.body: line 3: raw HTML is not allowed in a circular body: &#60;script&#62;alert(2)"),
        "{html}"
    );
    assert!(
        html.contains("&#60;script&#62;alert(2)&#60;/script&#62; is text here.</textarea>"),
        "the body typed is kept, as text: {html}"
    );

    // Fixed, with an annex for every language, its French version, and a file named with a script.
    let body = "Dear colleagues,\n\nA call for experts.";
    let fixed = with(scripted_body, "body-en", body);
    let saved = ana
        .post_form(
            "/staff/circulars/new",
            &fixed,
            &[
                ("annex-all", "annex1.pdf", b"%PDF every language"),
                ("annex-fr", "annex1.fr.pdf", b"%PDF en francais"),
                ("annex-all", "<script>.txt", b"notes"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.header("location"), Some("/staff/circulars/TSB-36"));
    let store = h.store().await;
    let id = "TSB-36".parse().unwrap();
    let stored = store.existing_circular(&id).await.unwrap();
    assert_eq!(stored.circular.texts[&Language::Fr].subject, scripted);
    assert_eq!(stored.circular.texts[&Language::En].body, body);
    assert_eq!(stored.circular.annexes, ["annex1.pdf", "<script>.txt"]);
    assert_eq!(stored.life.drafted_by, "ana");
    let annexes = circulars_lifecycle::annexes::stored_annexes(&store, &id)
        .await
        .unwrap();
    let annex1: Vec<(Language, &str, &[u8])> = annexes
        .iter()
        .filter(|a| a.file_name == "annex1.pdf")
        .map(|a| (a.language, a.source.as_str(), a.content.as_slice()))
        .collect();
    assert_eq!(annex1.len(), 6, "{annex1:?}");
    for (language, source, content) in annex1 {
        if language == Language::Fr {
            assert_eq!(
                (source, content),
                ("annex1.fr.pdf", &b"%PDF en francais"[..])
            );
        } else {
            assert_eq!(
                (source, content),
                ("annex1.pdf", &b"%PDF every language"[..]),
                "{language}"
            );
        }
    }

    // The new circular's form never replaces a circular already drafted.
    let again = ana.post_form("/staff/circulars/new", &fixed, &[]).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(
        again.body.contains("id=\"number-error\"><span class=\"visually-hidden\">Error:</span> TSB-36 already exists"),
        "{}",
        again.body
    );

    // Submitted, then edited: back to draft; the edit form shows what is stored, as text.
    h.circulars_ok(&["submit", "TSB-36", "--as", "ana"]);
    let edit = ana.get("/staff/circulars/TSB-36/edit").await;
    assert_eq!(edit.status, 200, "{}", edit.body);
    assert!(!edit.body.contains("<script>"), "{}", edit.body);
    assert!(
        edit.body.contains("&#60;script&#62;.txt") || edit.body.contains("&lt;script&gt;.txt"),
        "the file name is shown as text: {}",
        edit.body
    );
    assert!(
        edit.body.contains("value=\"annex1.pdf\" checked"),
        "{}",
        edit.body
    );
    assert!(
        edit.body.contains("annex1.pdf, annex1.fr.pdf"),
        "{}",
        edit.body
    );
    let csrf = csrf_of(&edit.body);
    let mut form = with(fixed, "csrf", &csrf);
    form.push(("annexes".into(), "annex1.pdf".into()));
    form.push(("annexes".into(), "<script>.txt".into()));

    // A file over the limit is named beside its language's field, with the limit.
    let big = vec![b'x'; MAX_ANNEX_BYTES + 1];
    let too_big = ana
        .post_form(
            "/staff/circulars/TSB-36/edit",
            &form,
            &[("annex-es", "annex1.pdf", &big)],
        )
        .await;
    assert_eq!(too_big.status, 422, "{}", too_big.body);
    assert!(
        too_big.body.contains(&format!(
            "id=\"annex-es-error\"><span class=\"visually-hidden\">Error:</span> annexes[1].es: annex1.es.pdf is {} bytes, over the limit of {MAX_ANNEX_BYTES} bytes (mail.max_annex_bytes)",
            MAX_ANNEX_BYTES + 1
        )),
        "{}",
        too_big.body
    );
    assert!(
        too_big.body.contains("The files you chose were not saved"),
        "{}",
        too_big.body
    );
    // A form over the gateway's request limit is refused as a whole, naming the limit.
    let huge = vec![b'x'; MAX_REQUEST_BYTES + 1];
    let refused = ana
        .post_form(
            "/staff/circulars/TSB-36/edit",
            &form,
            &[("annex-es", "annex1.pdf", &huge)],
        )
        .await;
    assert_eq!(refused.status, 413, "{}", refused.body);
    assert!(
        refused.body.contains(&format!(
            "over the limit of {MAX_REQUEST_BYTES} bytes (gateway.max_request_bytes)"
        )),
        "{}",
        refused.body
    );
    let resaved = ana
        .post_form(
            "/staff/circulars/TSB-36/edit",
            &with(form, "subject-en", "Call for experts (revised)"),
            &[],
        )
        .await;
    assert_eq!(resaved.status, 303, "{}", resaved.body);
    let stored = store.existing_circular(&id).await.unwrap();
    assert_eq!(stored.life.state.to_string(), "draft");
    assert_eq!(
        stored.circular.texts[&Language::En].subject,
        "Call for experts (revised)"
    );
    let kept = circulars_lifecycle::annexes::stored_annexes(&store, &id)
        .await
        .unwrap();
    assert_eq!(kept.len(), 12, "both annexes kept in six languages");

    // A form without its token is refused.
    let forged = ana
        .post_form(
            "/staff/circulars/TSB-36/edit",
            &with(sample_form("forged"), "csrf", "forged"),
            &[],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
}

async fn whoever_is_no_drafter_is_refused_the_form(db: Db) {
    let h = drafting_harness(db, true).await;
    let bob = Browser::sign_in(&h, "bob", &["approver", "operator"]).await;
    for path in ["/staff/circulars/new", "/staff/circulars/TSB-36/edit"] {
        let page = bob.get(path).await;
        assert_eq!(page.status, 403, "{path}: {}", page.body);
        assert!(
            page.body.contains("it needs the drafter role"),
            "{}",
            page.body
        );
    }
    let csrf = csrf_of(&bob.get("/staff/circulars/new").await.body);
    let posted = bob
        .post_form("/staff/circulars/new", &sample_form(&csrf), &[])
        .await;
    assert_eq!(posted.status, 403, "{}", posted.body);
    assert!(h
        .store()
        .await
        .circular(&"TSB-36".parse().unwrap())
        .await
        .unwrap()
        .is_none());
    let anonymous = request(
        "GET",
        &format!("{}/staff/circulars/new", h.gateway_url()),
        &[],
        b"",
    )
    .await;
    assert_eq!(anonymous.status, 401);
}

on_both_databases!(
    a_drafter_fixes_a_mistake_named_beside_its_field_and_saves_the_circular_with_its_annexes,
    whoever_is_no_drafter_is_refused_the_form,
);
